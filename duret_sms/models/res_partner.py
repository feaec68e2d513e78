from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..services.partner_numbers import PartnerNumbers
from ..services.sms_consent import (
    EXPLICIT_GRANT,
    EXPLICIT_GRANT_KEY,
    PROTECTED_FIELDS,
    SmsConsent,
)

# How the customer gave (or withdrew) consent: kept as proof (CNIL asks who, when and how).
CONSENT_SOURCES = [
    ("form", "Signed form"),
    ("phone", "Phone call"),
    ("paper", "Letter or paper"),
    ("web", "Website"),
    ("sms", "SMS"),
    ("staff", "Recorded by staff"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Commercial SMS need the person's prior, free and informed consent (CPCE L34-5, CNIL);
    # date and source are kept as proof, and survive the SMS history retention purge.
    duret_sms_consent = fields.Boolean(
        "Commercial SMS Consent",
        tracking=True,
        copy=False,
        help="The contact agreed to receive commercial SMS. Service SMS (appointments, "
        "invoices) do not need it.",
    )
    duret_sms_consent_date = fields.Datetime("Consent Given On", copy=False, tracking=True)
    duret_sms_consent_source = fields.Selection(
        CONSENT_SOURCES,
        "Consent Source",
        copy=False,
        tracking=True,
        help="How the contact gave their consent.",
    )
    duret_sms_consent_user_id = fields.Many2one(
        "res.users", "Consent Recorded By", copy=False, tracking=True, ondelete="set null"
    )
    # The date the customer signed or said (a form, an imported file); the date above is
    # always the server's, when it was recorded in Odoo.
    duret_sms_consent_declared_date = fields.Date(
        "Consent Date (Declared)", copy=False, tracking=True
    )
    duret_sms_consent_event_ids = fields.One2many(
        "duret.sms.consent.event",
        "partner_id",
        "SMS Consent History",
        groups="duret_sms.duret_sms_group_consent",
    )
    # The opt-out list is Odoo's phone.blacklist (system ACL): shown here, read as superuser.
    duret_sms_optout = fields.Boolean(
        "Opted Out of SMS",
        compute="_compute_duret_sms_optout",
        search="_search_duret_sms_optout",
        groups="base.group_user",
        help="The contact's mobile is on the SMS opt-out list: they receive no SMS at all, "
        "except urgent alerts to staff.",
    )
    duret_sms_optout_since = fields.Date(
        "Opted Out Since", compute="_compute_duret_sms_optout", groups="base.group_user"
    )
    duret_sms_optout_reason = fields.Char(
        "Opt-out Reason", compute="_compute_duret_sms_optout", groups="base.group_user"
    )
    duret_sms_optout_at_twilio = fields.Boolean(
        "Opted Out at Twilio",
        compute="_compute_duret_sms_optout",
        groups="base.group_user",
        help="The customer replied STOP (or another Twilio keyword): Twilio itself refuses "
        "every SMS to this number until the customer texts START.",
    )
    duret_sms_reply_count = fields.Integer(
        "SMS Replies",
        compute="_compute_duret_sms_reply_count",
        groups="duret_sms.duret_sms_group_officer",
    )
    # Internal urgent SMS (any hour, any day) go only to the company's own people, at a number
    # an SMS officer registered for that: never to a contact's Mobile, which any employee edits.
    duret_sms_staff = fields.Boolean(
        "Company Staff (SMS)",
        copy=False,
        groups="duret_sms.duret_sms_group_officer",
        help="A site manager or technician of the company who is not an Odoo user: may receive "
        "internal urgent SMS alerts at their Urgent SMS Mobile. Only SMS officers set it.",
    )
    duret_sms_urgent_mobile = fields.Char(
        "Urgent SMS Mobile",
        copy=False,
        groups="duret_sms.duret_sms_group_officer",
        help="The mobile number where this member of staff gets urgent alerts (urgent "
        "interventions, cancellations, urgent orders), at any hour. Only SMS officers set it; "
        "it must not be a customer's number.",
    )

    def _duret_sms_optout_numbers(self):
        """{partner: [E.164 numbers that reach them by SMS]} (mobile first, then phone)."""
        result = {}
        for partner in self:
            numbers = [partner._duret_sms_mobile(), partner.phone_sanitized]
            result[partner] = [n for n in dict.fromkeys(numbers) if n]
        return result

    @api.depends("mobile", "phone", "phone_sanitized", "country_id")
    def _compute_duret_sms_optout(self):
        numbers = self._duret_sms_optout_numbers()
        wanted = {n for values in numbers.values() for n in values}
        # phone.blacklist has a system-only ACL; these numbers' entries only, to show them.
        blacklist_sudo = self.env["phone.blacklist"].sudo()
        entries = (
            {
                entry.number: entry
                for entry in blacklist_sudo.search([("number", "in", list(wanted))])
            }
            if wanted
            else {}
        )
        for partner in self:
            entry = next((entries[n] for n in numbers[partner] if n in entries), None)
            partner.duret_sms_optout = bool(entry)
            partner.duret_sms_optout_since = (
                fields.Date.context_today(partner, entry._duret_optout_since()) if entry else False
            )
            partner.duret_sms_optout_reason = entry._duret_optout_why() if entry else False
            partner.duret_sms_optout_at_twilio = bool(entry) and entry._duret_twilio_blocked()

    def _search_duret_sms_optout(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on the SMS opt-out."))
        # phone.blacklist has a system-only ACL: read the numbers only, to filter contacts.
        numbers = self.env["phone.blacklist"].sudo().search([]).mapped("number")
        positive = (operator == "=") == value
        # phone_sanitized is the contact's mobile, else phone, in E.164 (stored).
        domain = [("phone_sanitized", "in", numbers)]
        return domain if positive else ["!", *domain]

    @api.constrains("duret_sms_urgent_mobile", "country_id")
    def _check_duret_sms_urgent_mobile(self):
        for partner in self.sudo().filtered("duret_sms_urgent_mobile"):
            if not partner._duret_urgent_number():
                raise ValidationError(
                    _(
                        "%(number)s is not a valid mobile number for urgent SMS of %(name)s.",
                        number=partner.duret_sms_urgent_mobile,
                        name=partner.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if any(any(vals.get(f) for f in PROTECTED_FIELDS) for vals in vals_list):
            SmsConsent(self).check_right()
        vals_list = [SmsConsent(self).stamp(vals) for vals in vals_list]
        partners = super().create(vals_list)
        for partner, vals in zip(partners, vals_list, strict=True):
            if vals.get("duret_sms_consent"):
                consent = SmsConsent(partner)
                consent.check_not_withdrawn()
                consent.record_events(
                    True,
                    vals["duret_sms_consent_source"],
                    vals.get("duret_sms_consent_declared_date"),
                )
        return partners

    def write(self, vals):
        if not any(f in vals for f in PROTECTED_FIELDS):
            return super().write(vals)
        consent = vals.get("duret_sms_consent", None)
        # Only contacts whose consent changes get a new date/source/author: re-importing a
        # file must not rewrite the proof of consents given earlier.
        changing = (
            self.filtered(lambda p: bool(p.duret_sms_consent) != bool(consent))
            if "duret_sms_consent" in vals
            else self.browse()
        )
        others = {f: v for f, v in vals.items() if f not in PROTECTED_FIELDS}
        protected = {f: v for f, v in vals.items() if f in PROTECTED_FIELDS}
        extra_proof = (
            any(protected.get(f) for f in PROTECTED_FIELDS[1:])
            or "duret_sms_consent_declared_date" in protected
        )
        if changing or extra_proof:
            SmsConsent(self).check_right(withdrawal=not consent and not extra_proof)
        if changing:
            stamped = SmsConsent(changing).stamp(vals)
            if consent:
                SmsConsent(changing).check_not_withdrawn()
            super(ResPartner, changing).write(stamped)
            SmsConsent(changing).record_events(
                bool(consent),
                stamped.get("duret_sms_consent_source"),
                stamped.get("duret_sms_consent_declared_date"),
            )
        unchanged = self - changing
        if unchanged:
            # The proof of an unchanged consent stays as recorded: only other fields, and a
            # declared date or source filled where none was, go through.
            rest = dict(others)
            if protected.get("duret_sms_consent_source"):
                todo = unchanged.filtered(
                    lambda p: p.duret_sms_consent and not p.duret_sms_consent_source
                )
                if todo:
                    super(ResPartner, todo).write(
                        {"duret_sms_consent_source": protected["duret_sms_consent_source"]}
                    )
            if "duret_sms_consent_declared_date" in protected:
                # What the customer declared may be corrected (tracked); not the stamps.
                todo = unchanged.filtered("duret_sms_consent")
                if todo:
                    super(ResPartner, todo).write(
                        {
                            "duret_sms_consent_declared_date": protected[
                                "duret_sms_consent_declared_date"
                            ]
                        }
                    )
            if rest:
                super(ResPartner, unchanged).write(rest)
        return True

    def _duret_sms_set_consent(self, consent, source, note=None, channel=None, author=None):
        """Record (or withdraw) commercial SMS consent with its source, as proof.

        ``source`` is a key of ``CONSENT_SOURCES``; ``note`` (optional) is added to the trace
        posted on each contact and to the consent history; ``channel`` (withdrawals): how the
        customer withdrew, a channel of the consent history (defaults to ``source``). The one
        path that may grant consent again after a withdrawal (the consent wizard's).
        ``author``: who the trace is signed by when not the current user (e.g. the customer on
        a public page, rather than Odoo's "Public user").
        """
        explicit = self.with_context(
            **{EXPLICIT_GRANT_KEY: EXPLICIT_GRANT},
            duret_sms_consent_channel=channel or source,
            duret_sms_consent_note=note or False,
        )
        changing = explicit.filtered(lambda p: bool(p.duret_sms_consent) != bool(consent))
        changing.write(
            {"duret_sms_consent": consent, "duret_sms_consent_source": source if consent else False}
        )
        # Unchanged contacts: a consent (or withdrawal) expressed again is still a fact.
        SmsConsent(explicit - changing).record_events(consent, source)
        sources = self._fields["duret_sms_consent_source"]._description_selection(self.env)
        label = dict(sources)[source]  # in the user's language
        body = (
            _("Commercial SMS consent given (%(origin)s).", origin=label)
            if consent
            else _("Commercial SMS consent withdrawn (%(origin)s).", origin=label)
        )
        if note:
            body = f"{body} {note}"
        signed = {"author_id": False, "email_from": author} if author else {}
        for partner in self:
            partner.message_post(body=body, subtype_xmlid="mail.mt_note", **signed)

    def _compute_duret_sms_reply_count(self):
        counts = dict(
            self.env["duret.sms.reply"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.duret_sms_reply_count = counts.get(partner, 0)

    def action_duret_sms_lift_optout(self):
        """Open the wizard that lifts this contact's SMS opt-out, asking why."""
        self.ensure_one()
        self._duret_check_lift_right()
        if self.duret_sms_optout_at_twilio:
            raise UserError(self._duret_twilio_optout_message())
        return {
            "type": "ir.actions.act_window",
            "name": _("Lift SMS Opt-out"),
            "res_model": "duret.sms.optout.lift.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def _duret_check_lift_right(self):
        """Lifting an opt-out overrides the customer's word: SMS officers only."""
        if not (self.env.su or self.env.user.has_group("duret_sms.duret_sms_group_officer")):
            raise AccessError(
                _("Only SMS officers can lift a contact's SMS opt-out, with the reason.")
            )

    def _duret_twilio_optout_message(self):
        self.ensure_one()
        sender = self.env.company.twilio_from_number or _("our number")
        return _(
            "%(name)s replied STOP by SMS: Twilio itself refuses every SMS to this number, "
            "whatever Odoo says. Only the customer can lift it, by texting START to "
            "%(sender)s; Odoo will then lift its own opt-out by itself.",
            name=self.display_name,
            sender=sender,
        )

    def action_view_duret_sms_replies(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("duret_sms.duret_sms_reply_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def _duret_is_staff(self):
        """One of the company's own people: an internal user's contact, or flagged staff."""
        self.ensure_one()
        # Reading users (archived included) and the officers' flag is not every employee's
        # right; only a yes/no leaves.
        partner_sudo = self.sudo().with_context(active_test=False)
        return partner_sudo.duret_sms_staff or any(not user.share for user in partner_sudo.user_ids)

    # ------------------------------------------------------------------
    # Numbers (services/partner_numbers.py)
    # ------------------------------------------------------------------

    @api.model
    def _duret_find_by_number(self, number, company):
        """Return the active contacts of ``company`` or shared ones whose mobile or phone is
        ``number`` (E.164); see ``PartnerNumbers.find_by_number``."""
        return PartnerNumbers(self.env).find_by_number(self, number, company)

    def _duret_last_sms_recipient(self):
        """Among these contacts, the one who was last sent an SMS, or nothing if it is a tie."""
        return PartnerNumbers(self.env).last_sms_recipient(self)

    def _duret_sms_mobile(self, company=None):
        """Return this contact's mobile in E.164, or None (see ``PartnerNumbers.sms_mobile``)."""
        return PartnerNumbers(self.env).sms_mobile(self, company)

    def _duret_urgent_number(self, company=None):
        """The Urgent SMS Mobile an officer registered for this contact, in E.164, or None."""
        return PartnerNumbers(self.env).urgent_number(self, company)

    @api.model
    def _duret_number_holders(self, number):
        """Every contact (all companies, archived included) whose mobile or phone is
        ``number`` (E.164), as superuser: used to refuse staff alerts to customers' numbers."""
        return PartnerNumbers(self.env).number_holders(self, number)
