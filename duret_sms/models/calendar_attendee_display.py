"""How an attendee's reminder reads in the appointment's reminders tab."""

from odoo import _, api, fields, models


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    duret_reminder_note = fields.Char("Details", compute="_compute_duret_reminder_note")

    @api.depends(
        "duret_reminder_status",
        "duret_reminder_skip_reason",
        "duret_reminder_sms_id",
        "duret_is_customer",
    )
    @api.depends_context("lang")
    def _compute_duret_reminder_note(self):
        for attendee in self:
            if not attendee.duret_is_customer:
                note = _("Team member: no customer reminder")
            elif attendee.duret_reminder_status == "skipped":
                note = attendee.duret_reminder_skip_reason
            elif attendee.duret_reminder_status == "failed":
                # sms.sms is a system model: only this SMS's reason is read, for the people who
                # see the appointment.
                sms_sudo = attendee.duret_reminder_sms_id.sudo()
                note = sms_sudo.duret_failure_text
            else:
                note = False
            attendee.duret_reminder_note = note

    def _duret_remind(self, company, now, not_before=None):
        # The reminder cron has no language: reasons written on the appointment (reminder
        # skipped because...) read in the company's, as when office staff press "Send now".
        lang = company.partner_id.lang
        records = self.with_context(lang=lang) if lang and lang != self.env.lang else self
        result = super(CalendarAttendee, records)._duret_remind(company, now, not_before=not_before)
        return result.with_env(self.env)
