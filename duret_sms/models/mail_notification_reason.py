from odoo import _, fields, models
from odoo.tools.misc import format_datetime


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def _notification_format(self):
        """Add, for SMS the sending rules cancelled or deferred, why (in the reader's language),
        shown in the chatter's notification popover."""
        result = super()._notification_format()
        sms_notifications = self.filtered(
            lambda n: (
                n.notification_type == "sms"
                and n.notification_status in ("ready", "canceled", "exception", "bounce")
            )
        )
        if not sms_notifications:
            return result
        reasons = sms_notifications._duret_sms_reasons()
        for values in result:
            reason = reasons.get(values["id"])
            if reason:
                values.update(reason)
        return result

    def _duret_sms_reasons(self):
        """{notification id: {"duret_reason": text, "duret_deferred": bool}}."""
        # sms.sms has a system-only ACL; the author of the message reads why their SMS waits.
        sms_sudo = (
            self.env["sms.sms"]
            .sudo()
            .search([("id", "in", [n.sms_id_int for n in self if n.sms_id_int])])
        )
        by_id = {sms.id: sms for sms in sms_sudo}
        now = fields.Datetime.now()
        failure_labels = dict(self._fields["failure_type"]._description_selection(self.env))
        reasons = {}
        for notification in self:
            sms = by_id.get(notification.sms_id_int)
            if notification.notification_status == "ready":
                if (
                    sms
                    and sms.state == "outgoing"
                    and sms.duret_not_before
                    and (sms.duret_not_before > now)
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
            # The rules' own reason already says what happened: no label before it.
            detail = sms and sms._duret_reason_in_user_lang()
            label = "" if detail else failure_labels.get(notification.failure_type) or ""
            detail = (
                detail
                or (sms.duret_failure_reason if sms else "")
                or notification.failure_reason
                or ""
            )
            text = (
                _("%(label)s: %(detail)s", label=label, detail=detail)
                if label and detail
                else label or detail
            )
            if text:
                reasons[notification.id] = {"duret_deferred": False, "duret_reason": text}
        return reasons
