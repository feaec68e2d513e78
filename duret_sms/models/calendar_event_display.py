"""How appointments show their SMS side: urgent interventions, why a reminder failed."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    duret_is_urgent = fields.Boolean(
        "Urgent Intervention",
        readonly=True,
        copy=False,
        help="Booked by the urgent dispatch for right now: the technician got the urgent SMS, "
        "there is no reminder the day before.",
    )
    duret_reminder_issue = fields.Text("Reminder Problem", compute="_compute_duret_reminder_issue")

    @api.depends("duret_is_urgent")
    def _compute_duret_reminder_status(self):
        result = super()._compute_duret_reminder_status()
        for event in self.filtered("duret_is_urgent"):
            event.duret_reminder_status = False
        return result

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

    def action_duret_send_reminder(self):
        if self.filtered("duret_is_urgent"):
            raise UserError(
                _("An urgent intervention has no reminder: the technician was sent the SMS.")
            )
        return super().action_duret_send_reminder()
