from odoo import api, fields, models


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
