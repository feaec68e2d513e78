"""What office staff can do from the SMS history: retry, cancel, send now.

None of them is a back door: a retried SMS or one sent now goes through the queue and the
compliance gate like any other (opt-out list, consent, sending hours, weekly caps).
"""

from odoo import _, fields
from odoo.exceptions import UserError

# Failures that sending the same text to the same number again may fix: a Twilio or carrier
# incident, the account or settings (fixed since), an expired or undelivered message (phone
# off). Not the number, the opt-out list, consent, caps or carrier filtering of the content.
RETRIABLE_FAILURE_TYPES = frozenset(
    {
        "unknown",
        "sms_server",
        "sms_acc",
        "sms_credit",
        "sms_country_not_supported",
        "sms_registration_needed",
        "sms_expired",
        "sms_not_delivered",
    }
)


class SmsStaffActions:
    """``SmsStaffActions(env)``: ``env`` is the member of staff's (rights checked on it)."""

    def __init__(self, env):
        self.env = env

    def retry(self, sms):
        """Send failed ``sms`` again, as a new SMS through the queue (the failed one stays in
        the history with its reason); the chatter notification follows the new SMS. Returns the
        new SMS's form action."""
        sms.ensure_one()
        self._check_officer(sms)
        if not sms.duret_can_retry:
            raise UserError(
                _(
                    "This SMS cannot be sent again: %(reason)s",
                    reason=sms.duret_failure_text
                    or dict(sms._fields["state"]._description_selection(self.env)).get(sms.state),
                )
            )
        if sms.duret_retry_ids:
            raise UserError(_("This SMS was already sent again."))
        # sms.sms is a system model that officers only read: the button is their one way to
        # queue this SMS again, and the queue's rules still apply to it.
        sms_sudo = sms.sudo()
        retry_sudo = sms_sudo.create(self._retry_vals(sms_sudo))
        # The notification shown on the message follows the SMS that is now on its way.
        tracker_sudo = sms_sudo.sms_tracker_id
        if tracker_sudo:
            tracker_sudo.sms_uuid = retry_sudo.uuid
            tracker_sudo._action_update_from_sms_state("outgoing")
        if sms.duret_is_reminder:
            # The appointment shows the state of the reminder on its way, not the failed one.
            attendees_sudo = (
                self.env["calendar.attendee"]
                .sudo()
                .search([("duret_reminder_sms_id", "=", sms.id)])
            )
            attendees_sudo.duret_reminder_sms_id = retry_sudo
        retry_sudo._send()
        sms_sudo.mail_message_id._notify_message_notification_update()
        return retry_sudo._duret_form_action()

    def _retry_vals(self, sms):
        sms.ensure_one()
        return {
            "number": sms.number,
            "body": sms.body,
            "partner_id": sms.partner_id.id,
            "mail_message_id": sms.mail_message_id.id,
            "company_id": sms.company_id.id,
            "duret_category": sms.duret_category,
            "duret_optout_ack": sms.duret_optout_ack,
            "duret_is_reminder": sms.duret_is_reminder,
            "duret_retry_of_id": sms.id,
        }

    def cancel(self, smss):
        """Cancel those of ``smss`` still waiting in the queue (queued or deferred)."""
        self._check_officer(smss)
        waiting = smss.filtered(lambda sms: sms.state == "outgoing")
        if not waiting:
            raise UserError(_("Only SMS waiting in the queue can be cancelled."))
        # Officers read the history only; cancelling a waiting SMS is what this button allows.
        waiting_sudo = waiting.sudo()
        waiting_sudo._duret_set_canceled(
            False, _("Cancelled by %(user)s before sending.", user=self.env.user.name)
        )
        waiting_sudo.write({"duret_not_before": False})
        waiting_sudo.mail_message_id._notify_message_notification_update()
        return True

    def send_now(self, sms):
        """Send deferred ``sms`` now if the sending rules allow it now; otherwise say why not.

        The rules are those of the queue (core compliance gate): opt-outs, consent, sending
        hours and weekly caps still apply. When they allow it the SMS loses its waiting time and
        the queue is woken up; when they do not, the SMS keeps (or gets) the rules' decision
        and the reason is shown. Returns a notification action.
        """
        sms.ensure_one()
        self._check_officer(sms)
        if sms.state != "outgoing":
            raise UserError(_("Only an SMS waiting in the queue can be sent now."))
        company = sms._duret_company()
        if not company._duret_sms_uses_own_provider():
            raise UserError(_("This company does not send SMS through Twilio or the Sandbox."))
        # Officers read the history only; the rules below decide, exactly as the queue would.
        sms_sudo = sms.sudo()
        allowed = sms_sudo._duret_apply_sending_rules(company, fields.Datetime.now())
        if allowed:
            sms_sudo.write({"duret_not_before": False, "duret_failure_reason": False})
            sms_sudo._duret_trigger_queue()
            return self._notify(
                _("The SMS is sent to Twilio within a minute."), "success", reload=True
            )
        # Deferred again, cancelled or failed by the rules: their reason is on the SMS.
        sms_sudo.invalidate_recordset()
        reason = sms_sudo.duret_deferral_text or sms_sudo.duret_failure_text or ""
        return self._notify(
            _("The SMS cannot be sent now. %(reason)s", reason=reason), "warning", reload=True
        )

    def _check_officer(self, smss):
        if not self.env.user.has_group("duret_sms.duret_sms_group_officer"):
            raise UserError(_("Only SMS officers can act on the SMS history."))
        smss.check_access_rule("read")

    def _notify(self, message, kind, reload=False):
        action = {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": kind != "success"},
        }
        if reload:
            action["params"]["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return action
