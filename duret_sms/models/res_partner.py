from odoo import _, api, fields, models

from ..core import phone

CONSENT_SOURCES = [
    ("staff", "Recorded by staff"),
    ("web", "Web form"),
    ("sms", "SMS reply"),
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
    duret_sms_consent_date = fields.Datetime("Consent Given On", copy=False, readonly=True)
    duret_sms_consent_source = fields.Selection(
        CONSENT_SOURCES, "Consent Source", copy=False, readonly=True
    )
    duret_sms_reply_count = fields.Integer(
        "SMS Replies",
        compute="_compute_duret_sms_reply_count",
        groups="duret_sms.duret_sms_group_officer",
    )

    def write(self, vals):
        if "duret_sms_consent" in vals and "duret_sms_consent_source" not in vals:
            vals = dict(
                vals,
                duret_sms_consent_date=fields.Datetime.now()
                if vals["duret_sms_consent"]
                else False,
                duret_sms_consent_source="staff" if vals["duret_sms_consent"] else False,
            )
        return super().write(vals)

    def _duret_sms_set_consent(self, consent, source):
        """Record (or withdraw) commercial SMS consent with its source, as proof."""
        self.write(
            {
                "duret_sms_consent": consent,
                "duret_sms_consent_date": fields.Datetime.now() if consent else False,
                "duret_sms_consent_source": source if consent else False,
            }
        )
        sources = self._fields["duret_sms_consent_source"]._description_selection(self.env)
        label = dict(sources)[source]  # in the user's language
        for partner in self:
            partner.message_post(
                body=_("Commercial SMS consent given (%(origin)s).", origin=label)
                if consent
                else _("Commercial SMS consent withdrawn (%(origin)s).", origin=label),
                subtype_xmlid="mail.mt_note",
            )

    def _compute_duret_sms_reply_count(self):
        counts = dict(
            self.env["duret.sms.reply"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.duret_sms_reply_count = counts.get(partner, 0)

    def action_view_duret_sms_replies(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("duret_sms.duret_sms_reply_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    @api.model
    def _duret_find_by_number(self, number, company):
        """Return the active contacts of ``company`` or shared ones whose mobile or phone is it.

        ``number`` is in E.164. The stored ``phone_sanitized`` only holds the first valid of
        mobile and phone, so candidates are searched on both fields by their last digits, then
        each number is normalised (with the contact's own country) and compared exactly.
        """
        if not number or not number.startswith("+") or len(number) < 8:
            return self.browse()
        tail = number[-8:]
        candidates = self.search(
            [
                "|",
                ("company_id", "=", False),
                ("company_id", "=", company.id),
                "|",
                ("phone_sanitized", "=", number),
                ("phone_mobile_search", "like", tail),
            ]
        )
        default_region = (company.country_id.code or "FR").upper()

        def matches(partner):
            region = (partner.country_id.code or default_region).upper()
            return partner.phone_sanitized == number or any(
                phone.try_normalize(value, region=region) == number
                for value in (partner.mobile, partner.phone)
                if value
            )

        return candidates.filtered(matches)

    def _duret_last_sms_recipient(self):
        """Among these contacts, the one who was last sent an SMS, or nothing if it is a tie."""
        sms_sudo = self.env["sms.sms"].sudo()  # technical model (system ACL): dates only
        latest = {}
        for partner in self:
            sms = sms_sudo.search(
                [
                    ("partner_id", "=", partner.id),
                    ("state", "in", ("process", "pending", "sent")),
                ],
                order="duret_handover_at desc nulls last, id desc",
                limit=1,
            )
            if sms:
                latest[partner] = (sms.duret_handover_at or sms.create_date, sms.id)
        if not latest:
            return self.browse()
        best = max(latest.values())
        winners = [partner for partner, key in latest.items() if key[0] == best[0]]
        return winners[0] if len(winners) == 1 else self.browse()

    def _duret_sms_mobile(self, company=None):
        """Return this contact's mobile in E.164 (its Mobile, else its Phone if that is a
        mobile), or None: SMS to a landline fail (Twilio error 21614).

        Numbers without a country code are read in the contact's country, else the company's
        (``company`` or the current one), else France.
        """
        self.ensure_one()
        company = company or self.env.company
        region = (self.country_id.code or company.country_id.code or "FR").upper()
        for raw in (self.mobile, self.phone):
            if raw and phone.is_mobile(raw, region):
                return phone.normalize(raw, region)
        return None
