from odoo import _, fields, models
from odoo.exceptions import UserError

ATTENDANCE = [("done", "Done"), ("absent", "Customer absent")]


class CalendarAttendee(models.Model):
    """No-shows, as the office or the technician records them: never guessed from silence."""

    _inherit = "calendar.attendee"

    duret_attendance = fields.Selection(
        ATTENDANCE,
        "Visit",
        copy=False,
        readonly=True,
        help="Recorded by the technician or the office after the appointment's start: the "
        "customer was there (done) or not (absent).",
    )
    duret_attendance_at = fields.Datetime("Visit Recorded On", copy=False, readonly=True)
    duret_attendance_user_id = fields.Many2one(
        "res.users", "Visit Recorded By", copy=False, readonly=True
    )

    def action_duret_mark_done(self):
        return self._duret_set_attendance("done")

    def action_duret_mark_absent(self):
        return self._duret_set_attendance("absent")

    def action_duret_attendance_reset(self):
        return self._duret_set_attendance(False)

    def _duret_set_attendance(self, attendance):
        """Record whether these customers were there (``done``/``absent``, False to undo).

        :raise UserError: for staff attendees, and before the appointment has started (a
            no-show is only known once the technician is at the door).
        """
        now = fields.Datetime.now()
        for attendee in self:
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
        self.write(
            {
                "duret_attendance": attendance,
                "duret_attendance_at": attendance and now,
                "duret_attendance_user_id": attendance and self.env.user.id,
            }
        )
        labels = dict(self._fields["duret_attendance"]._description_selection(self.env))
        for attendee in self:
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
