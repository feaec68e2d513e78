from odoo import _, models

from ..core import phone

LEFT_STATES = ("pending", "sent")
FAILED_STATES = ("error", "canceled")


class SmsSms(models.Model):
    """Tell the member of staff who sent an urgent SMS (urgent dispatch) when it has left.

    The dispatch wizard only queues the SMS: Twilio is called after the transaction commits
    (see ``_send``). The dispatcher, who may be on the phone with the customer, gets a
    notification in Odoo as soon as the SMS has left, or why it did not.
    """

    _inherit = "sms.sms"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        watched = self.filtered(
            lambda sms: (
                sms.duret_category == "internal_urgent" and sms.state in ("outgoing", "process")
            )
        )
        result = super().write(vals)
        if watched and vals["state"] in LEFT_STATES + FAILED_STATES:
            watched._duret_dispatch_notify()
        return result

    def _duret_dispatch_notify(self):
        """Send a notification to the (internal) user who created each of these SMS."""
        for sms in self:
            # create_uid may be the public user or the superuser (alerts sent by the web
            # page or a cron): only a person at their desk is told.
            user = sms.create_uid
            if not user.active or user.share:
                continue
            sms_lang = sms.with_context(lang=user.lang or "en_US")
            self.env["bus.bus"]._sendone(
                user.partner_id,
                "simple_notification",
                sms_lang._duret_dispatch_notification(),
            )

    def _duret_dispatch_notification(self):
        self.ensure_one()
        region = (self.env.company.country_id.code or "FR").upper()
        recipient = self.partner_id.name or phone.display(self.number, region)
        if self.state in LEFT_STATES:
            return {
                "type": "success",
                "title": _("Urgent SMS sent"),
                "message": _("The urgent SMS to %(recipient)s has left.", recipient=recipient),
            }
        return {
            "type": "danger",
            "sticky": True,
            "title": _("Urgent SMS not sent"),
            "message": _(
                "The urgent SMS to %(recipient)s was not sent: %(reason)s Call them instead.",
                recipient=recipient,
                reason=self.duret_failure_reason or _("unknown reason."),
            ),
        }
