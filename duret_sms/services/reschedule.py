"""The customer moves their own visit from ``/rdv/reschedule/<token>``: which slots of the same
technician are free, and booking one safely (one technician's bookings are serialised)."""

from collections import OrderedDict
from datetime import datetime, time, timedelta, timezone

import pytz
from markupsafe import Markup

from odoo import _, fields

from ..core import slots as core_slots
from ..core import windows
from .appointment_text import FR_DAYS, fr_time, to_local
from .customer_answers import CustomerAnswers
from .event_sms import EventSms

# A customer may move a visit this many times; then they call the office.
MAX_MOVES = 2
# How far the offer looks: this many working days (days with working time, holidays excepted).
HORIZON_WORKING_DAYS = 10
# Calendar days read from the working-time calendar to find them (weekends, holidays, leaves).
SCAN_DAYS = 31


class Rescheduling:
    """Self-service rescheduling of ``calendar.attendee`` (the customer of a visit).

    Every method takes the attendee as superuser (the ``/rdv/`` token is the credential, see
    ``RdvPages.find``).
    """

    def __init__(self, env):
        self.env = env

    # ------------------------------------------------------------------
    # What may be offered
    # ------------------------------------------------------------------

    def can_reschedule(self, attendee, now=None):
        """Whether the customer may move this visit themselves: the company allows it, the
        visit has a technician, one customer and a time (not all day), it is more than the
        company's delay away, the customer has not cancelled, and they moved it fewer than
        ``MAX_MOVES`` times."""
        now = now or fields.Datetime.now()
        event = attendee.event_id
        company = event._duret_company()
        if not company.duret_sms_reschedule or not event.user_id or event.allday:
            return False
        if attendee.duret_customer_answer == "cancelled" or attendee.state == "declined":
            return False
        if not CustomerAnswers.can_answer(attendee):
            return False
        if event.duret_reschedule_count >= MAX_MOVES:
            return False
        customers = event.attendee_ids.filtered(
            lambda a: a.duret_is_customer and a.state != "declined"
        )
        if customers != attendee:
            # Moving it would move the other customers' visit too: the office does that.
            return False
        delay = timedelta(hours=max(company.duret_sms_reschedule_delay, 0))
        return event._duret_start_utc() - now > delay

    def slots(self, event, now=None, limit=None):
        """Up to ``limit`` (default: the company's number) free start times (naive UTC) for
        ``event`` with its technician, soonest first; see ``core.slots.free_slots``."""
        now = now or fields.Datetime.now()
        company = event._duret_company()
        limit = max(company.duret_sms_reschedule_slots, 0) if limit is None else limit
        work, busy, duration, buffer = self._facts(event, now)
        # Its own time is no choice: one more slot, and that one left out.
        starts = core_slots.free_slots(
            work, busy, duration, buffer=buffer, earliest=now, limit=limit + 1
        )
        return [start for start in starts if start != event.start][:limit]

    def is_free(self, event, start, now=None):
        """Whether ``event`` could move to ``start`` (naive UTC) now: the rules of ``slots``."""
        now = now or fields.Datetime.now()
        work, busy, duration, buffer = self._facts(event, now)
        return core_slots.is_free(start, work, busy, duration, buffer=buffer, earliest=now)

    def grouped(self, event, starts):
        """The slots as the page lists them, by local day: ``[{"day": "jeudi 10/12",
        "slots": [{"value": "2026-12-10 07:00:00", "label": "08h00"}, ...]}, ...]``."""
        tz = event._duret_company().duret_sms_tz
        days = OrderedDict()
        for start in starts:
            local = to_local(start, tz)
            day = f"{FR_DAYS[local.weekday()]} {local.day:02d}/{local.month:02d}"
            days.setdefault(day, []).append(
                {"value": fields.Datetime.to_string(start), "label": fr_time(local)}
            )
        return [{"day": day, "slots": slots} for day, slots in days.items()]

    # ------------------------------------------------------------------
    # Booking
    # ------------------------------------------------------------------

    def book(self, attendee, slot):
        """Move the visit of ``attendee`` to ``slot`` ("YYYY-MM-DD HH:MM:SS", UTC) if that slot
        is still free.

        Returns ``"moved"``, ``"same"`` (already there: a second tap), ``"taken"`` (no longer
        free, or not a slot at all) or ``"closed"`` (the customer may no longer move it).
        Bookings of one technician are serialised (see ``_lock_technician``): of two
        customers picking the same slot at once, one gets it and the other gets ``"taken"``.
        """
        try:
            start = fields.Datetime.to_datetime(slot)
        except ValueError:
            start = None
        if not isinstance(start, datetime):
            return "taken"
        event = attendee.event_id
        if event.user_id:
            self._lock_technician(event.user_id)
        if event.start == start:
            return "same"
        if not self.can_reschedule(attendee):
            return "closed"
        if not self.is_free(event, start):
            return "taken"
        self._move(attendee, start)
        return "moved"

    def _lock_technician(self, technician):
        """Serialise the bookings of ``technician`` until this transaction ends.

        The row lock makes a second booking wait for the first. The (no-op) update matters as
        much: Odoo's transactions are REPEATABLE READ, so the waiting one would re-check the
        slot on its old snapshot and miss the visit just moved there. Locking a row another
        transaction updated fails with a serialisation error instead, and Odoo runs the request
        again on fresh data (``odoo.service.model.retrying``), which then sees the slot taken.
        """
        # The serialisation error is expected there, and retried: not logged as a bad query.
        self.env.cr.execute(
            "UPDATE res_users SET write_date = write_date WHERE id = %s",
            [technician.id],
            log_exceptions=False,
        )

    def _move(self, attendee, start):
        event = attendee.event_id
        company = event._duret_company()
        old_local = event._duret_local_start()
        duration = event.stop - event.start
        # The customer gets our SMS below; Odoo's "date changed" email would be a second notice.
        event.with_context(no_mail_to_attendees=True).write(
            {"start": start, "stop": start + duration}
        )
        new_local = event._duret_local_start()
        now = fields.Datetime.now()
        # They chose this time: it is confirmed. The J-1 reminder of the new date (reset by the
        # move if the old one went) is an ordinary reminder: the SMS below says it moved.
        attendee.do_accept()
        attendee.write(
            {
                "duret_customer_answer": "confirmed",
                "duret_answer_channel": "web",
                "duret_answer_at": now,
                "duret_reminder_moved": False,
            }
        )
        event.duret_reschedule_count += 1
        when = {
            "customer": attendee.partner_id.name,
            "old": old_local.strftime("%d/%m/%Y %H:%M"),
            "new": new_local.strftime("%d/%m/%Y %H:%M"),
        }
        event.message_post(
            body=Markup("<p>%s</p>")
            % _("Moved by the customer (%(customer)s) from %(old)s to %(new)s (web page).", **when),
            subtype_xmlid="mail.mt_note",
        )
        attendee._duret_activity_record().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=CustomerAnswers(self.env)._office_user(event).id,
            summary=_("Appointment moved by the customer"),
            note=Markup("<p>%s</p>")
            % _(
                "%(customer)s moved %(event)s from %(old)s to %(new)s from the reminder's link.",
                event=event.name,
                **when,
            ),
        )
        if company._duret_sms_uses_own_provider():
            self._send_moved_sms(attendee, company)

    def _send_moved_sms(self, attendee, company):
        """The "moved" SMS (``sms_template_appointment_moved``) to the customer, at once (the
        queue's gate defers it to the sending hours)."""
        number = attendee.partner_id._duret_sms_mobile(company)
        if not number:
            return
        body = self.env["sms.template"]._duret_render(
            "duret_sms.sms_template_appointment_moved",
            attendee,
            lambda a: (
                f"{a.duret_rdv_company_name} : votre RDV a été déplacé au {a.duret_rdv_when}. "
                f"Confirmer ou annuler : {a.duret_rdv_url}"
            ),
        )[attendee.id]
        # sms.sms is a technical model (system ACL); the customer's page is anonymous. On the
        # appointment's chatter with its delivery status.
        sms_model_sudo = self.env["sms.sms"].sudo().with_context(duret_sms_category="transactional")
        EventSms(self.env).create_sms(
            attendee.event_id,
            [
                {
                    "number": number,
                    "body": body,
                    "partner_id": attendee.partner_id.id,
                    "company_id": company.id,
                }
            ],
            sms_model_sudo,
        ).send()

    # ------------------------------------------------------------------
    # Facts from Odoo: working time, appointments
    # ------------------------------------------------------------------

    def _facts(self, event, now):
        """(working intervals, busy intervals, duration, buffer) of ``event``'s technician over
        the next ``HORIZON_WORKING_DAYS`` working days, all naive UTC."""
        company = event._duret_company()
        work = self._working_intervals(event.user_id, company, now)
        if work:
            busy = self._busy_intervals(event, work[0][0], work[-1][1])
        else:
            busy = []
        duration = (event.stop or event.start) - event.start
        buffer = timedelta(minutes=max(company.duret_sms_reschedule_buffer, 0))
        return work, busy, duration, buffer

    def _working_intervals(self, technician, company, now):
        """The technician's working intervals (naive UTC, sorted) on their next working days
        from ``now``: from their own working-time calendar (with their leaves) or else the
        company's, read in the company's SMS time zone; public holidays taken out."""
        calendar = technician.resource_calendar_id or company.resource_calendar_id
        if not calendar:
            return []
        resource = technician.resource_ids.filtered(lambda r: r.company_id == company)[:1]
        tz_name = company.duret_sms_tz or "Europe/Paris"
        tz = pytz.timezone(tz_name)
        local_today = to_local(now, tz_name).date()
        begin = tz.localize(datetime.combine(local_today, time.min))
        end = tz.localize(datetime.combine(local_today + timedelta(days=SCAN_DAYS), time.min))
        intervals = calendar._work_intervals_batch(begin, end, resources=resource or None, tz=tz)
        policy = company._duret_sms_policy()
        by_day = OrderedDict()
        for start, stop, _records in intervals[resource.id if resource else False]:
            day = start.astimezone(tz).date()
            if windows.is_public_holiday(day, policy):
                continue
            utc = (self._naive_utc(start), self._naive_utc(stop))
            if utc[1] <= now:
                continue
            by_day.setdefault(day, []).append(utc)
        days = list(by_day.values())[:HORIZON_WORKING_DAYS]
        return sorted(interval for day in days for interval in day)

    def _busy_intervals(self, event, begin, end):
        """The technician's appointments around [``begin``, ``end``) other than ``event``, as
        (start, stop) naive UTC: those they did not decline, shown as busy, and not cancelled
        by every customer."""
        technician = event.user_id
        margin = timedelta(days=1)
        others = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("id", "!=", event.id),
                    ("start", "<", end + margin),
                    ("stop", ">", begin - margin),
                    "|",
                    ("user_id", "=", technician.id),
                    ("partner_ids", "in", technician.partner_id.id),
                ]
            )
        )
        busy = []
        for other in others:
            if other.show_as == "free":
                continue
            own = other.attendee_ids.filtered(lambda a: a.partner_id == technician.partner_id)
            if own and all(a.state == "declined" for a in own):
                continue
            customers = other.attendee_ids.filtered("duret_is_customer")
            if customers and all(a.state == "declined" for a in customers):
                continue
            busy.append((other._duret_start_utc(), other._duret_stop_utc()))
        return busy

    @staticmethod
    def _naive_utc(aware):
        return aware.astimezone(timezone.utc).replace(tzinfo=None)
