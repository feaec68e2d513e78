import logging
import re
import unicodedata
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from markupsafe import Markup

from odoo import _, api, fields, models

from ..core import encoding, windows
from ..services.company_crons import cron_commit
from .sms_sms_category import urgent_alert_context

_logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
# French day and month names written out: the customer's texts must not depend on which
# languages are installed in the database.
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# All-day events are stored as naive 08:00 (calendar's convention): read as company-local 08:00.
ALLDAY_START = time(8)
REMINDER_STATUSES = [
    ("scheduled", "Scheduled"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("email", "Sent by Email"),
]
SMS_STATE_TO_STATUS = {
    "outgoing": "sent",
    "process": "sent",
    "pending": "sent",
    "sent": "delivered",
    "error": "failed",
    "canceled": "failed",
}
ANSWERS = [("none", "None"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")]


def gsm_safe(text):
    """Return ``text`` with every character outside GSM-7 replaced by its unaccented letter.

    Customer names and addresses ("François", "Hôtel de Ville") would otherwise switch the
    whole SMS to UCS-2 and double its cost; "ç" reads fine as "c" on a phone.
    """
    out = []
    for char in encoding.smart_encode(text or ""):
        if char in encoding.GSM_BASIC or char in encoding.GSM_EXTENSION:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(c in encoding.GSM_BASIC for c in base) else "?")
    return "".join(out)


def to_local(when_utc, tz):
    """Naive UTC → aware datetime in ``tz``."""
    return when_utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))


def hour_to_time(hour):
    """17.5 → 17:30 (float hours as in Odoo's float_time widget)."""
    minutes = min(round(hour * 60), 24 * 60 - 1)
    return time(minutes // 60, minutes % 60)


def fr_long_date(local_dt):
    """ "mardi 7 avril 2026" (web pages and emails: accents are fine there)."""
    month = FR_MONTHS[local_dt.month - 1]
    return f"{FR_DAYS[local_dt.weekday()]} {local_dt.day} {month} {local_dt.year}"


def fr_time(local_dt):
    return f"{local_dt.hour}h{local_dt.minute:02d}"


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    # The per-attendee token is the key of the /rdv/ pages: indexed for the public lookup.
    access_token = fields.Char(index=True)
    duret_reminder_state = fields.Selection(
        [("done", "Done"), ("skipped", "Skipped")],
        "Reminder",
        copy=False,
        readonly=True,
        help="Set in the same transaction as the reminder itself: a reminder is never sent twice.",
    )
    duret_reminder_channel = fields.Selection(
        [("sms", "SMS"), ("email", "Email")], "Reminder Channel", copy=False, readonly=True
    )
    duret_reminder_sent_at = fields.Datetime("Reminded On", copy=False, readonly=True)
    duret_reminder_sms_id = fields.Many2one(
        "sms.sms",
        "Reminder SMS",
        copy=False,
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    duret_reminder_skip_reason = fields.Char("Reminder Skipped Because", copy=False, readonly=True)
    duret_reminder_status = fields.Selection(
        REMINDER_STATUSES,
        "Reminder Status",
        compute="_compute_duret_reminder_status",
        store=True,
    )
    duret_customer_answer = fields.Selection(
        ANSWERS, "Customer Answer", default="none", required=True, copy=False, readonly=True
    )
    duret_answer_channel = fields.Selection(
        [("web", "Web page"), ("sms", "SMS reply")], "Answered By", copy=False, readonly=True
    )
    duret_answer_at = fields.Datetime("Answered On", copy=False, readonly=True)
    duret_is_customer = fields.Boolean(
        "Customer", compute="_compute_duret_is_customer", help="Not one of the company's users."
    )
    # Pieces of the reminder texts, computed for a whole batch at once (prefetch): the SMS
    # template only glues them together.
    duret_rdv_company_id = fields.Many2one("res.company", compute="_compute_duret_rdv_texts")
    duret_rdv_customer = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_when = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_address = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_technician = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_company_name = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_company_phone = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_url = fields.Char(compute="_compute_duret_rdv_texts")

    @api.depends("partner_id")
    def _compute_duret_is_customer(self):
        internal = self._duret_internal_partner_ids()
        for attendee in self:
            attendee.duret_is_customer = attendee.partner_id.id not in internal

    @api.depends(
        "partner_id",
        "duret_reminder_state",
        "duret_reminder_channel",
        "duret_reminder_sms_id",
    )
    def _compute_duret_reminder_status(self):
        # Not "duret_reminder_sms_id.state": Odoo would then look for attendees on every SMS
        # state change, one more query in every Odoo SMS send. sms.sms.write tells the
        # attendees of reminder SMS instead (see _duret_reminder_sms_changed).
        internal = self._duret_internal_partner_ids()
        for attendee in self:
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

    @api.model
    def _duret_reminder_sms_changed(self, sms):
        """Recompute the reminder status of the attendees whose reminder is one of ``sms``."""
        attendees = self.sudo().search([("duret_reminder_sms_id", "in", sms.ids)])
        attendees.modified(["duret_reminder_sms_id"])

    @api.depends("event_id.start", "event_id.location", "partner_id", "access_token")
    @api.depends_context("uid")
    def _compute_duret_rdv_texts(self):
        for attendee in self:
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
            attendee.duret_rdv_url = company._duret_public_url(f"/rdv/{attendee.access_token}")

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        attendees = super().create(vals_list)
        # An appointment booked after its reminder slot is reminded at the cron's next run.
        if attendees.event_id.filtered(lambda e: e.start and e._duret_company_is_ours()):
            self.env["calendar.event"]._duret_trigger_reminder_cron()
        return attendees

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _duret_internal_partner_ids(self):
        """Partners of the company's own (internal) users, archived users included."""
        users = self.env["res.users"].sudo().with_context(active_test=False)
        return set(users.search([("share", "=", False)]).partner_id.ids)

    def _duret_address(self):
        self.ensure_one()
        if self.event_id.location:
            return self.event_id.location
        partner = self.partner_id
        town = " ".join(filter(None, [partner.zip, partner.city]))
        return ", ".join(filter(None, [partner.street, partner.street2, town]))

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------

    @api.model
    def _duret_reminder_candidates(self, company, now):
        """Attendees of ``company``'s appointments whose reminder may be due around ``now``.

        A reminder for local date D is due on the last open day before D, so the appointments
        that can be due today are those up to the first open day after today.
        """
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
            ("partner_id", "not in", list(self._duret_internal_partner_ids())),
            ("event_id.active", "=", True),
            *company_domain,
            *self.env["calendar.event"]._duret_on_days_domain(
                now, until, today, horizon, prefix="event_id."
            ),
        ]
        return self.search(domain, order="id")

    def _duret_reminder_due_at(self, company, cache):
        """Return the naive UTC instant this attendee's reminder is due at."""
        self.ensure_one()
        return self._duret_reminder_due_for_day(
            company, self.event_id._duret_local_start().date(), cache
        )

    @api.model
    def _duret_reminder_due_for_day(self, company, day, cache):
        """Return when reminders of appointments on local date ``day`` are due (naive UTC).

        At the company's reminder hour on the last open day before ``day``; an hour set
        outside that day's window moves inside it rather than to another day.
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

    @api.model
    def _duret_send_due_reminders(self, now=None, batch_size=None):
        """Remind every attendee whose reminder is due; return when the next run should be.

        Runs batch by batch; each batch records its reminders on the attendees in the same
        transaction that creates the SMS, and the cron commits it (never in tests), so a crash
        never resends what a committed batch did.
        """
        now = now or fields.Datetime.now()
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("duret_sms.reminder_batch_size", 500)
        )
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        # One company's failure is recorded on it (Settings) and never stops the others.
        results = companies._duret_sms_run_isolated(
            "reminders",
            lambda company: self._duret_send_company_reminders(company, now, batch_size),
        )
        wake_ups = [at for at in results.values() if at]
        return min(wake_ups) if wake_ups else None

    @api.model
    def _duret_send_company_reminders(self, company, now, batch_size):
        """Remind the attendees of ``company`` whose reminder is due; return the next wake-up
        (the opening of the sending hours when reminders wait for it) or None."""
        policy = company._duret_sms_policy("transactional")
        candidates = self._duret_reminder_candidates(company, now)
        cache = {}
        due = candidates.filtered(
            lambda a: (
                a._duret_reminder_due_at(company, cache) <= now
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

    def _duret_remind(self, company, now, not_before=None):
        """Send the reminder of these attendees (all of ``company``) now, by SMS or email.

        Rows another transaction is reminding (locked) or has reminded are left out.
        """
        if not self:
            return self
        # The query below reads the table: pending writes (a reset of a failed reminder) first.
        self.flush_model(["duret_reminder_state"])
        self.env.cr.execute(
            "SELECT id FROM calendar_attendee WHERE id IN %s AND duret_reminder_state IS NULL "
            "FOR UPDATE SKIP LOCKED",
            [tuple(self.ids)],
        )
        locked_ids = {row[0] for row in self.env.cr.fetchall()}
        attendees = self.filtered(lambda a: a.id in locked_ids)
        mobiles = {a.id: a.partner_id._duret_sms_mobile(company) for a in attendees}
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        numbers = [n for n in mobiles.values() if n]
        opted_out = set(
            blacklist_sudo.search([("number", "in", numbers)]).mapped("number") if numbers else []
        )
        by_sms, by_email, skipped = self.browse(), self.browse(), {}
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
            bodies = by_sms._duret_reminder_bodies(company)
            # sms.sms is a technical model (system ACL); office users may press "Send now".
            sms_sudo = (
                self.env["sms.sms"]
                .sudo()
                .with_context(duret_sms_category="transactional")
                .create(
                    [
                        {
                            "number": mobiles[attendee.id],
                            "body": bodies[attendee.id],
                            "partner_id": attendee.partner_id.id,
                            "company_id": company.id,
                            "duret_not_before": not_before,
                            "duret_is_reminder": True,
                        }
                        for attendee in by_sms
                    ]
                )
            )
            for attendee, sms in zip(by_sms, sms_sudo, strict=True):
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
        if by_email:
            mail_template = self.env.ref("duret_sms.mail_template_appointment_reminder")
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

    # ------------------------------------------------------------------
    # Customer answers (web page and SMS replies)
    # ------------------------------------------------------------------

    def _duret_customer_confirm(self, channel):
        """Record that the customer confirms the appointment (``channel``: web or sms).

        Returns True when something changed; False when it was already confirmed or had been
        cancelled (a cancelled appointment is rebooked by the office, not by a tap).
        """
        self.ensure_one()
        if self.duret_customer_answer != "none":
            return False
        self.do_accept()
        self.write(
            {
                "duret_customer_answer": "confirmed",
                "duret_answer_channel": channel,
                "duret_answer_at": fields.Datetime.now(),
            }
        )
        self.event_id.message_post(
            body=_(
                "%(customer)s confirmed the appointment (%(channel)s).",
                customer=self.partner_id.name,
                channel=self._duret_channel_label(channel),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _duret_customer_cancel(self, channel):
        """Record that the customer cancels the appointment (``channel``: web or sms).

        Declines the attendee, marks the appointment cancelled by the customer, gives the
        organizer a to-do and, when the company wants it, texts them. Returns True when
        something changed, False when it was already cancelled.
        """
        self.ensure_one()
        if self.duret_customer_answer == "cancelled":
            return False
        event = self.event_id
        self.do_decline()
        self.write(
            {
                "duret_customer_answer": "cancelled",
                "duret_answer_channel": channel,
                "duret_answer_at": fields.Datetime.now(),
            }
        )
        event.message_post(
            body=_(
                "%(customer)s cancelled the appointment (%(channel)s).",
                customer=self.partner_id.name,
                channel=self._duret_channel_label(channel),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._duret_schedule_cancel_activity()
        company = event._duret_company()
        if company.duret_sms_cancel_alert and company._duret_sms_uses_own_provider():
            self._duret_alert_technician(company)
        return True

    @api.model
    def _duret_channel_label(self, channel):
        return _("SMS reply") if channel == "sms" else _("web page")

    def _duret_activity_record(self):
        """Where a to-do about this attendee goes: calendar.event has no activities of its
        own, so on the linked document when it has some (a task, an order...), else on the
        customer."""
        self.ensure_one()
        event = self.event_id
        if event.res_model and event.res_id:
            document = self.env[event.res_model].browse(event.res_id).exists()
            if document and hasattr(document, "activity_schedule"):
                return document
        return self.partner_id

    def _duret_schedule_cancel_activity(self):
        self.ensure_one()
        event = self.event_id
        local = event._duret_local_start()
        self._duret_activity_record().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=event.user_id.id or self.env.ref("base.user_admin").id,
            summary=_("Appointment cancelled by the customer"),
            # An HTML field: names are escaped (a contact's name is not trusted markup).
            note=Markup("<p>%s</p>")
            % _(
                "%(customer)s cancelled %(event)s of %(date)s: call them to book a new slot.",
                customer=self.partner_id.name,
                event=event.name,
                date=local.strftime("%d/%m/%Y %H:%M"),
            ),
        )

    def _duret_alert_technician(self, company):
        self.ensure_one()
        technician = self.event_id.user_id.partner_id
        number = technician._duret_sms_mobile(company)
        if not number:
            return
        body = gsm_safe(
            self.env["sms.template"]._duret_render(
                "duret_sms.sms_template_technician_cancel_alert",
                self,
                lambda a: (
                    f"ANNULATION {a.duret_rdv_customer} a annule le RDV du "
                    f"{a.duret_rdv_when} ({a.duret_rdv_address}). {a.duret_rdv_company_name}"
                ),
            )[self.id]
        )
        # sms.sms is a technical model (system ACL): the customer's answer is anonymous.
        self.env["sms.sms"].sudo().with_context(**urgent_alert_context()).create(
            {
                "number": number,
                "body": body,
                "partner_id": technician.id,
                "company_id": company.id,
            }
        ).send()

    # ------------------------------------------------------------------
    # The /rdv/ pages
    # ------------------------------------------------------------------

    @api.model
    def _duret_rdv_find(self, token):
        """Return the attendee of a valid ``/rdv/`` token, as superuser, or an empty recordset.

        Tokens only work for customers, on active appointments that are not over yet.
        """
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            return self.browse()
        # Public page: the token itself is the customer's credential, found as superuser.
        attendee_sudo = self.sudo().search([("access_token", "=", token)], limit=1)
        event = attendee_sudo.event_id
        if (
            not attendee_sudo
            or not event.active
            or not attendee_sudo.duret_is_customer
            or event._duret_stop_utc() <= fields.Datetime.now()
        ):
            return self.browse()
        return attendee_sudo

    @api.model
    def _duret_rdv_page(self, token, action=None):
        """Values of the ``/rdv/`` page for ``token``, after ``action`` (confirm or cancel).

        Returns None when the token is unknown or expired. ``action`` is only given for POST.
        """
        attendee_sudo = self._duret_rdv_find(token)
        if not attendee_sudo:
            return None
        changed = False
        if action == "confirm":
            changed = attendee_sudo._duret_customer_confirm("web")
        elif action == "cancel":
            changed = attendee_sudo._duret_customer_cancel("web")
        event = attendee_sudo.event_id
        local = event._duret_local_start()
        return {
            "token": token,
            "action": action,
            "changed": changed,
            "answer": attendee_sudo.duret_customer_answer,
            "customer": attendee_sudo.partner_id.name,
            "purpose": event.name or "",
            "date": fr_long_date(local),
            "hour_text": "Toute la journée" if event.allday else fr_time(local),
            "window_text": attendee_sudo._duret_rdv_window(local),
            "address": attendee_sudo._duret_address(),
            "technician": event.user_id.name or "",
            **event._duret_company()._duret_public_contact(),
        }

    def _duret_rdv_window(self, local_start):
        """The appointment's slot as the customer reads it: "de 14h00 à 16h00"."""
        self.ensure_one()
        event = self.event_id
        if event.allday:
            return "Toute la journée"
        tz = event._duret_company().duret_sms_tz
        local_stop = to_local(event.stop or event.start, tz).replace(tzinfo=None)
        if local_stop <= local_start:
            return f"à {fr_time(local_start)}"
        return f"de {fr_time(local_start)} à {fr_time(local_stop)}"
