"""Visits as the office or the technician records them: the customer was there, or not."""

from odoo import _, fields
from odoo.exceptions import UserError


class VisitRecords:
    """Attendance of ``calendar.attendee`` customers: no-shows are recorded, never guessed
    from silence."""

    def __init__(self, env):
        self.env = env

    def record(self, attendees, attendance):
        """Record whether ``attendees`` were there (``done``/``absent``, False to undo).

        :raise UserError: for staff attendees, and before the appointment has started (a
            no-show is only known once the technician is at the door).
        """
        now = fields.Datetime.now()
        for attendee in attendees:
            if not attendee.duret_is_customer:
                raise UserError(
                    _(
                        "%(name)s is not a customer: only customers' visits are recorded.",
                        name=attendee.partner_id.display_name,
                    )
                )
            if attendance and attendee.event_id._duret_start_utc() > now:
                raise UserError(
                    _(
                        "The appointment with %(name)s has not started yet: record the visit "
                        "once the technician is there.",
                        name=attendee.partner_id.display_name,
                    )
                )
        attendees.write(
            {
                "duret_attendance": attendance,
                "duret_attendance_at": attendance and now,
                "duret_attendance_user_id": attendance and self.env.user.id,
            }
        )
        labels = dict(attendees._fields["duret_attendance"]._description_selection(self.env))
        for attendee in attendees:
            attendee.event_id.message_post(
                body=_(
                    "%(customer)s: %(visit)s (recorded by %(user)s).",
                    customer=attendee.partner_id.display_name,
                    visit=labels.get(attendance) or _("visit record removed"),
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True
