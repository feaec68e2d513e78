from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import windows
from .calendar_attendee import ALLDAY_START, ANSWERS, REMINDER_STATUSES, hour_to_time, to_local

# When several customers attend, the event shows the status that needs attention first.
STATUS_PRIORITY = ("failed", "skipped", "scheduled", "sent", "email", "delivered")


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    duret_reminder_status = fields.Selection(
        REMINDER_STATUSES,
        "SMS Reminder",
        compute="_compute_duret_reminder_status",
        store=True,
        help="The SMS reminder sent to the customers the evening before.",
    )
    duret_customer_answer = fields.Selection(
        ANSWERS,
        "Customer Answer",
        compute="_compute_duret_customer_answer",
        store=True,
        help="What the customer answered from the reminder's link or by SMS.",
    )

    @api.depends("attendee_ids.duret_reminder_status")
    def _compute_duret_reminder_status(self):
        for event in self:
            statuses = set(event.attendee_ids.mapped("duret_reminder_status"))
            event.duret_reminder_status = next(
                (status for status in STATUS_PRIORITY if status in statuses), False
            )

    @api.depends("attendee_ids.duret_customer_answer")
    def _compute_duret_customer_answer(self):
        for event in self:
            answers = set(event.attendee_ids.mapped("duret_customer_answer"))
            event.duret_customer_answer = next(
                (a for a in ("cancelled", "confirmed") if a in answers), "none"
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_duret_send_reminder(self):
        """Send the reminder to the customers not reminded yet (or whose SMS failed).

        Goes at once when the sending hours allow it; otherwise the SMS waits in the queue
        for the next opening, and the notification says when.
        """
        self.ensure_one()
        company = self._duret_company()
        if not company._duret_sms_uses_own_provider():
            raise UserError(
                _("SMS reminders need the Twilio or Sandbox provider (Settings > SMS).")
            )
        now = fields.Datetime.now()
        if self._duret_start_utc() <= now or not self.active:
            raise UserError(_("This appointment is over or archived: no reminder."))
        attendees = self.attendee_ids.filtered(
            lambda a: (
                a.duret_is_customer
                and a.state != "declined"
                and a.duret_reminder_status in ("scheduled", "failed", "skipped")
            )
        )
        if not attendees:
            raise UserError(_("Every customer of this appointment has already been reminded."))
        # A failed or skipped reminder may be sent again on purpose.
        attendees.write({"duret_reminder_state": False, "duret_reminder_channel": False})
        policy = company._duret_sms_policy("transactional")
        opening = windows.next_allowed(now, policy)
        deferred = opening > now
        reminded = attendees._duret_remind(company, now, not_before=opening if deferred else None)
        messages = []
        by_sms = reminded.filtered(
            lambda a: a.duret_reminder_state == "done" and a.duret_reminder_channel == "sms"
        )
        by_email = reminded.filtered(
            lambda a: a.duret_reminder_state == "done" and a.duret_reminder_channel == "email"
        )
        if by_sms and deferred:
            local = to_local(opening, company.duret_sms_tz)
            messages.append(
                _(
                    "Outside sending hours: the reminder SMS to %(count)s customer(s) will go "
                    "on %(date)s at %(time)s.",
                    count=len(by_sms),
                    date=local.strftime("%d/%m/%Y"),
                    time=local.strftime("%H:%M"),
                )
            )
        elif by_sms:
            messages.append(_("Reminder SMS sent to %(count)s customer(s).", count=len(by_sms)))
        if by_email:
            messages.append(
                _(
                    "Reminder sent by email to %(names)s (no SMS possible).",
                    names=", ".join(by_email.partner_id.mapped("name")),
                )
            )
        for attendee in reminded.filtered(lambda a: a.duret_reminder_state == "skipped"):
            messages.append(
                _(
                    "%(name)s not reminded: %(reason)s",
                    name=attendee.partner_id.name,
                    reason=attendee.duret_reminder_skip_reason,
                )
            )
        if len(reminded) < len(attendees):
            messages.append(
                _(
                    "%(count)s customer(s) are being reminded by another process right now.",
                    count=len(attendees) - len(reminded),
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": " ".join(messages),
                "type": "success" if by_sms or by_email else "warning",
                "sticky": not (by_sms or by_email),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

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
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        for company in companies:
            wake_ups.append(self._duret_next_reminder_hour(company, now))
        self._duret_trigger_reminder_cron(at=[at for at in wake_ups if at])

    @api.model
    def _duret_next_reminder_hour(self, company, now):
        """The next instant after ``now`` at the company's reminder hour, as naive UTC."""
        today = to_local(now, company.duret_sms_tz).date()
        for day in (today, today + timedelta(days=1)):
            at = windows.local_to_utc(
                day, hour_to_time(company.duret_sms_reminder_hour), company.duret_sms_tz
            )
            if at > now:
                return at
        return None

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
