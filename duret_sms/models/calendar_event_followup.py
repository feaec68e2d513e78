from odoo import _, models

from .calendar_attendee_followup import MOVE_TOLERANCE


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

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
        if moving:
            for event in self.filtered(lambda e: e.id in before and e.active):
                old_utc, old_day = before[event.id]
                new_utc, new_day = event._duret_start_utc(), event._duret_local_start().date()
                if new_day != old_day or abs(new_utc - old_utc) > MOVE_TOLERANCE:
                    event.attendee_ids._duret_reminder_reschedule()
        if vals.get("active") is False:
            self.attendee_ids._duret_cancel_waiting_reminders(_("The appointment was cancelled."))
        return result

    def unlink(self):
        self.attendee_ids._duret_cancel_waiting_reminders(_("The appointment was deleted."))
        return super().unlink()
