from markupsafe import Markup

from odoo import _, models


class MailingSmsTest(models.TransientModel):
    _inherit = "mailing.sms.test"

    def action_send_sms(self):
        """The Test button of an SMS campaign: for a company sending through Twilio or the
        Sandbox, never call Odoo's IAP (Odoo's wizard calls it directly).

        Each test SMS goes through duret_sms's queue as a *commercial* SMS, like the campaign
        itself: opt-out mention, consent of the contact with that number, opt-out list, weekly
        cap and sending hours apply. What happened is written on the mailing.
        """
        self.ensure_one()
        company = self.env.company
        if not company._duret_sms_uses_own_provider():
            return super().action_send_sms()
        numbers = [number.strip() for number in self.numbers.splitlines() if number.strip()]
        sanitized = [self.env.user._phone_format(number=number) for number in numbers]
        invalid = [number for clean, number in zip(sanitized, numbers, strict=True) if not clean]
        mailing = self.mailing_id
        body = mailing.body_plaintext
        record = self.env[mailing.mailing_model_real].search([], limit=1)
        if record:
            # As Odoo does: a template error in the campaign shows here, not at send time;
            # and as the campaign will be: placeholders only read fields.
            templates = self.env["sms.template"].with_context(duret_restricted_render=True)
            templates._duret_check_text(body, mailing.mailing_model_real)
            body = templates._render_template_inline_template(
                body, mailing.mailing_model_real, record.ids
            )[record.id]
        partners = self.env["res.partner"]
        vals_list = []
        for number in dict.fromkeys(number for number in sanitized if number):
            found = partners._duret_find_by_number(number, company)
            partner = found.filtered("duret_sms_consent")[:1] or found[:1]
            vals_list.append(
                {
                    "body": body,
                    "number": number,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "duret_category": "commercial",
                }
            )
        # sms.sms is a technical model (system ACL), as in Odoo's own Test button.
        sms_sudo = self.env["sms.sms"].sudo().create(vals_list)
        sms_sudo.send()
        lines = []
        if invalid:
            lines.append(
                _(
                    "These numbers are not valid phone numbers: %(numbers)s",
                    numbers=", ".join(invalid),
                )
            )
        lines.extend(
            _(
                "Test SMS to %(number)s queued as a commercial SMS: it needs the recipient's "
                "consent and leaves within the sending hours (see the SMS history).",
                number=sms.number,
            )
            for sms in sms_sudo
        )
        if lines:
            mailing._message_log(
                body=Markup("<ul>%s</ul>")
                % Markup("").join(Markup("<li>%s</li>") % line for line in lines)
            )
        return True
