from odoo import api, fields, models

# From the strictest: SMS sent again keep the strictest category among the originals.
CATEGORY_ORDER = ("commercial", "dunning", "transactional")


class SmsResendRecipient(models.TransientModel):
    _inherit = "sms.resend.recipient"

    duret_failure_reason = fields.Char("Details", compute="_compute_duret_failure_reason")

    @api.depends("notification_id")
    @api.depends_context("lang")
    def _compute_duret_failure_reason(self):
        reasons = self.notification_id._duret_sms_reasons()
        for recipient in self:
            reason = reasons.get(recipient.notification_id.id)
            recipient.duret_failure_reason = reason["duret_reason"] if reason else False


class SmsResend(models.TransientModel):
    _inherit = "sms.resend"

    def action_resend(self):
        """Send again with the category of the original SMS: a commercial SMS that failed is
        sent again as commercial (consent, opt-out mention), never as a service SMS."""
        category = self._duret_original_category()
        return super(SmsResend, self.with_context(duret_sms_category=category)).action_resend()

    def _duret_original_category(self):
        self.ensure_one()
        # sms.sms is a technical model (system ACL): the categories of this message's SMS only.
        sms_sudo = self.env["sms.sms"].sudo()
        ids = [n.sms_id_int for n in self.recipient_ids.notification_id.sudo() if n.sms_id_int]
        originals = sms_sudo.browse(ids).exists() or sms_sudo.search(
            [("mail_message_id", "=", self.mail_message_id.id)]
        )
        categories = set(originals.mapped("duret_category"))
        return next((c for c in CATEGORY_ORDER if c in categories), "transactional")
