"""What ``sms.sms.create`` decides on the server before an SMS exists: its category, its
company, and the opt-out mention of commercial SMS."""

from uuid import uuid4

from .sms_urgent import may_send_urgent


class SmsCreation:
    """``SmsCreation(env)``: prepares the values of new ``sms.sms`` records created in ``env``
    (its context carries the category and the urgent alert path)."""

    def __init__(self, env):
        self.env = env

    def prepare_vals(self, vals_list):
        """Return a copy of ``vals_list`` as ``sms.sms.create`` should write it.

        The category is decided on the server (*internal urgent* only for the company's own
        people at their Urgent SMS Mobile, from the code paths meant to send it; anything else
        becomes transactional), an SMS about a record gets that record's company, and
        commercial SMS of Twilio/Sandbox companies get their opt-out mention (CPCE L34-5).
        """
        prepared = []
        for vals in vals_list:
            vals = dict(vals)  # the caller's dicts may be shared between records
            category = vals.get("duret_category") or self.env.context.get("duret_sms_category")
            if category == "internal_urgent" and not may_send_urgent(
                self.env, vals.get("partner_id"), vals.get("number")
            ):
                vals["duret_category"] = category = "transactional"
            if not vals.get("company_id") and vals.get("mail_message_id"):
                # An SMS about a record goes through that record's company (as Odoo's own
                # sms_twilio does), not the sender's current one.
                message = self.env["mail.message"].browse(vals["mail_message_id"])
                if message.record_company_id:
                    vals["company_id"] = message.record_company_id.id
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if category == "commercial" and company._duret_sms_uses_own_provider():
                vals.setdefault("uuid", uuid4().hex)
                mention = self.env["sms.sms"]._duret_optout_mention(company, vals["uuid"])
                body = vals.get("body") or ""
                if mention.strip() not in body:
                    vals["body"] = body + mention
            prepared.append(vals)
        return prepared
