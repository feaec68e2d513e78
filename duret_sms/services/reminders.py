"""The J-1 appointment reminder: who is due, when, its text, and sending it by SMS or email."""

from datetime import datetime, time, timedelta

from odoo import _, fields
from odoo.exceptions import UserError

from ..core import windows
from .appointment_text import hour_to_time, to_local
from .company_crons import cron_commit
from .event_sms import EventSms


def fallback_text(attendee):
    """The reminder written in code, used when its template is missing or broken."""
    company, when = attendee.duret_rdv_company_name, attendee.duret_rdv_when
    head = (
        f"{company} : votre RDV a été déplacé au {when}"
        if attendee.duret_reminder_moved
        else f"{company} : rappel de votre RDV le {when}"
    )
    return f"{head}. Confirmer ou annuler : {attendee.duret_rdv_url}"


class AppointmentReminders:
    """Customer reminders of ``calendar.attendee``, the evening before or on demand.

    The models keep the entry points (cron, buttons, what tests and benchmarks call); the
    batches go through ``calendar.attendee._duret_remind`` and the per-company run through
    ``_duret_send_company_reminders``, so the transaction of each stays the model's.
    """

    def __init__(self, env):
        self.env = env

    # ------------------------------------------------------------------
    # The cron: what is due, company by company
    # ------------------------------------------------------------------

    def send_due(self, now, batch_size=None):
        """Remind every attendee whose reminder is due; return when the next run should be.

        Runs batch by batch; each batch records its reminders on the attendees in the same
        transaction that creates the SMS, and the cron commits it (never in tests), so a crash
        never resends what a committed batch did.
        """
        attendee_model = self.env["calendar.attendee"]
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("duret_sms.reminder_batch_size", 500)
        )
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        # One company's failure is recorded on it (Settings) and never stops the others.
        results = companies._duret_sms_run_isolated(
            "reminders",
            lambda company: attendee_model._duret_send_company_reminders(company, now, batch_size),
        )
        wake_ups = [at for at in results.values() if at]
        return min(wake_ups) if wake_ups else None

    def send_for_company(self, company, now, batch_size):
        """Remind the attendees of ``company`` whose reminder is due; return the next wake-up
        (the opening of the sending hours when reminders wait for it) or None."""
        policy = company._duret_sms_policy("transactional")
        candidates = self.candidates(company, now)
        cache = {}
        due = candidates.filtered(
            lambda a: (
                self.due_for_day(company, a.event_id._duret_local_start().date(), cache) <= now
                and a.event_id._duret_start_utc() > now
            )
        )
        if not due:
            return None
        if not windows.is_allowed(now, policy):
            opening = windows.next_allowed(now, policy)
            if any(a.event_id._duret_start_utc() > opening for a in due):
                return opening
            return None
        for start in range(0, len(due), batch_size):
            batch = due[start : start + batch_size]
            with self.env.cr.savepoint():
                batch._duret_remind(company, now)
            # What this batch sent is durable: a crash later never resends it.
            cron_commit(self.env)
        return None

    def candidates(self, company, now):
        """Attendees of ``company``'s appointments whose reminder may be due around ``now``.

        A reminder for local date D is due on the last open day before D, so the appointments
        that can be due today are those up to the first open day after today.
        """
        attendee_model = self.env["calendar.attendee"]
        policy = company._duret_sms_policy("transactional")
        today = to_local(now, company.duret_sms_tz).date()
        horizon = today + timedelta(days=1)
        for _i in range(windows.SEARCH_DAYS):
            if windows.window_for(horizon, policy):
                break
            horizon += timedelta(days=1)
        until = windows.local_to_utc(horizon + timedelta(days=1), time.min, company.duret_sms_tz)
        company_domain = [("event_id.user_id.company_id", "=", company.id)]
        if company == self.env.company:
            company_domain = ["|", ("event_id.user_id", "=", False)] + company_domain
        domain = [
            ("duret_reminder_state", "=", False),
            ("state", "!=", "declined"),
            ("partner_id", "not in", list(attendee_model._duret_internal_partner_ids())),
            ("event_id.active", "=", True),
            *company_domain,
            *self.env["calendar.event"]._duret_on_days_domain(
                now, until, today, horizon, prefix="event_id."
            ),
        ]
        return attendee_model.search(domain, order="id")

    def due_for_day(self, company, day, cache):
        """Return when reminders of appointments on local date ``day`` are due (naive UTC).

        At the company's reminder hour on the last open day before ``day``; an hour set
        outside that day's window moves inside it rather than to another day. ``cache`` (a
        dict the caller keeps for one run) saves the computation per company and day.
        """
        key = (company.id, day)
        if key not in cache:
            policy = company._duret_sms_policy("transactional")
            slot = windows.last_allowed_day_before(day, policy)
            wanted = hour_to_time(company.duret_sms_reminder_hour)
            window = windows.window_for(slot, policy)
            if wanted < window[0]:
                wanted = window[0]
            elif wanted >= window[1]:
                end = datetime.combine(slot, window[1]) - timedelta(minutes=30)
                wanted = max(end.time(), window[0])
            cache[key] = windows.local_to_utc(slot, wanted, company.duret_sms_tz)
        return cache[key]

    def next_reminder_hour(self, company, now):
        """The next instant after ``now`` at the company's reminder hour, as naive UTC."""
        today = to_local(now, company.duret_sms_tz).date()
        for day in (today, today + timedelta(days=1)):
            at = windows.local_to_utc(
                day, hour_to_time(company.duret_sms_reminder_hour), company.duret_sms_tz
            )
            if at > now:
                return at
        return None

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def remind(self, attendees, company, now, not_before=None):
        """Send the reminder of ``attendees`` (all of ``company``) now, by SMS or email; return
        the attendees reminded (or skipped) by this call, in this service's environment.

        Rows another transaction is reminding (locked) or has reminded are left out.
        """
        # The reminder cron has no language: reasons written on the appointment (reminder
        # skipped because...) read in the company's, as when office staff press "Send now".
        lang = company.partner_id.lang
        if lang and lang != self.env.lang:
            in_lang = attendees.with_context(lang=lang)
            reminded = AppointmentReminders(in_lang.env)._remind(in_lang, company, now, not_before)
            return reminded.with_env(self.env)
        return self._remind(attendees, company, now, not_before)

    def _remind(self, attendees, company, now, not_before):
        if not attendees:
            return attendees
        # The query below reads the table: pending writes (a reset of a failed reminder) first.
        attendees.flush_model(["duret_reminder_state"])
        self.env.cr.execute(
            "SELECT id FROM calendar_attendee WHERE id IN %s AND duret_reminder_state IS NULL "
            "FOR UPDATE SKIP LOCKED",
            [tuple(attendees.ids)],
        )
        locked_ids = {row[0] for row in self.env.cr.fetchall()}
        attendees = attendees.filtered(lambda a: a.id in locked_ids)
        mobiles = {a.id: a.partner_id._duret_sms_mobile(company) for a in attendees}
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        numbers = [n for n in mobiles.values() if n]
        opted_out = set(
            blacklist_sudo.search([("number", "in", numbers)]).mapped("number") if numbers else []
        )
        none = attendees.browse()
        by_sms, by_email, skipped = none, none, {}
        for attendee in attendees:
            number = mobiles[attendee.id]
            if number and number not in opted_out:
                by_sms |= attendee
            elif attendee.partner_id.email:
                by_email |= attendee
            elif number:
                skipped[attendee] = _("Opted out of SMS and no email address.")
            else:
                skipped[attendee] = _("No mobile number and no email address.")
        if by_sms:
            self._send_sms(by_sms, mobiles, company, now, not_before)
        mail_template = self.env.ref("duret_sms.mail_template_appointment_reminder")
        if by_email and not mail_template._duret_safe_to_render():
            for attendee in by_email:
                skipped[attendee] = _(
                    "The e-mail reminder template holds more than field placeholders: an "
                    "administrator must check it."
                )
            by_email = by_email.browse()
        if by_email:
            for attendee in by_email:
                mail_template.send_mail(
                    attendee.id, email_layout_xmlid="mail.mail_notification_light"
                )
            by_email.write(
                {
                    "duret_reminder_state": "done",
                    "duret_reminder_channel": "email",
                    "duret_reminder_sent_at": now,
                    "duret_reminder_sms_id": False,
                    "duret_reminder_skip_reason": False,
                }
            )
        for attendee, reason in skipped.items():
            attendee.write(
                {
                    "duret_reminder_state": "skipped",
                    "duret_reminder_sent_at": now,
                    "duret_reminder_skip_reason": reason,
                }
            )
        return attendees

    def _send_sms(self, attendees, mobiles, company, now, not_before):
        bodies = self.bodies(attendees, company)
        # sms.sms is a technical model (system ACL); office users may press "Send now". Each
        # reminder shows on its appointment's chatter with its delivery status.
        sms_sudo = EventSms(self.env).create_sms(
            [attendee.event_id for attendee in attendees],
            [
                {
                    "number": mobiles[attendee.id],
                    "body": bodies[attendee.id],
                    "partner_id": attendee.partner_id.id,
                    "company_id": company.id,
                    "duret_not_before": not_before,
                    "duret_is_reminder": True,
                    "duret_kind": "reminder",
                }
                for attendee in attendees
            ],
            self.env["sms.sms"].sudo().with_context(duret_sms_category="transactional"),
        )
        for attendee, sms in zip(attendees, sms_sudo, strict=True):
            attendee.write(
                {
                    "duret_reminder_state": "done",
                    "duret_reminder_channel": "sms",
                    "duret_reminder_sent_at": now,
                    "duret_reminder_sms_id": sms.id,
                    "duret_reminder_skip_reason": False,
                }
            )
        sms_sudo.send()

    def bodies(self, attendees, company=None):
        """{attendee id: reminder text}: "Votre RDV a été déplacé au ..." for moved ones."""
        templates = self.env["sms.template"]
        bodies = {}
        moved = attendees.filtered("duret_reminder_moved")
        # The company's choice of reminder text: one segment by default, or the fuller one.
        reminder = (company or self.env.company)._duret_sms_reminder_template()
        for group, xmlid in (
            (attendees - moved, reminder),
            (moved, "duret_sms.sms_template_appointment_moved"),
        ):
            if group:
                bodies.update(templates._duret_render(xmlid, group, fallback_text))
        return bodies

    # ------------------------------------------------------------------
    # "Send now" on an appointment
    # ------------------------------------------------------------------

    def send_now(self, event):
        """Send ``event``'s reminder to the customers not reminded yet (or whose SMS failed);
        return the notification action that says what happened.

        :raise UserError: without the company's own provider, for an appointment over or
            archived, or when every customer was reminded already.
        """
        company = event._duret_company()
        if not company._duret_sms_uses_own_provider():
            raise UserError(
                _("SMS reminders need the Twilio or Sandbox provider (Settings > SMS).")
            )
        now = fields.Datetime.now()
        if event._duret_start_utc() <= now or not event.active:
            raise UserError(_("This appointment is over or archived: no reminder."))
        attendees = event.attendee_ids.filtered(
            lambda a: (
                a.duret_is_customer
                and a.state != "declined"
                and a.duret_reminder_status in ("scheduled", "failed", "skipped")
            )
        )
        if not attendees:
            raise UserError(_("Every customer of this appointment has already been reminded."))
        # A failed or skipped reminder may be sent again on purpose.
        attendees.write({"duret_reminder_state": False, "duret_reminder_channel": False})
        policy = company._duret_sms_policy("transactional")
        opening = windows.next_allowed(now, policy)
        deferred = opening > now
        reminded = attendees._duret_remind(company, now, not_before=opening if deferred else None)
        messages = []
        by_sms = reminded.filtered(
            lambda a: a.duret_reminder_state == "done" and a.duret_reminder_channel == "sms"
        )
        by_email = reminded.filtered(
            lambda a: a.duret_reminder_state == "done" and a.duret_reminder_channel == "email"
        )
        if by_sms and deferred:
            local = to_local(opening, company.duret_sms_tz)
            messages.append(
                _(
                    "Outside sending hours: the reminder SMS to %(count)s customer(s) will go "
                    "on %(date)s at %(time)s.",
                    count=len(by_sms),
                    date=local.strftime("%d/%m/%Y"),
                    time=local.strftime("%H:%M"),
                )
            )
        elif by_sms:
            messages.append(_("Reminder SMS sent to %(count)s customer(s).", count=len(by_sms)))
        if by_email:
            messages.append(
                _(
                    "Reminder sent by email to %(names)s (no SMS possible).",
                    names=", ".join(by_email.partner_id.mapped("name")),
                )
            )
        for attendee in reminded.filtered(lambda a: a.duret_reminder_state == "skipped"):
            messages.append(
                _(
                    "%(name)s not reminded: %(reason)s",
                    name=attendee.partner_id.name,
                    reason=attendee.duret_reminder_skip_reason,
                )
            )
        if len(reminded) < len(attendees):
            messages.append(
                _(
                    "%(count)s customer(s) are being reminded by another process right now.",
                    count=len(attendees) - len(reminded),
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": " ".join(messages),
                "type": "success" if by_sms or by_email else "warning",
                "sticky": not (by_sms or by_email),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
