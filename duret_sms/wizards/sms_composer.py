import re
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_amount, format_datetime
from odoo.tools.rendering_tools import parse_inline_template

from ..core import encoding, phone, windows
from ..models.sms_sms import CATEGORIES

# Internal urgent alerts skip the opt-out list and the sending hours: only the staff alert
# paths send them (see services/sms_urgent.py), never the composer.
COMPOSER_CATEGORIES = [(key, label) for key, label in CATEGORIES if key != "internal_urgent"]
# Names listed in a warning before "and N others".
MAX_NAMES = 3
# Replaceable characters offered one by one at a time (the next ones show once these are done).
GSM_CHOICES = 4


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    duret_category = fields.Selection(
        COMPOSER_CATEGORIES,
        "SMS Category",
        compute="_compute_duret_category",
        store=True,
        readonly=False,
    )
    duret_optout_mention = fields.Char(
        "Opt-out Mention",
        compute="_compute_duret_estimate",
        help="Added at the end of commercial SMS, as French rules require.",
    )
    duret_estimate = fields.Char("Length", compute="_compute_duret_estimate")
    duret_ucs2_hint = fields.Char("Special Characters", compute="_compute_duret_estimate")
    duret_gsm_fixable = fields.Boolean("Replaceable Characters", compute="_compute_duret_estimate")
    # One line per replaceable character (the first GSM_CHOICES ones), each with its own
    # Replace button: staff pick, knowing what each costs; a letter is never changed unasked.
    duret_gsm_choice_1 = fields.Char("Character 1", compute="_compute_duret_estimate")
    duret_gsm_choice_2 = fields.Char("Character 2", compute="_compute_duret_estimate")
    duret_gsm_choice_3 = fields.Char("Character 3", compute="_compute_duret_estimate")
    duret_gsm_choice_4 = fields.Char("Character 4", compute="_compute_duret_estimate")
    duret_warnings = fields.Html(
        "Before Sending", compute="_compute_duret_warnings", sanitize=False
    )
    duret_send_blocked = fields.Boolean(
        "Nothing Will Be Sent",
        compute="_compute_duret_warnings",
        help="The sending rules stop every recipient (opt-out list, no consent to commercial "
        "SMS): Send is disabled.",
    )

    @api.depends("template_id")
    def _compute_duret_category(self):
        for composer in self:
            category = (
                composer.template_id.duret_category
                or self.env.context.get("duret_sms_category")
                or composer.duret_category
            )
            composer.duret_category = (
                category if category in dict(COMPOSER_CATEGORIES) else "transactional"
            )

    @api.constrains("duret_category", "template_id")
    def _check_duret_category(self):
        # A commercial template's SMS need consent and carry the opt-out mention (CPCE
        # L34-5): sending its text as a service SMS would skip both.
        for composer in self:
            if (
                composer.template_id.duret_category == "commercial"
                and composer.duret_category != "commercial"
            ):
                raise ValidationError(
                    _(
                        "The template %(template)s is commercial: its SMS stay commercial "
                        "(consent and opt-out mention).",
                        template=composer.template_id.name,
                    )
                )

    @api.depends("body", "duret_category", "composition_mode", "res_ids", "res_id", "numbers")
    def _compute_duret_estimate(self):
        company = self.env.company
        for composer in self:
            segment_price = self.env["sms.sms"]._duret_segment_price(
                company, composer._duret_sample_number()
            )
            mention = ""
            if composer.duret_category == "commercial" and company._duret_sms_uses_own_provider():
                # Each SMS gets its own 32-character token: count one, show a placeholder.
                mention = self.env["sms.sms"]._duret_optout_mention(company, "0" * 32)
            composer.duret_optout_mention = mention.replace("0" * 32, "<token>").strip()
            composer.duret_estimate = composer._duret_counter_text(
                encoding.analyze((composer.body or "") + mention), segment_price, bool(mention)
            )
            non_gsm = encoding.analyze(composer.body or "").non_gsm
            fixable = composer._duret_gsm_choices()
            composer.duret_gsm_fixable = bool(fixable)
            lines = [composer._duret_gsm_choice_text(c, mention) for c in fixable[:GSM_CHOICES]]
            lines += [False] * (GSM_CHOICES - len(lines))
            (
                composer.duret_gsm_choice_1,
                composer.duret_gsm_choice_2,
                composer.duret_gsm_choice_3,
                composer.duret_gsm_choice_4,
            ) = lines
            composer.duret_ucs2_hint = (
                _(
                    "These characters make the SMS Unicode (fewer characters per SMS): %(chars)s",
                    chars=", ".join(
                        f"« {c} » → « {encoding.gsm_equivalent(c)} »"
                        if encoding.gsm_equivalent(c)
                        else f"« {c} »"
                        for c in non_gsm
                    ),
                )
                if non_gsm
                else False
            )

    def _duret_gsm_choices(self):
        """The characters of the text that force Unicode and have a GSM-7 equivalent, in the
        order they first appear."""
        self.ensure_one()
        non_gsm = encoding.analyze(self.body or "").non_gsm
        return [c for c in non_gsm if encoding.gsm_equivalent(c)]

    def _duret_gsm_choice_text(self, char, mention):
        """One replaceable character: what it becomes, where, and what replacing it alone
        costs in SMS (it saves nothing while other special characters remain)."""
        self.ensure_one()
        body = self.body or ""
        before = encoding.analyze(body + mention).segments
        after = encoding.analyze(encoding.replace_char(body, char) + mention).segments
        values = {
            "char": char,
            "gsm": encoding.gsm_equivalent(char),
            "count": body.count(char),
            "before": before,
            "after": after,
        }
        if char.isalpha():
            word = re.search(rf"\w*{re.escape(char)}\w*", body)
            return _(
                "« %(char)s » → « %(gsm)s » changes the spelling (“%(word)s” becomes "
                "“%(plain)s”, %(count)s×): %(before)s SMS → %(after)s SMS",
                word=word.group(0),
                plain=encoding.replace_char(word.group(0), char),
                **values,
            )
        return _(
            "« %(char)s » → « %(gsm)s » (%(count)s×): %(before)s SMS → %(after)s SMS", **values
        )

    def _duret_counter_text(self, analysis, segment_price, with_mention):
        """The one length counter: characters, SMS count, encoding and estimated cost."""
        self.ensure_one()
        count = self._duret_recipient_count()
        text = _(
            "%(chars)s characters, %(segments)s SMS (%(encoding)s)",
            chars=len(analysis.text),
            segments=analysis.segments,
            encoding=_("Unicode") if analysis.encoding == encoding.UCS2 else _("standard"),
        )
        if segment_price:
            amount, currency = segment_price
            total = amount * analysis.segments * max(count, 1)
            cost = format_amount(self.env, total, currency)
            text += " · " + (
                _("about %(cost)s for %(count)s recipients", cost=cost, count=count)
                if count > 1
                else _("about %(cost)s", cost=cost)
            )
        if with_mention:
            text += " · " + _("opt-out mention included")
        return text

    def _duret_sample_number(self):
        """One recipient's E.164 number, for the price of its destination; None if unknown
        (the estimate then assumes the company's country)."""
        self.ensure_one()
        if self.composition_mode == "numbers":
            raw = next((n.strip() for n in (self.numbers or "").split(",") if n.strip()), "")
        else:
            raw = self.recipient_single_number_itf or self.recipient_single_number or ""
        return self._phone_format(number=raw) if raw else None

    def _duret_recipient_count(self):
        self.ensure_one()
        if self.composition_mode == "numbers":
            return len([n for n in (self.numbers or "").split(",") if n.strip()])
        if self.composition_mode == "mass":
            return self.res_ids_count or 1
        return 1

    @api.depends(
        "duret_category",
        "composition_mode",
        "res_model",
        "res_id",
        "res_ids",
        "numbers",
        "recipient_single_number_itf",
    )
    def _compute_duret_warnings(self):
        for composer in self:
            warnings, blocked = composer._duret_preview()
            composer.duret_warnings = (
                Markup("").join(Markup("<div>%s</div>") % w for w in warnings)
                if warnings
                else False
            )
            composer.duret_send_blocked = blocked

    # ------------------------------------------------------------------
    # Preview of the compliance gate
    # ------------------------------------------------------------------

    def _duret_preview_recipients(self):
        """[(contact or empty recordset, E.164 number or None)] this composer would text."""
        self.ensure_one()
        partners = self.env["res.partner"]
        region = (self.env.company.country_id.code or "FR").upper()
        if self.composition_mode == "numbers":
            numbers = [n.strip() for n in (self.numbers or "").split(",") if n.strip()]
            return [(partners, phone.try_normalize(n, region=region)) for n in numbers]
        records = self._get_records() if self.res_model else None
        if not records or not hasattr(records, "_sms_get_recipients_info"):
            return []
        info = records._sms_get_recipients_info(
            force_field=self.number_field_name,
            partner_fallback=not self.comment_single_recipient,
        )
        result = []
        for record in records:
            values = info[record.id]
            number = values["sanitized"]
            if self.comment_single_recipient and self.recipient_single_number_itf:
                number = phone.try_normalize(self.recipient_single_number_itf, region=region)
            partner = values["partner"] or (record if record._name == "res.partner" else partners)
            result.append((partner, number))
        return result

    def _duret_preview_gate(self):
        """What the compliance gate will do with this SMS, said before sending.

        Returns a list of plain-text warnings (opt-out list, missing consent, sending hours),
        in the user's language; empty when nothing stops or delays the SMS. Only Twilio and
        Sandbox companies have the gate.
        """
        return self._duret_preview()[0]

    def _duret_preview(self):
        """``(warnings, blocked)``: the warnings of ``_duret_preview_gate`` and whether the
        rules stop every recipient who has a number (nothing would leave)."""
        self.ensure_one()
        company = self.env.company
        if not company._duret_sms_uses_own_provider():
            return [], False
        category = self.duret_category or "transactional"
        recipients = self._duret_preview_recipients()
        numbers = [n for _p, n in recipients if n]
        # phone.blacklist has a system-only ACL: only these numbers are looked up.
        blacklist_sudo = self.env["phone.blacklist"].sudo()
        opted_out = (
            set(blacklist_sudo.search([("number", "in", numbers)]).mapped("number"))
            if numbers and category != "internal_urgent"
            else set()
        )
        single = len(recipients) == 1
        warnings = []
        blocked = [p.display_name or n for p, n in recipients if n in opted_out]
        if blocked:
            warnings.append(
                _("This contact asked to receive no more SMS: it will not be sent.")
                if single
                else _(
                    "%(count)s recipients asked to receive no more SMS and will be skipped: "
                    "%(names)s",
                    count=len(blocked),
                    names=self._duret_names(blocked),
                )
            )
        missing = []
        if category == "commercial":
            missing = [
                p.display_name or n
                for p, n in recipients
                if n and n not in opted_out and not p.duret_sms_consent
            ]
            if missing:
                warnings.append(
                    _(
                        "No consent to commercial SMS recorded for this contact: it will not "
                        "be sent."
                    )
                    if single
                    else _(
                        "No consent to commercial SMS recorded for %(count)s recipients, who "
                        "will be skipped: %(names)s",
                        count=len(missing),
                        names=self._duret_names(missing),
                    )
                )
        now = fields.Datetime.now()
        policy = company._duret_sms_policy(category)
        if not windows.is_allowed(now, policy):
            when = windows.next_allowed(now, policy)
            warnings.append(
                _(
                    "Outside sending hours: it will leave %(when)s.",
                    when=self._duret_format_when(when, company),
                )
            )
        stopped = len(blocked) + len(missing)
        return warnings, bool(numbers) and stopped >= len(numbers)

    @api.model
    def _duret_names(self, names):
        shown = ", ".join(names[:MAX_NAMES])
        if len(names) > MAX_NAMES:
            shown = _("%(names)s and %(count)s others", names=shown, count=len(names) - MAX_NAMES)
        return shown

    def _duret_format_when(self, when, company):
        """ "lundi 08:00" within the week, "lundi 4 janvier 08:00" beyond, in the user's
        language and the company's time zone."""
        tz = company.duret_sms_tz or "Europe/Paris"
        pattern = (
            "EEEE HH:mm"
            if when - fields.Datetime.now() < timedelta(days=6)
            else ("EEEE d MMMM HH:mm")
        )
        return format_datetime(self.env, when, tz=tz, dt_format=pattern)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_duret_gsm_replace(self):
        """Replace the one character staff picked (context ``duret_gsm_pick``: its line, from
        1) by its GSM-7 equivalent, and reopen. Nothing else changes."""
        self.ensure_one()
        pick = self.env.context.get("duret_gsm_pick")
        choices = self._duret_gsm_choices()
        if not isinstance(pick, int) or not 1 <= pick <= min(len(choices), GSM_CHOICES):
            raise UserError(_("Pick the character to replace."))
        self.body = encoding.replace_char(self.body or "", choices[pick - 1])
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Send SMS Text Message"),
            "context": self.env.context,
        }

    # ------------------------------------------------------------------
    # The text typed in the composer is a template too (mass mode renders it per recipient)
    # ------------------------------------------------------------------

    def _prepare_body_values(self, records):
        """Odoo renders a typed text with ``safe_eval`` and the whole ORM for every member of
        "Mail Template Editor" (all employees unless *Restrict Template Rendering* is on):
        ``{{ object.env.company.sudo().twilio_auth_token }}`` would put the Auth Token in an
        SMS. A text written by someone who is not an administrator may only read fields."""
        if self._duret_body_may_run_code() or (
            self.template_id and self.body == self.template_id.body
        ):
            # A template's own text follows the template's rules (restricted once staff
            # edited it, see sms.template).
            return super()._prepare_body_values(records)
        if not self.env.user.has_group("mail.group_mail_template_editor") and any(
            code for _text, code in parse_inline_template(self.body or "")
        ):
            # Odoo's own rule first (Restrict Template Rendering): no placeholder at all.
            raise AccessError(
                _(
                    'Only users belonging to the "%(group_name)s" group can modify dynamic '
                    "templates.",
                    group_name=self.env.ref("mail.group_mail_template_editor").name,
                )
            )
        templates = self.env["sms.template"].with_context(duret_restricted_render=True)
        templates._duret_check_text(self.body, records._name)
        return templates._render_template_inline_template(self.body, records._name, records.ids)

    def _duret_body_may_run_code(self):
        """Whether the typed text was written by an administrator (or by the system)."""
        return not self.env["sms.template"]._duret_is_staff_edit()

    def action_send_sms(self):
        self._check_duret_category()
        return super(
            SmsComposer,
            self.with_context(duret_sms_category=self.duret_category or "transactional"),
        ).action_send_sms()

    def action_send_sms_mass_now(self):
        self._check_duret_category()
        return super(
            SmsComposer,
            self.with_context(duret_sms_category=self.duret_category or "transactional"),
        ).action_send_sms_mass_now()
