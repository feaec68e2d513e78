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
        reasons = self._duret_failure_reasons()
        for values in result:
            if values["id"] in reasons:
                values["duret_failure_reason"] = reasons[values["id"]]
        return result

    def _duret_failure_reasons(self):
        """Why each failed or cancelled SMS notification of ``self`` did not reach its
        recipient, in the reader's language: ``{notification id: text}``."""
        failed = self.filtered(
            lambda notif: (
                notif.notification_type == "sms"
                and notif.notification_status in ("exception", "bounce", "canceled")
            )
        )
        if not failed:
            return {}
        # sms.tracker and sms.sms are system models; only the reasons of these notifications
        # are read, for people who already see their status.
        trackers_sudo = (
            self.env["sms.tracker"].sudo().search([("mail_notification_id", "in", failed.ids)])
        )
        uuids = [uuid for uuid in trackers_sudo.mapped("sms_uuid") if uuid]
        sms_sudo = self.env["sms.sms"].sudo().search([("uuid", "in", uuids)])
        sms_by_uuid = {sms.uuid: sms for sms in sms_sudo}
        reasons = {}
        for tracker in trackers_sudo:
            sms = sms_by_uuid.get(tracker.sms_uuid)
            if sms:
                reasons[tracker.mail_notification_id.id] = (
                    sms.duret_failure_text or sms.duret_deferral_text
                )
        for notif in failed:
            if not reasons.get(notif.id) and notif.failure_reason:
                reasons[notif.id] = translate_reason(self.env, notif.failure_reason)
        return {key: text for key, text in reasons.items() if text}
