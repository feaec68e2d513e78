from odoo import _, models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _duret_apply_sending_rules(self, company, now):
        """Never hand over a dunning SMS whose invoice was paid or disputed since it was queued.

        The invoice may be paid while its SMS waits for the sending hours or the weekly limit:
        checked here, at the last moment before Twilio, it cannot go out after the payment.
        """
        stale = self.browse()
        dunning = self.filtered(
            lambda sms: (
                sms.duret_category == "dunning" and sms.mail_message_id.model == "account.move"
            )
        )
        for sms in dunning:
            move = self.env["account.move"].browse(sms.mail_message_id.res_id).exists()
            reason = move._duret_dunning_stop_reason() if move else _("the invoice was deleted")
            if reason:
                sms._duret_set_canceled(
                    False, _("Dunning SMS cancelled: %(reason)s.", reason=reason)
                )
                stale |= sms
        stale.mail_message_id._notify_message_notification_update()
        return super(SmsSms, self - stale)._duret_apply_sending_rules(company, now)
