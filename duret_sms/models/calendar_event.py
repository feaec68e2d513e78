"""Appointments as the SMS side sees them: reminder status, customer answer, visit, urgency.

The reminders themselves are sent by ``..services.reminders``; a moved, archived or deleted
appointment updates its reminders through ``..services.reminder_followup``.
"""

from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import windows
from ..services.appointment_text import to_local
from ..services.en_route import EnRoute
from ..services.reminder_followup import ReminderFollowup
from ..services.reminders import AppointmentReminders
from ..services.visit_messages import VisitMessages
from .calendar_attendee import ANSWERS, ATTENDANCE, REMINDER_STATUSES

# When several customers attend, the event shows the status that needs attention first.
STATUS_PRIORITY = ("failed", "skipped", "scheduled", "sent", "email", "delivered")
# All-day events are stored as naive 08:00 (calendar's convention): read as company-local 08:00.
ALLDAY_START = time(8)
# A move smaller than this on the same day keeps the reminder already sent.
MOVE_TOLERANCE = timedelta(minutes=30)


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    duret_reminder_status = fields.Selection(
        REMINDER_STATUSES,
        "SMS Reminder",
        compute="_compute_duret_reminder_status",
        store=True,
        help="The SMS reminder sent to the customers the evening before.",
    )
    duret_reminder_issue = fields.Text("Reminder Problem", compute="_compute_duret_reminder_issue")
    duret_customer_answer = fields.Selection(
        ANSWERS,
        "Customer Answer",
        compute="_compute_duret_customer_answer",
        store=True,
        help="What the customer answered from the reminder's link or by SMS.",
    )
    duret_attendance = fields.Selection(
        ATTENDANCE,
        "Visit",
        compute="_compute_duret_attendance",
        store=True,
        help="Customer absent as soon as one customer was; done when the customers were there.",
    )
    duret_attendance_open = fields.Boolean(
        compute="_compute_duret_attendance_open",
        help="The appointment has started and has customers who did not cancel: their visit can "
        "be recorded.",
    )
    duret_is_urgent = fields.Boolean(
        "Urgent Intervention",
        readonly=True,
        copy=False,
        help="Booked by the urgent dispatch for right now: the technician got the urgent SMS, "
        "there is no reminder the day before.",
    )
    duret_en_route_at = fields.Datetime(
        "En Route SMS On", readonly=True, copy=False, help="When the customer was last told."
    )
    duret_en_route_eta = fields.Datetime("Announced Arrival", readonly=True, copy=False)
    duret_reschedule_count = fields.Integer(
        "Moves by the Customer",
        readonly=True,
        copy=False,
        help="How many times the customer moved this visit from the reminder's link.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("attendee_ids.duret_reminder_status", "duret_is_urgent")
    def _compute_duret_reminder_status(self):
        for event in self:
            statuses = set(event.attendee_ids.mapped("duret_reminder_status"))
            event.duret_reminder_status = next(
                (status for status in STATUS_PRIORITY if status in statuses), False
            )
        # An urgent intervention has no reminder the day before.
        for event in self.filtered("duret_is_urgent"):
            event.duret_reminder_status = False

    @api.depends("duret_reminder_status", "attendee_ids.duret_reminder_note")
    @api.depends_context("lang")
    def _compute_duret_reminder_issue(self):
        for event in self:
            problems = event.attendee_ids.filtered(
                lambda a: a.duret_reminder_status in ("failed", "skipped") and a.duret_reminder_note
            )
            event.duret_reminder_issue = (
                "\n".join(
                    f"{attendee.partner_id.display_name}: {attendee.duret_reminder_note}"
                    for attendee in problems
                )
                or False
            )

    @api.depends("attendee_ids.duret_customer_answer")
    def _compute_duret_customer_answer(self):
        for event in self:
            answers = set(event.attendee_ids.mapped("duret_customer_answer"))
            event.duret_customer_answer = next(
                (a for a in ("cancelled", "confirmed") if a in answers), "none"
            )

    @api.depends("attendee_ids.duret_attendance")
    def _compute_duret_attendance(self):
        for event in self:
            recorded = set(event.attendee_ids.mapped("duret_attendance"))
            event.duret_attendance = next((a for a in ("absent", "done") if a in recorded), False)

    @api.depends("start", "allday", "active", "attendee_ids.state")
    def _compute_duret_attendance_open(self):
        now = fields.Datetime.now()
        for event in self:
            event.duret_attendance_open = bool(
                event.id
                and event.active
                and event.start
                and event._duret_start_utc() <= now
                and any(a.duret_is_customer and a.state != "declined" for a in event.attendee_ids)
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        moving = {"start", "stop", "start_date", "allday"} & set(vals)
        before = {}
        if moving:
            before = {
                event.id: (event._duret_start_utc(), event._duret_local_start().date())
                for event in self
                if event.start
            }
        result = super().write(vals)
        followup = ReminderFollowup(self.env)
        if moving:
            for event in self.filtered(lambda e: e.id in before and e.active):
                old_utc, old_day = before[event.id]
                new_utc, new_day = event._duret_start_utc(), event._duret_local_start().date()
                if new_day != old_day or abs(new_utc - old_utc) > MOVE_TOLERANCE:
                    followup.reschedule(event.attendee_ids)
        if vals.get("active") is False:
            followup.cancel_waiting(self.attendee_ids, _("The appointment was cancelled."))
        return result

    def unlink(self):
        ReminderFollowup(self.env).cancel_waiting(
            self.attendee_ids, _("The appointment was deleted.")
        )
        return super().unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_duret_send_reminder(self):
        """Send the reminder to the customers not reminded yet (or whose SMS failed).

        Goes at once when the sending hours allow it; otherwise the SMS waits in the queue
        for the next opening, and the notification says when.
        """
        if self.filtered("duret_is_urgent"):
            raise UserError(
                _("An urgent intervention has no reminder: the technician was sent the SMS.")
            )
        self.ensure_one()
        return AppointmentReminders(self.env).send_now(self)

    def action_duret_mark_done(self):
        return self._duret_customer_attendees()._duret_set_attendance("done")

    def action_duret_mark_absent(self):
        return self._duret_customer_attendees()._duret_set_attendance("absent")

    def action_duret_en_route(self, eta_minutes=None, latitude=None, longitude=None):
        """The *En route* button: ``_duret_send_en_route`` with the phone's position when the
        browser gave it; the arrival time goes back as a string (JSON)."""
        self.ensure_one()
        # Who may change the appointment may tell its customer (the SMS itself is created as
        # superuser: sms.sms is a technical model).
        self.check_access_rights("write")
        self.check_access_rule("write")
        position = (float(latitude), float(longitude)) if latitude and longitude else None
        result = self._duret_send_en_route(eta_minutes=eta_minutes, position=position)
        return dict(result, eta=fields.Datetime.to_string(result["eta"]) or False)

    def _duret_send_en_route(self, eta_minutes=None, position=None):
        """Send the en-route SMS to this appointment's customers; return
        ``{"sent": bool, "eta": datetime or False, "reason": str}`` (see services/en_route.py)."""
        self.ensure_one()
        return EnRoute(self.env).send(self, eta_minutes=eta_minutes, position=position)

    def _duret_customer_attendees(self):
        """The customers expected at these appointments (those who did not decline)."""
        attendees = self.attendee_ids.filtered(
            lambda a: a.duret_is_customer and a.state != "declined"
        )
        if not attendees:
            raise UserError(_("No customer to record a visit for on this appointment."))
        return attendees

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_duret_appointment_reminder(self):
        """Send the due customer reminders and technician briefings, then book the next run.

        Odoo's daily interval drifts an hour at each DST change, so the cron runs often and
        wakes itself at the next reminder hour in the company's time zone; what is due is
        decided from the data, never from the run time.
        """
        now = fields.Datetime.now()
        wake_ups = [self.env["calendar.attendee"]._duret_send_due_reminders(now)]
        wake_ups.append(self.env["res.users"]._duret_send_due_briefings(now))
        wake_ups.append(VisitMessages(self.env).send_same_day_due(now))
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        reminders = AppointmentReminders(self.env)
        for company in companies:
            wake_ups.append(reminders.next_reminder_hour(company, now))
        self._duret_trigger_reminder_cron(at=[at for at in wake_ups if at])

    @api.model
    def _duret_trigger_reminder_cron(self, at=None):
        cron = self.env.ref("duret_sms.ir_cron_appointment_reminder", raise_if_not_found=False)
        if cron:
            # Only the cron's own scheduling is written; triggers are technical records.
            cron_sudo = cron.sudo()
            cron_sudo._trigger(at=at)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _duret_on_days_domain(self, start_utc, stop_utc, first_day, last_day, prefix=""):
        """Domain of the appointments on local days ``first_day``..``last_day``: timed ones
        starting in [``start_utc``, ``stop_utc``), all-day ones by their date (Odoo stores
        all-day events at naive 08:00, which is no instant of the day).

        ``prefix`` (e.g. ``"event_id."``) applies it to a model pointing at events.
        """
        return [
            "|",
            "&",
            (f"{prefix}allday", "=", False),
            "&",
            (f"{prefix}start", ">=", start_utc),
            (f"{prefix}start", "<", stop_utc),
            "&",
            (f"{prefix}allday", "=", True),
            "&",
            (f"{prefix}start_date", ">=", first_day),
            (f"{prefix}start_date", "<=", last_day),
        ]

    def _duret_company(self):
        self.ensure_one()
        return self.user_id.company_id or self.env.company

    def _duret_company_is_ours(self):
        self.ensure_one()
        return self._duret_company()._duret_sms_uses_own_provider()

    def _duret_start_utc(self):
        """The appointment's start as naive UTC; all-day events start at local 08:00."""
        self.ensure_one()
        if self.allday:
            tz = self._duret_company().duret_sms_tz
            return windows.local_to_utc(self.start_date, ALLDAY_START, tz)
        return self.start

    def _duret_stop_utc(self):
        """The appointment's end as naive UTC; all-day events end at local midnight."""
        self.ensure_one()
        if self.allday:
            tz = self._duret_company().duret_sms_tz
            day = (self.stop_date or self.start_date) + timedelta(days=1)
            return windows.local_to_utc(day, time.min, tz)
        return self.stop or self.start

    def _duret_local_start(self):
        """The appointment's start as a naive datetime in the company's time zone."""
        self.ensure_one()
        if self.allday:
            return datetime.combine(self.start_date, ALLDAY_START)
        tz = self._duret_company().duret_sms_tz
        return to_local(self.start, tz).replace(tzinfo=None)
