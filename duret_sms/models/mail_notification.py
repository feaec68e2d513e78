from odoo import _, fields, models
from odoo.tools.misc import format_datetime

from ..tools.twilio_texts import translate_reason

# The notification statuses of an SMS that did not reach its recipient, or not yet.
REASON_STATUSES = ("ready", "canceled", "exception", "bounce")


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
        """Add, for SMS deferred, cancelled or failed, why (in the reader's language) and
        whether they wait: ``duret_reason`` and ``duret_deferred``, shown by the popover of the
        message's SMS icon (static/src/mail/); Odoo itself shows only "Error" there."""
        result = super()._notification_format()
        reasons = self._duret_sms_reasons()
        for values in result:
            reason = reasons.get(values["id"])
            if reason:
                values.update(reason)
        return result

    def _duret_sms_reasons(self):
        """Why each SMS notification of ``self`` did not reach its recipient, or not yet, in the
        reader's language: ``{notification id: {"duret_reason": text, "duret_deferred": bool}}``.

        - Waiting ("ready") for the sending hours: when it will leave (``duret_deferred``).
        - Cancelled or failed: the sending rules' reason said again in the reader's language,
          else the SMS's own reason (Twilio's, translated), else the notification's, else the
          label of its failure type.
        Other notifications (sent, delivered, waiting for nothing) have no entry.
        """
        notifications = self.filtered(
            lambda n: n.notification_type == "sms" and n.notification_status in REASON_STATUSES
        )
        if not notifications:
            return {}
        sms_by_notification = notifications._duret_sms_by_notification()
        now = fields.Datetime.now()
        failure_labels = dict(self._fields["failure_type"]._description_selection(self.env))
        reasons = {}
        for notification in notifications:
            sms = sms_by_notification.get(notification.id)
            if notification.notification_status == "ready":
                if (
                    sms
                    and sms.state == "outgoing"
                    and sms.duret_not_before
                    and sms.duret_not_before > now
                ):
                    tz = sms._duret_company().duret_sms_tz or "Europe/Paris"
                    when = format_datetime(
                        self.env, sms.duret_not_before, tz=tz, dt_format="EEEE d MMMM HH:mm"
                    )
                    reasons[notification.id] = {
                        "duret_deferred": True,
                        "duret_reason": _("Deferred: it will leave %(when)s.", when=when),
                    }
                continue
            text = (
                (
                    sms
                    and (
                        sms._duret_reason_in_user_lang()
                        or sms.duret_failure_text
                        or sms.duret_deferral_text
                    )
                )
                or (
                    notification.failure_reason
                    and translate_reason(self.env, notification.failure_reason)
                )
                or failure_labels.get(notification.failure_type)
            )
            if text:
                reasons[notification.id] = {"duret_deferred": False, "duret_reason": text}
        return reasons

    def _duret_sms_by_notification(self):
        """``{notification id: sms.sms}``: the SMS of each notification, by its id, else by
        its tracker (an SMS the notification no longer points to)."""
        # sms.sms and sms.tracker have system-only ACLs; the SMS of these notifications only,
        # to say why they did not leave, to people who already see their status.
        sms_model_sudo = self.env["sms.sms"].sudo()
        by_id = {
            sms.id: sms
            for sms in sms_model_sudo.search([("id", "in", [n.sms_id_int for n in self])])
        }
        result = {n.id: by_id[n.sms_id_int] for n in self if n.sms_id_int in by_id}
        missing = self.filtered(lambda n: n.id not in result)
        if missing:
            trackers_sudo = (
                self.env["sms.tracker"].sudo().search([("mail_notification_id", "in", missing.ids)])
            )
            uuids = [uuid for uuid in trackers_sudo.mapped("sms_uuid") if uuid]
            by_uuid = {sms.uuid: sms for sms in sms_model_sudo.search([("uuid", "in", uuids)])}
            for tracker in trackers_sudo:
                if tracker.sms_uuid in by_uuid:
                    result[tracker.mail_notification_id.id] = by_uuid[tracker.sms_uuid]
        return result
