from datetime import time, timedelta

from odoo import api, fields, models

from ..core import encoding, windows
from ..services.appointment_text import FR_DAYS, fr_time, gsm_safe, to_local

# A briefing fits in three GSM-7 segments (3 x 153 septets); longer days end in "+N autres".
BRIEFING_MAX_SEGMENTS = 3


class ResUsers(models.Model):
    _inherit = "res.users"

    duret_sms_briefing = fields.Boolean(
        "Next-day Briefing by SMS",
        help="Every evening at the reminder hour, get one SMS listing tomorrow's appointments "
        "(time, customer, town) on the mobile number of your contact card.",
    )
    duret_briefing_last_date = fields.Date(
        "Last Briefing For",
        copy=False,
        readonly=True,
        help="Day of the appointments of the last briefing sent: never twice for a day.",
    )

    # Where urgent dispatch places a technician who has no appointment to come from: a base
    # (depot, the van's usual parking) set by the office, never the private address of the
    # technician's contact. Officers and administrators only: where an employee starts from
    # is not every colleague's business.
    duret_base_address = fields.Char(
        "Dispatch Base",
        groups="duret_sms.duret_sms_group_officer",
        help="Where urgent dispatch counts this technician's distance from when they have no "
        "appointment to come from (depot, usual parking): street, postcode and town. The "
        "dispatch wizard sends it to the geocoder of the Settings (OpenStreetMap Nominatim "
        "by default) to find its coordinates.",
    )
    duret_base_latitude = fields.Float(
        "Base Latitude", digits=(10, 7), groups="duret_sms.duret_sms_group_officer"
    )
    duret_base_longitude = fields.Float(
        "Base Longitude", digits=(10, 7), groups="duret_sms.duret_sms_group_officer"
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["duret_sms_briefing"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["duret_sms_briefing"]

    @api.model
    def _duret_send_due_briefings(self, now):
        """Text each opted-in technician the list of their appointments of the next day.

        A day's briefing is due with that day's customer reminders (the reminder hour on the
        last open day before it), inside the sending hours, once per technician and day.
        Returns None (the reminder cron's own wake-ups cover briefings).
        """
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        # One company's failure is recorded on it (Settings) and never stops the others.
        companies._duret_sms_run_isolated(
            "briefings", lambda company: self._duret_send_company_briefings(company, now)
        )
        return None

    @api.model
    def _duret_send_company_briefings(self, company, now):
        attendee_model = self.env["calendar.attendee"]
        policy = company._duret_sms_policy("transactional")
        if not windows.is_allowed(now, policy):
            return
        technicians = self.search(
            [
                ("duret_sms_briefing", "=", True),
                ("share", "=", False),
                ("company_id", "=", company.id),
            ]
        )
        if not technicians:
            return
        today = to_local(now, company.duret_sms_tz).date()
        cache = {}
        day = today + timedelta(days=1)
        # Days whose reminders are due now: up to the first open day after today.
        while attendee_model._duret_reminder_due_for_day(company, day, cache) <= now:
            todo = technicians.filtered(
                lambda u, day=day: (
                    not u.duret_briefing_last_date or u.duret_briefing_last_date < day
                )
            )
            if todo:
                todo._duret_send_briefing(company, day)
            day += timedelta(days=1)

    def _duret_send_briefing(self, company, day):
        """Send each of these technicians their briefing for local date ``day``."""
        tz = company.duret_sms_tz
        start = windows.local_to_utc(day, time.min, tz)
        stop = windows.local_to_utc(day + timedelta(days=1), time.min, tz)
        events = self.env["calendar.event"].search(
            [
                ("active", "=", True),
                ("duret_customer_answer", "!=", "cancelled"),
                "|",
                ("user_id", "in", self.ids),
                ("partner_ids", "in", self.partner_id.ids),
                *self.env["calendar.event"]._duret_on_days_domain(start, stop, day, day),
            ],
            order="start",
        )
        vals_list, briefed = [], self.browse()
        for user in self:
            mine = events.filtered(
                lambda e, user=user: e.user_id == user or user.partner_id in e.partner_ids
            )
            number = user.partner_id._duret_sms_mobile(company)
            if not mine or not number:
                continue
            vals_list.append(
                {
                    "number": number,
                    "body": user._duret_briefing_body(company, day, mine),
                    "partner_id": user.partner_id.id,
                    "company_id": company.id,
                }
            )
            briefed |= user
        if not vals_list:
            return
        # sms.sms is a technical model (system ACL); this runs from the cron.
        sms_model_sudo = self.env["sms.sms"].sudo()
        sms_model_sudo.with_context(duret_sms_category="transactional").create(vals_list).send()
        briefed.write({"duret_briefing_last_date": day})

    @api.model
    def _duret_briefing_body(self, company, day, events):
        """The briefing text: one line per appointment, cut with "+N autres" to fit 3 SMS."""
        head = f"{gsm_safe(company.name)} - vos RDV du {FR_DAYS[day.weekday()]} {day:%d/%m}:"
        lines = []
        for event in events:
            customers = event.attendee_ids.filtered("duret_is_customer").partner_id
            customer = customers[:1]
            town = customer.city or event.location or ""
            when = "journee" if event.allday else fr_time(event._duret_local_start())
            line = " - ".join(filter(None, [when, customer.name or event.name, town]))
            lines.append(gsm_safe(line))
        user = self[:1] or self.env.user
        for shown in range(len(lines), -1, -1):
            rest = len(lines) - shown
            listed = "\n".join(
                lines[:shown] + ([f"+{rest} autre{'s' if rest > 1 else ''}"] if rest else [])
            )
            # The text is the template "Technician: next-day briefing", staff may edit it.
            fallback = "\n".join([head, listed]) if listed else head
            body = gsm_safe(
                self.env["sms.template"]._duret_render(
                    "duret_sms.sms_template_technician_briefing",
                    user,
                    lambda _user, fallback=fallback: fallback,
                    add_context={
                        "company_name": gsm_safe(company.name),
                        "day": f"{FR_DAYS[day.weekday()]} {day:%d/%m}",
                        "lines": listed,
                    },
                )[user.id]
            )
            if encoding.analyze(body).segments <= BRIEFING_MAX_SEGMENTS:
                return body
        return head
