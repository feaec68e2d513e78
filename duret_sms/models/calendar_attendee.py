"""Customers' appointments as the SMS side sees them: reminder, answer, visit, links.

The longer work lives in plain classes of ``..services`` (reminders, how they read, their
follow-up, the customer's answers and pages, short links, visits); the methods here are Odoo's
hooks and the entry points that controllers, other models, crons, views and tests call.
"""

from odoo import api, fields, models

from ..services.customer_answers import CustomerAnswers
from ..services.ratings import RatingPages
from ..services.rdv_pages import RdvPages, new_rdv_token
from ..services.reminder_display import ReminderDisplay
from ..services.reminder_followup import ReminderFollowup
from ..services.reminders import AppointmentReminders
from ..services.short_links import ShortLinks, new_token, one_segment_parts
from ..services.visit_messages import VisitMessages, visit_text_parts
from ..services.visits import VisitRecords

REMINDER_STATUSES = [
    ("scheduled", "Scheduled"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("email", "Sent by Email"),
]
ANSWERS = [("none", "None"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")]
ATTENDANCE = [("done", "Done"), ("absent", "Customer absent")]


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    # The key of the /rdv/ pages: our own, not Odoo's calendar invitation token (access_token,
    # which Odoo's GET routes /calendar/meeting/accept|decline act on). 128 random bits in hex,
    # set at creation; internal users only (portal users never read it).
    duret_rdv_token = fields.Char(
        "Appointment Page Token",
        copy=False,
        readonly=True,
        index=True,
        groups="base.group_user",
    )
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
    duret_reminder_note = fields.Char("Details", compute="_compute_duret_reminder_note")
    duret_reminder_moved = fields.Boolean(
        "Appointment Moved",
        copy=False,
        readonly=True,
        help="The appointment was moved after its reminder went: the next reminder says so.",
    )
    duret_reminder_fallback = fields.Selection(
        [("email", "Email sent"), ("activity", "Office told")],
        "Reminder Fallback",
        copy=False,
        readonly=True,
        help="What was done when the reminder SMS could not be delivered.",
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
    # No-shows, as the office or the technician records them: never guessed from silence.
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
    # Pieces of the reminder texts, computed for a whole batch at once (prefetch): the SMS
    # template only glues them together.
    duret_rdv_company_id = fields.Many2one("res.company", compute="_compute_duret_rdv_texts")
    duret_rdv_customer = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_when = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_address = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_technician = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_company_name = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_company_phone = fields.Char(compute="_compute_duret_rdv_texts")
    duret_rdv_url = fields.Char(compute="_compute_duret_rdv_texts", groups="base.group_user")
    # 96 random bits in base64url (16 characters): the /r/ link of one-segment reminders. Set at
    # creation (the upgrade to 17.0.1.1.0 gives one to attendees of appointments still ahead).
    duret_short_token = fields.Char("Short Link Token", copy=False, readonly=True)
    duret_rdv_where = fields.Char(
        "Short Place", compute="_compute_duret_rdv_short", help="Fits what one SMS leaves."
    )
    duret_rdv_short_url = fields.Char("Short Link", compute="_compute_duret_rdv_short")
    duret_rdv_when_short = fields.Char("Short Date", compute="_compute_duret_rdv_short")
    # The visit's other texts (services/visit_messages.py), each sent once: when it went.
    duret_confirmation_at = fields.Datetime("Booking Confirmed On", copy=False, readonly=True)
    duret_same_day_at = fields.Datetime("Same-Day Reminder On", copy=False, readonly=True)
    duret_thank_you_at = fields.Datetime("Thanked On", copy=False, readonly=True)
    duret_visit_where = fields.Char("Place (Confirmation)", compute="_compute_duret_visit_texts")
    duret_visit_hour = fields.Char("Hour", compute="_compute_duret_visit_texts")
    duret_eta_text = fields.Char("Arrival Time", compute="_compute_duret_visit_texts")
    duret_technician_first = fields.Char("Technician", compute="_compute_duret_visit_texts")
    duret_rating_url = fields.Char("Rating Link", compute="_compute_duret_visit_texts")
    # The customer's satisfaction, from the thank-you's page (services/ratings.py).
    duret_rating = fields.Integer("Rating", copy=False, readonly=True, help="1 to 5.")
    duret_rating_comment = fields.Text("Rating Comment", copy=False, readonly=True)
    duret_rating_at = fields.Datetime("Rated On", copy=False, readonly=True)

    _sql_constraints = [
        (
            "duret_rating_range",
            "CHECK(duret_rating IS NULL OR duret_rating = 0 OR duret_rating BETWEEN 1 AND 5)",
            "A rating goes from 1 to 5.",
        ),
        (
            "duret_short_token_unique",
            "unique(duret_short_token)",
            "Each appointment link must be unique.",
        ),
        (
            "duret_rdv_token_unique",
            "unique(duret_rdv_token)",
            "Each appointment link must be unique.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes (how a reminder reads: services/reminder_display.py)
    # ------------------------------------------------------------------

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
        ReminderDisplay(self.env).compute_status(self)

    @api.depends(
        "duret_reminder_status",
        "duret_reminder_skip_reason",
        "duret_reminder_sms_id",
        "duret_is_customer",
    )
    @api.depends_context("lang")
    def _compute_duret_reminder_note(self):
        """How the reminder reads in the appointment's reminders tab."""
        ReminderDisplay(self.env).compute_note(self)

    @api.depends("event_id.start", "event_id.location", "partner_id", "duret_rdv_token")
    @api.depends_context("uid")
    def _compute_duret_rdv_texts(self):
        ReminderDisplay(self.env).compute_rdv_texts(self)

    @api.depends(
        "duret_short_token",
        "duret_rdv_token",
        "partner_id.street",
        "partner_id.city",
        "event_id.start",
        "event_id.location",
    )
    @api.depends_context("uid")
    def _compute_duret_rdv_short(self):
        for attendee in self:
            attendee.update(one_segment_parts(attendee))

    @api.depends(
        "duret_short_token",
        "event_id.start",
        "event_id.user_id",
        "event_id.duret_en_route_eta",
        "event_id.location",
        "event_id.allday",
        "partner_id.street",
        "partner_id.city",
    )
    @api.depends_context("uid")
    def _compute_duret_visit_texts(self):
        for attendee in self:
            attendee.update(visit_text_parts(attendee))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [
            dict(vals, duret_short_token=new_token(), duret_rdv_token=new_rdv_token())
            for vals in vals_list
        ]
        attendees = super().create(vals_list)
        # An appointment booked after its reminder slot is reminded at the cron's next run.
        if attendees.event_id.filtered(lambda e: e.start and e._duret_company_is_ours()):
            self.env["calendar.event"]._duret_trigger_reminder_cron()
        VisitMessages(self.env).on_attendees_created(attendees)
        return attendees

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_duret_mark_done(self):
        return self._duret_set_attendance("done")

    def action_duret_mark_absent(self):
        return self._duret_set_attendance("absent")

    def action_duret_attendance_reset(self):
        return self._duret_set_attendance(False)

    def _duret_set_attendance(self, attendance):
        """Record whether these customers were there (``done``/``absent``, False to undo);
        see ``VisitRecords.record``."""
        result = VisitRecords(self.env).record(self, attendance)
        if attendance == "done":
            VisitMessages(self.env).thank(self)
        return result

    # ------------------------------------------------------------------
    # Reminders (see ..services.reminders and ..services.reminder_followup)
    # ------------------------------------------------------------------

    @api.model
    def _duret_send_due_reminders(self, now=None, batch_size=None):
        """Remind every attendee whose reminder is due; return when the next run should be."""
        now = now or fields.Datetime.now()
        return AppointmentReminders(self.env).send_due(now, batch_size)

    @api.model
    def _duret_send_company_reminders(self, company, now, batch_size):
        """Remind the attendees of ``company`` whose reminder is due; return the next wake-up
        or None. A failure here is the company's alone (see ``_duret_send_due_reminders``)."""
        return AppointmentReminders(self.env).send_for_company(company, now, batch_size)

    @api.model
    def _duret_reminder_due_for_day(self, company, day, cache):
        """Return when reminders of appointments on local date ``day`` are due (naive UTC)."""
        return AppointmentReminders(self.env).due_for_day(company, day, cache)

    def _duret_remind(self, company, now, not_before=None):
        """Send the reminder of these attendees (all of ``company``) now, by SMS or email;
        return those reminded or skipped. Rows another transaction is reminding (locked) or
        has reminded are left out."""
        return AppointmentReminders(self.env).remind(self, company, now, not_before=not_before)

    @api.model
    def _duret_reminder_sms_changed(self, sms):
        """Reminder SMS ``sms`` changed state: recompute their attendees' reminder status and
        follow up the failed ones (email, else a call for the office)."""
        # Whoever changed the SMS (the queue, a delivery report), every attendee it reminds.
        attendees_sudo = self.sudo().search([("duret_reminder_sms_id", "in", sms.ids)])
        attendees_sudo.modified(["duret_reminder_sms_id"])
        ReminderFollowup(attendees_sudo.env).follow_up_failed(sms)

    # ------------------------------------------------------------------
    # Customer answers and pages (see ..services.customer_answers, rdv_pages, short_links)
    # ------------------------------------------------------------------

    def _duret_customer_confirm(self, channel):
        """The customer confirms (``channel``: web or sms); True when something changed."""
        return CustomerAnswers(self.env).confirm(self, channel)

    def _duret_customer_cancel(self, channel):
        """The customer cancels (``channel``: web or sms); True when something changed."""
        return CustomerAnswers(self.env).cancel(self, channel)

    @api.model
    def _duret_rdv_page(self, token, action=None):
        """Values of the ``/rdv/`` page for ``token`` after ``action`` (confirm or cancel, on
        POST only), or None for an unknown or expired token."""
        return RdvPages(self.env).page(token, action=action)

    @api.model
    def _duret_rating_page(self, token, rating=None, comment=None):
        """Values of the ``/avis/`` page for short ``token`` after recording ``rating`` (POST
        only; a visit is rated once), or None for an unknown token or a visit not done."""
        return RatingPages(self.env).page(token, rating=rating, comment=comment)

    @api.model
    def _duret_rdv_reschedule(self, token, slot=None):
        """Values of the ``/rdv/reschedule/`` page for ``token``, after moving the visit to
        ``slot`` (POST only); None for an unknown or expired token (see
        ``RdvPages.reschedule``)."""
        return RdvPages(self.env).reschedule(token, slot=slot)

    @api.model
    def _duret_rdv_find_short(self, short_token):
        """Return the attendee (as superuser) of a valid ``/r/`` token, or an empty recordset."""
        return ShortLinks(self.env).find(short_token)

    def _duret_ensure_short_token(self):
        """Give every attendee of ``self`` its short link token if it has none yet."""
        ShortLinks(self.env).ensure_tokens(self)

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
