"""The visit's SMS besides the J-1 reminder: booking confirmation, same-morning reminder and
thank-you. Each is a transactional SMS through the compliance gate (opt-out list, sending
hours), sent at most once per customer and appointment, from an editable ``sms.template``."""

from datetime import time, timedelta

from odoo import fields

from ..core import short_text, windows
from .appointment_text import fr_time, gsm_safe, hour_to_time, to_local
from .event_sms import EventSms
from .short_links import ONE_SEGMENT, new_token

# kind -> (template, column stamped when sent: never twice)
KINDS = {
    "confirmation": ("duret_sms.sms_template_booking_confirmation", "duret_confirmation_at"),
    "same_day": ("duret_sms.sms_template_same_day_reminder", "duret_same_day_at"),
    "thank_you": ("duret_sms.sms_template_visit_thank_you", "duret_thank_you_at"),
}
# One query per column (no SQL built from values): the rows not stamped yet, locked.
LOCK_QUERIES = {
    column: f"SELECT id FROM calendar_attendee WHERE id IN %s AND {column} IS NULL "
    "FOR UPDATE SKIP LOCKED"
    for _template, column in KINDS.values()
}
# The fixed text of the default confirmation ("<company> : RDV confirmé le <when>, <where>.
# Détails, modifier ou annuler : <link>"): the place gets what the rest leaves of one SMS.
CONFIRMATION_FIXED_CHARS = len(" : RDV confirmé le , . Détails, modifier ou annuler : ")
# More appointments than this in one creation is an import, not a booking: no SMS.
BULK_EVENTS = 10
RATING_PREFIX = "/avis/"


def fallback_text(kind):
    """The texts written in code, used when a template is missing or broken."""

    def text(attendee):
        company = attendee.duret_rdv_company_name
        if kind == "confirmation":
            return (
                f"{company} : RDV confirmé le {attendee.duret_rdv_when_short}. Détails, modifier "
                f"ou annuler : {attendee.duret_rdv_short_url}"
            )
        if kind == "same_day":
            return (
                f"{company} : RDV aujourd'hui à {attendee.duret_visit_hour}. Confirmer ou "
                f"annuler : {attendee.duret_rdv_short_url}"
            )
        if kind == "en_route":
            return (
                f"{company} : votre technicien {attendee.duret_technician_first} est en route, "
                f"arrivée vers {attendee.duret_eta_text}."
            )
        if kind == "en_route_update":
            return (
                f"{company} : nouvelle heure d'arrivée de votre technicien "
                f"{attendee.duret_technician_first} : vers {attendee.duret_eta_text}."
            )
        return (
            f"{company} : merci de votre confiance. Votre avis en 1 clic : "
            f"{attendee.duret_rating_url}"
        )

    return text


def visit_text_parts(attendee):
    """The pieces of the visit's texts for ``attendee`` (the ``duret_visit_*`` fields): its
    templates only glue fields together (field placeholders, nothing computed there)."""
    event = attendee.event_id
    company_model = attendee.env["res.company"]
    local = event._duret_local_start() if event.start else None
    eta_text = False
    if event.duret_en_route_eta:
        eta_text = fr_time(to_local(event.duret_en_route_eta, event._duret_company().duret_sms_tz))
    technician = (event.user_id.name or "").split()
    rating_url = False
    if attendee.duret_short_token:
        rating_url = company_model._duret_public_url(f"{RATING_PREFIX}{attendee.duret_short_token}")
    where = False
    if local:
        when = attendee.duret_rdv_when_short or ""
        used = (
            CONFIRMATION_FIXED_CHARS
            + short_text.units(attendee.duret_rdv_company_name)
            + short_text.units(when)
            + short_text.units(attendee.duret_rdv_short_url)
        )
        partner = attendee.partner_id
        where = short_text.short_where(
            ONE_SEGMENT - used,
            street=gsm_safe(partner.street or ""),
            city=gsm_safe(partner.city or ""),
            location=gsm_safe(event.location or ""),
        )
    return {
        "duret_visit_where": where,
        "duret_visit_hour": fr_time(local) if local and not event.allday else False,
        "duret_eta_text": eta_text,
        "duret_technician_first": gsm_safe(technician[0]) if technician else False,
        "duret_rating_url": rating_url,
    }


class VisitMessages:
    """Sends the booking confirmation, the same-morning reminder and the thank-you."""

    def __init__(self, env):
        self.env = env

    # ------------------------------------------------------------------
    # Which customers get which text
    # ------------------------------------------------------------------

    def on_attendees_created(self, attendees):
        """Booking confirmation for the customers of appointments booked for a later day.

        Not while modules load (demo data), not for imports (``import_file`` or more than
        ``BULK_EVENTS`` appointments at once), urgent, recurring or archived appointments,
        nor for an appointment today or in the past.
        """
        context = self.env.context
        if (
            not self.env.registry.ready
            or context.get("import_file")
            or context.get("duret_no_booking_sms")
            or len(attendees.event_id) > BULK_EVENTS
        ):
            return
        now = fields.Datetime.now()
        by_company = {}
        for attendee in attendees:
            event = attendee.event_id
            if not (event.start and event.active) or event.duret_is_urgent or event.recurrency:
                continue
            # The company first: Odoo's own SMS provider (the default) costs no more query.
            company = event._duret_company()
            if not (
                company._duret_sms_uses_own_provider() and company.duret_sms_booking_confirmation
            ):
                continue
            if not attendee.duret_is_customer or attendee.state == "declined":
                continue
            today = to_local(now, company.duret_sms_tz).date()
            if event._duret_local_start().date() <= today:
                continue
            by_company.setdefault(company, attendees.browse())
            by_company[company] |= attendee
        for company, group in by_company.items():
            self.send(group, "confirmation", company, now)

    def thank(self, attendees):
        """The thank-you with the rating link, to customers whose visit was just marked done."""
        now = fields.Datetime.now()
        for attendee in attendees.filtered(
            lambda a: a.duret_is_customer and a.duret_attendance == "done"
        ):
            company = attendee.event_id._duret_company()
            if company.duret_sms_thank_you and company._duret_sms_uses_own_provider():
                if not attendee.duret_short_token:
                    attendee.duret_short_token = new_token()
                self.send(attendee, "thank_you", company, now)

    def send_same_day_due(self, now):
        """Send the same-morning reminders due at ``now``; return the next time to look again
        (naive UTC) or None."""
        icp_sudo = self.env["ir.config_parameter"].sudo()  # system parameters: admin ACL
        hour = hour_to_time(float(icp_sudo.get_param("duret_sms.same_day_hour", 8.0)))
        visits_from = hour_to_time(float(icp_sudo.get_param("duret_sms.same_day_from", 10.0)))
        companies = self.env["res.company"].search(
            [
                ("duret_sms_provider", "in", ("twilio", "sandbox")),
                ("duret_sms_same_day_reminder", "=", True),
            ]
        )
        wake_ups = []
        for company in companies:
            tz = company.duret_sms_tz
            today = to_local(now, tz).date()
            due_at = windows.local_to_utc(today, hour, tz)
            if now < due_at:
                wake_ups.append(due_at)
                continue
            wake_ups.append(windows.local_to_utc(today + timedelta(days=1), hour, tz))
            start = max(windows.local_to_utc(today, visits_from, tz), now)
            stop = windows.local_to_utc(today + timedelta(days=1), time.min, tz)
            due = self._same_day_candidates(company, start, stop)
            if due:
                self.send(due, "same_day", company, now)
        return min(wake_ups) if wake_ups else None

    def _same_day_candidates(self, company, start, stop):
        company_domain = [("event_id.user_id.company_id", "=", company.id)]
        if company == self.env.company:
            company_domain = ["|", ("event_id.user_id", "=", False), *company_domain]
        attendees = self.env["calendar.attendee"].search(
            [
                ("duret_same_day_at", "=", False),
                ("duret_customer_answer", "=", "none"),
                ("state", "!=", "declined"),
                ("event_id.active", "=", True),
                ("event_id.allday", "=", False),
                ("event_id.duret_is_urgent", "=", False),
                ("event_id.start", ">=", start),
                ("event_id.start", "<", stop),
                *company_domain,
            ],
            order="id",
        )
        return attendees.filtered("duret_is_customer")

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def send(self, attendees, kind, company, now, expires_at=None):
        """Send text ``kind`` to ``attendees`` (all of ``company``) once: those stamped already
        (or being sent by another transaction) are left out. Returns the ``sms.sms`` created
        (as superuser), in the order of the attendees that have a mobile number."""
        xmlid, column = KINDS[kind]
        attendees.flush_model([column])
        self.env.cr.execute(LOCK_QUERIES[column], [tuple(attendees.ids)])
        free = {row[0] for row in self.env.cr.fetchall()}
        attendees = attendees.filtered(lambda a: a.id in free)
        if not attendees:
            return self.env["sms.sms"].sudo()
        attendees.write({column: now})
        if kind == "same_day":
            # A reminder the sending hours hold back past the visit's start helps nobody.
            expires_at = lambda a: a.event_id._duret_start_utc()  # noqa: E731
        return self.send_sms(attendees, kind, xmlid, company, expires_at=expires_at)

    def send_sms(self, attendees, kind, xmlid, company, expires_at=None, send=True):
        """Create (and unless ``send`` is False, queue) one SMS of ``kind`` per attendee with a
        mobile number; return them (as superuser). ``expires_at``: a naive UTC instant, or a
        function of the attendee giving it (see ``sms.sms.duret_expires_at``)."""
        mobiles = {a.id: a.partner_id._duret_sms_mobile(company) for a in attendees}
        reached = attendees.filtered(lambda a: mobiles[a.id])
        if not reached:
            return self.env["sms.sms"].sudo()
        bodies = self.env["sms.template"]._duret_render(xmlid, reached, fallback_text(kind))
        # sms.sms is a technical model (system ACL); these texts go to the visit's customers,
        # and show on the appointment's chatter with their delivery status.
        sms_sudo = EventSms(self.env).create_sms(
            [attendee.event_id for attendee in reached],
            [
                {
                    "number": mobiles[attendee.id],
                    "body": bodies[attendee.id],
                    "partner_id": attendee.partner_id.id,
                    "company_id": company.id,
                    "duret_kind": kind.removesuffix("_update"),
                    "duret_expires_at": (
                        expires_at(attendee) if callable(expires_at) else expires_at
                    ),
                }
                for attendee in reached
            ],
            self.env["sms.sms"].sudo().with_context(duret_sms_category="transactional"),
        )
        if send:
            sms_sudo.send()
        return sms_sudo
