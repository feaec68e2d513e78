from odoo import fields, models

from ..tools.twilio_texts import translate_reason


class MailNotification(models.Model):
    _inherit = "mail.notification"

    # SMS refused before hand-over by the sending rules (opt-out list, opt-in, caps) show the
    # same reasons on the message as on the SMS itself.
    failure_type = fields.Selection(
        selection_add=[
            ("sms_blacklist", "Blacklisted"),
            ("sms_optout", "Opted Out"),
            ("sms_duplicate", "Duplicate"),
        ]
    )

    def _notification_format(self):
        """Add the failure reason of SMS notifications, in the reader's language, for the
        popover of the message's SMS icon (Odoo shows only "Error" there)."""
        result = super()._notification_format()
        failed = self.filtered(
            lambda notif: (
                notif.notification_type == "sms"
                and notif.notification_status in ("exception", "bounce", "canceled")
            )
        )
        if not failed:
            return result
        # sms.tracker and sms.sms are system models; only the reasons of these notifications
        # are read, for the author of the message who already sees their status.
        trackers_sudo = (
            self.env["sms.tracker"].sudo().search([("mail_notification_id", "in", failed.ids)])
        )
        sms_sudo = (
            self.env["sms.sms"]
            .sudo()
            .search([("uuid", "in", [uuid for uuid in trackers_sudo.mapped("sms_uuid") if uuid])])
        )
        sms_by_uuid = {sms.uuid: sms for sms in sms_sudo}
        reasons = {}
        for tracker in trackers_sudo:
            sms = sms_by_uuid.get(tracker.sms_uuid)
            if sms:
                reasons[tracker.mail_notification_id.id] = (
                    sms.duret_failure_text or sms.duret_deferral_text
                )
        for values in result:
            notif = self.browse(values["id"])
            if notif in failed:
                values["duret_failure_reason"] = reasons.get(notif.id) or translate_reason(
                    self.env, notif.failure_reason
                )
        return result
