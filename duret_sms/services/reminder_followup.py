"""What becomes of a reminder after it left: its SMS failed, or its appointment moved or went."""

from markupsafe import Markup

from odoo import _, fields


class ReminderFollowup:
    """Follow-up of the customer reminders of ``calendar.attendee``.

    A failed reminder SMS is replaced by an email, else by a call the office is asked to make;
    a moved appointment is reminded again, saying so; a reminder still waiting for an
    appointment moved, cancelled or deleted never leaves.
    """

    def __init__(self, env):
        self.env = env

    # ------------------------------------------------------------------
    # Failed reminder: email, else the office
    # ------------------------------------------------------------------

    def follow_up_failed(self, sms):
        """Follow up the reminders among ``sms`` that failed and were not followed up yet."""
        # Refused or undelivered, or stopped because the number opted out meanwhile; not the
        # reminders cancelled on purpose (appointment moved or cancelled).
        failed = sms.filtered(
            lambda s: (
                s.state == "error" or (s.state == "canceled" and s.failure_type == "sms_blacklist")
            )
        )
        if failed:
            attendees = self.env["calendar.attendee"].search(
                [
                    ("duret_reminder_sms_id", "in", failed.ids),
                    ("duret_reminder_fallback", "=", False),
                ]
            )
            self.follow_up(attendees)

    def follow_up(self, attendees):
        """The reminder SMS of ``attendees`` failed: email them, or give the office a to-do.

        Called as superuser from the queue or a delivery report. Nothing is done for an
        appointment that is over, archived or cancelled.
        """
        mail_template = self.env.ref("duret_sms.mail_template_appointment_reminder")
        for attendee in attendees.filtered(self._still_expected):
            sms = attendee.duret_reminder_sms_id
            # Twilio's reason in the language of the note (stored in English by the core).
            reason = sms.duret_failure_text or sms.duret_failure_reason or _("not delivered")
            if attendee.partner_id.email and mail_template._duret_safe_to_render():
                mail_template.send_mail(
                    attendee.id, email_layout_xmlid="mail.mail_notification_light"
                )
                attendee.duret_reminder_fallback = "email"
                note = _(
                    "The reminder SMS to %(customer)s failed (%(reason)s): the reminder was "
                    "sent by email instead.",
                    customer=attendee.partner_id.name,
                    reason=reason,
                )
            else:
                self._schedule_failed_activity(attendee, reason)
                attendee.duret_reminder_fallback = "activity"
                note = _(
                    "The reminder SMS to %(customer)s failed (%(reason)s) and they have no "
                    "email: an activity asks the office to call them.",
                    customer=attendee.partner_id.name,
                    reason=reason,
                )
            attendee.event_id.message_post(
                body=Markup("<p>%s</p>") % note, subtype_xmlid="mail.mt_note"
            )

    @staticmethod
    def _still_expected(attendee):
        """Whether the customer is still expected: appointment active, ahead, not cancelled."""
        event = attendee.event_id
        return (
            event.active
            and attendee.state != "declined"
            and attendee.duret_customer_answer != "cancelled"
            and event._duret_start_utc() > fields.Datetime.now()
        )

    def _schedule_failed_activity(self, attendee, reason):
        event = attendee.event_id
        local = event._duret_local_start()
        attendee._duret_activity_record().activity_schedule(
            "mail.mail_activity_data_call",
            user_id=event.user_id.id or self.env.ref("base.user_admin").id,
            summary=_("Reminder SMS not delivered: call the customer"),
            # An HTML field: names are escaped (a contact's name is not trusted markup).
            note=Markup("<p>%s</p>")
            % _(
                "The SMS reminding %(customer)s of %(event)s on %(date)s failed (%(reason)s), "
                "and they have no email. Call them at %(phone)s to remind them.",
                customer=attendee.partner_id.name,
                event=event.name,
                date=local.strftime("%d/%m/%Y %H:%M"),
                reason=reason,
                phone=attendee.partner_id.mobile or attendee.partner_id.phone or "?",
            ),
        )

    # ------------------------------------------------------------------
    # Moved or cancelled appointment
    # ------------------------------------------------------------------

    def reschedule(self, attendees):
        """The appointment of ``attendees`` moved after their reminders went: remind again,
        saying so.

        A reminder still waiting in the queue is cancelled (it has the old time); the new one
        goes at the usual time before the new date, or at once when that time has passed.
        """
        reminded = attendees.filtered(
            lambda a: (
                a.duret_reminder_state == "done"
                and a.duret_customer_answer != "cancelled"
                and a.state != "declined"
            )
        )
        if not reminded:
            return
        self.cancel_waiting(reminded, _("The appointment was moved."))
        for attendee in reminded:
            vals = {
                "duret_reminder_state": False,
                "duret_reminder_channel": False,
                "duret_reminder_sent_at": False,
                "duret_reminder_sms_id": False,
                "duret_reminder_fallback": False,
                "duret_reminder_moved": True,
            }
            if attendee.duret_customer_answer == "confirmed":
                # They confirmed the old time, not the new one.
                vals.update(duret_customer_answer="none", duret_answer_channel=False)
            attendee.write(vals)
        self.env["calendar.event"]._duret_trigger_reminder_cron()

    def cancel_waiting(self, attendees, why):
        """Cancel the reminder SMS of ``attendees`` that have not left yet (``why``: the
        reason shown on the SMS)."""
        waiting_sudo = attendees.sudo().duret_reminder_sms_id.filtered(
            lambda s: s.state == "outgoing"
        )
        if waiting_sudo:
            waiting_sudo._duret_set_canceled(False, _("Reminder not sent: %(why)s", why=why))
