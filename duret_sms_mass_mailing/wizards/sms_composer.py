from odoo import _, models


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    def _prepare_mass_sms_trace_values(self, record, sms_values):
        """Make every SMS of a marketing campaign *commercial*, and, for companies sending
        through Twilio or the Sandbox, exclude the recipients without recorded consent.

        The exclusion is written on the SMS and on its trace (``sms_no_consent``, with the
        reason), so the campaign's statistics show it instead of dropping anyone silently.
        Consent hours, weekly caps and the opt-out list are applied by duret_sms's gate when
        the queue hands the SMS over.
        """
        if not self.mailing_id:
            return super()._prepare_mass_sms_trace_values(record, sms_values)
        sms_values["duret_category"] = "commercial"
        company = self.env.company
        if not company._duret_sms_uses_own_provider():
            return super()._prepare_mass_sms_trace_values(record, sms_values)
        reason = False
        if sms_values["state"] == "outgoing":
            partner = self._duret_consenting_partner(sms_values, company)
            if partner:
                sms_values["partner_id"] = partner.id
            else:
                who = self.env["res.partner"].browse(sms_values.get("partner_id")).display_name
                reason = _(
                    "No consent to commercial SMS recorded for %(who)s: excluded from the "
                    "campaign.",
                    who=who or sms_values["number"],
                )
                sms_values.update(
                    state="canceled", failure_type="sms_no_consent", duret_failure_reason=reason
                )
        body = sms_values["body"]
        trace_values = super()._prepare_mass_sms_trace_values(record, sms_values)
        # duret_sms adds its own opt-out mention to every commercial SMS ("STOP au ..." or a
        # one-tap unsubscribe link): Odoo's link would be a second one, paid for.
        sms_values["body"] = body
        if reason:
            trace_values["failure_reason"] = reason
        return trace_values

    def _duret_body_may_run_code(self):
        """A campaign's text only reads fields, whoever wrote it: the mailing queue renders it
        as superuser, and Odoo does not keep who wrote the text (the queue itself writes the
        mailing last)."""
        return False if self.mailing_id else super()._duret_body_may_run_code()

    def _duret_consenting_partner(self, sms_values, company):
        """The contact whose consent covers this SMS, or an empty recordset.

        A recipient that is a contact decides for itself; other recipients (mailing list
        entries, leads) are covered by a contact with that number who consented.
        """
        partners = self.env["res.partner"]
        partner = partners.browse(sms_values.get("partner_id"))
        if partner:
            return partner if partner.duret_sms_consent else partners
        found = partners._duret_find_by_number(sms_values["number"], company)
        return found.filtered("duret_sms_consent")[:1]
