"""How an appointment's reminder reads: its status and note in the appointment's reminders tab,
and the pieces of the reminder text. ``calendar.attendee``'s computes delegate here."""

from odoo import _

from .appointment_text import FR_DAYS, fr_time, gsm_safe

SMS_STATE_TO_STATUS = {
    "outgoing": "sent",
    "process": "sent",
    "pending": "sent",
    "sent": "delivered",
    "error": "failed",
    "canceled": "failed",
}


class ReminderDisplay:
    """``ReminderDisplay(env)``: fills computed fields of ``calendar.attendee`` records."""

    def __init__(self, env):
        self.env = env

    def compute_status(self, attendees):
        """``duret_reminder_status``: where each customer's reminder stands."""
        internal = attendees._duret_internal_partner_ids()
        for attendee in attendees:
            if attendee.partner_id.id in internal:
                status = False
            elif not attendee.duret_reminder_state:
                status = "scheduled"
            elif attendee.duret_reminder_state == "skipped":
                status = "skipped"
            elif attendee.duret_reminder_channel == "email":
                status = "email"
            else:
                # The SMS may have been purged with the history: it was sent.
                status = SMS_STATE_TO_STATUS.get(attendee.duret_reminder_sms_id.state, "sent")
            attendee.duret_reminder_status = status

    def compute_note(self, attendees):
        """How the reminder reads in the appointment's reminders tab."""
        for attendee in attendees:
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

    def compute_rdv_texts(self, attendees):
        """The ``duret_rdv_*`` pieces of the reminder texts, for a whole batch at once."""
        for attendee in attendees:
            event = attendee.event_id
            company = event._duret_company()
            local = event._duret_local_start()
            when = f"{FR_DAYS[local.weekday()]} {local.day:02d}/{local.month:02d}"
            if not event.allday:
                when += f" à {fr_time(local)}"
            attendee.duret_rdv_company_id = company
            attendee.duret_rdv_customer = gsm_safe(attendee.partner_id.name)
            attendee.duret_rdv_when = when
            attendee.duret_rdv_address = gsm_safe(attendee._duret_address())
            attendee.duret_rdv_technician = gsm_safe(event.user_id.name)
            attendee.duret_rdv_company_name = gsm_safe(company.name)
            attendee.duret_rdv_company_phone = gsm_safe(company.phone)
            attendee.duret_rdv_url = company._duret_public_url(f"/rdv/{attendee.duret_rdv_token}")
