from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .calendar_attendee_attendance import ATTENDANCE


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

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

    def action_duret_mark_done(self):
        return self._duret_customer_attendees()._duret_set_attendance("done")

    def action_duret_mark_absent(self):
        return self._duret_customer_attendees()._duret_set_attendance("absent")

    def _duret_customer_attendees(self):
        """The customers expected at these appointments (those who did not decline)."""
        attendees = self.attendee_ids.filtered(
            lambda a: a.duret_is_customer and a.state != "declined"
        )
        if not attendees:
            raise UserError(_("No customer to record a visit for on this appointment."))
        return attendees
