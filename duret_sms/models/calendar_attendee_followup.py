import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)

# A move smaller than this on the same day keeps the reminder already sent.
MOVE_TOLERANCE = timedelta(minutes=30)


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    duret_reminder_moved = fields.Boolean(
        "Appointment Moved",
        copy=False,
        readonly=True,
        help="The appointment was moved after its reminder went: the next reminder says so.",
    )
    duret_reminder_fallback = fields.Selection(
        [("email", "Email sent"), ("activity", "Office told")],
        "Reminder Fallback",
        copy=False,
        readonly=True,
        help="What was done when the reminder SMS could not be delivered.",
    )

    # ------------------------------------------------------------------
    # The reminder's text
    # ------------------------------------------------------------------

    def _duret_reminder_bodies(self, company=None):
        """{attendee id: reminder text}: "Votre RDV a été déplacé au ..." for moved ones."""
        templates = self.env["sms.template"]
        bodies = {}
        moved = self.filtered("duret_reminder_moved")
        # The company's choice of reminder text: one segment by default, or the fuller one.
        reminder = (company or self.env.company)._duret_sms_reminder_template()
        for attendees, xmlid in (
            (self - moved, reminder),
            (moved, "duret_sms.sms_template_appointment_moved"),
        ):
            if attendees:
                bodies.update(
                    templates._duret_render(
                        xmlid, attendees, lambda a: a._duret_reminder_fallback_text()
                    )
                )
        return bodies

    def _duret_reminder_fallback_text(self):
        """The reminder written in code, used when its template is missing or broken."""
        self.ensure_one()
        head = (
            f"{self.duret_rdv_company_name} : votre RDV a été déplacé au {self.duret_rdv_when}"
            if self.duret_reminder_moved
            else f"{self.duret_rdv_company_name} : rappel de votre RDV le {self.duret_rdv_when}"
        )
        return f"{head}. Confirmer ou annuler : {self.duret_rdv_url}"

    # ------------------------------------------------------------------
    # Failed reminder: email, else the office
    # ------------------------------------------------------------------

    @api.model
    def _duret_reminder_sms_changed(self, sms):
        result = super()._duret_reminder_sms_changed(sms)
        # Refused or undelivered, or stopped because the number opted out meanwhile; not the
        # reminders cancelled on purpose (appointment moved or cancelled).
        failed = sms.filtered(
            lambda s: (
                s.state == "error" or (s.state == "canceled" and s.failure_type == "sms_blacklist")
            )
        )
        if failed:
            attendees = self.sudo().search(
                [
                    ("duret_reminder_sms_id", "in", failed.ids),
                    ("duret_reminder_fallback", "=", False),
                ]
            )
            attendees._duret_reminder_follow_up()
        return result

    def _duret_still_expected(self):
        """Whether the customer is still expected: appointment active, ahead, not cancelled."""
        self.ensure_one()
        event = self.event_id
        return (
            event.active
            and self.state != "declined"
            and self.duret_customer_answer != "cancelled"
            and event._duret_start_utc() > fields.Datetime.now()
        )

    def _duret_reminder_follow_up(self):
        """The reminder SMS of these attendees failed: email them, or give the office a to-do.

        Called as superuser from the queue or a delivery report. Nothing is done for an
        appointment that is over, archived or cancelled.
        """
        mail_template = self.env.ref("duret_sms.mail_template_appointment_reminder")
        for attendee in self.filtered(lambda a: a._duret_still_expected()):
            sms = attendee.duret_reminder_sms_id
            # Twilio's reason in the language of the note (stored in English by the core).
            reason = sms.duret_failure_text or sms.duret_failure_reason or _("not delivered")
            if attendee.partner_id.email:
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
                attendee._duret_schedule_reminder_failed_activity(reason)
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

    def _duret_schedule_reminder_failed_activity(self, reason):
        self.ensure_one()
        event = self.event_id
        local = event._duret_local_start()
        self._duret_activity_record().activity_schedule(
            "mail.mail_activity_data_call",
            user_id=event.user_id.id or self.env.ref("base.user_admin").id,
            summary=_("Reminder SMS not delivered: call the customer"),
            # An HTML field: names are escaped (a contact's name is not trusted markup).
            note=Markup("<p>%s</p>")
            % _(
                "The SMS reminding %(customer)s of %(event)s on %(date)s failed (%(reason)s), "
                "and they have no email. Call them at %(phone)s to remind them.",
                customer=self.partner_id.name,
                event=event.name,
                date=local.strftime("%d/%m/%Y %H:%M"),
                reason=reason,
                phone=self.partner_id.mobile or self.partner_id.phone or "?",
            ),
        )

    # ------------------------------------------------------------------
    # Moved or cancelled appointment
    # ------------------------------------------------------------------

    def _duret_reminder_reschedule(self):
        """The appointment moved after these reminders went: remind again, saying so.

        A reminder still waiting in the queue is cancelled (it has the old time); the new one
        goes at the usual time before the new date, or at once when that time has passed.
        """
        reminded = self.filtered(
            lambda a: (
                a.duret_reminder_state == "done"
                and a.duret_customer_answer != "cancelled"
                and a.state != "declined"
            )
        )
        if not reminded:
            return
        reminded._duret_cancel_waiting_reminders(_("The appointment was moved."))
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

    def _duret_cancel_waiting_reminders(self, why):
        """Cancel the reminder SMS of these attendees that have not left yet."""
        waiting_sudo = self.sudo().duret_reminder_sms_id.filtered(lambda s: s.state == "outgoing")
        if waiting_sudo:
            waiting_sudo._duret_set_canceled(False, _("Reminder not sent: %(why)s", why=why))
