"""sms.sms: every SMS of a Twilio/Sandbox company goes through the duret_sms queue.

The longer concerns live in plain classes of ``services/`` that this model calls: the queue
runner (``sms_queue``), the compliance gate (``sms_gate``), states and Twilio's statuses and
prices (``sms_status``), staff actions (``sms_staff_actions``), opt-out links (``sms_optout``),
internal urgent SMS (``sms_urgent``), history retention (``sms_retention``), the cost
estimate (``sms_cost``), the values of new SMS (``sms_create``) and how an SMS reads for
office staff (``sms_display``).
"""

from odoo import api, fields, models

from ..services.conversations import Conversations
from ..services.sms_cost import SmsCost
from ..services.sms_create import SmsCreation
from ..services.sms_display import SmsDisplay
from ..services.sms_gate import SmsGate
from ..services.sms_optout import SmsOptout
from ..services.sms_queue import SmsQueue
from ..services.sms_retention import SmsRetention
from ..services.sms_staff_actions import SmsStaffActions
from ..services.sms_status import SmsStatus
from ..services.sms_urgent import FAILED_STATES, LEFT_STATES, UrgentSmsNotice, may_send_urgent

CATEGORIES = [
    ("transactional", "Transactional"),
    ("commercial", "Commercial"),
    ("dunning", "Dunning"),
    ("internal_urgent", "Internal urgent"),
]
# What an SMS about a visit is, for the SMS analysis (the category above decides the rules).
KINDS = [
    ("confirmation", "Booking confirmation"),
    ("reminder", "Reminder"),
    ("same_day", "Same-day reminder"),
    ("en_route", "Technician en route"),
    ("thank_you", "Thank-you"),
]


class SmsSms(models.Model):
    _inherit = "sms.sms"

    failure_type = fields.Selection(
        selection_add=[
            ("sms_expired", "Expired"),
            ("sms_invalid_destination", "Invalid Destination"),
            ("sms_not_allowed", "Not Allowed"),
            ("sms_not_delivered", "Not Delivered"),
            ("sms_rejected", "Rejected"),
        ]
    )
    company_id = fields.Many2one(
        "res.company", "Company", index=True, default=lambda self: self.env.company
    )
    duret_provider = fields.Selection(
        [("twilio", "Twilio"), ("sandbox", "Sandbox")],
        "Sent Through",
        readonly=True,
        copy=False,
        help="Set when the SMS is handed over; Sandbox SMS never left Odoo.",
    )
    duret_category = fields.Selection(
        CATEGORIES,
        "Category",
        default=lambda self: self.env.context.get("duret_sms_category") or "transactional",
        required=True,
    )
    duret_optout_ack = fields.Boolean(
        "Opt-out Confirmation",
        copy=False,
        help="The one SMS confirming an opt-out: it may reach the number that just opted out.",
    )
    duret_answers_inbound_at = fields.Datetime(
        "Answers SMS Of",
        readonly=True,
        copy=False,
        help="A direct answer to the customer's SMS received then: it goes outside the sending "
        "hours within an hour of it.",
    )
    duret_is_reminder = fields.Boolean(
        "Appointment Reminder", readonly=True, copy=False, help="Sent by the reminder cron."
    )
    duret_kind = fields.Selection(KINDS, "Kind", readonly=True, copy=False, index="btree_not_null")
    duret_expires_at = fields.Datetime(
        "Pointless After",
        readonly=True,
        copy=False,
        help="Cancelled rather than sent after this time (the arrival an en-route SMS announces).",
    )
    twilio_sid = fields.Char("Twilio SID", readonly=True, copy=False, index="btree_not_null")
    twilio_status = fields.Char("Twilio Status", readonly=True, copy=False)
    twilio_error_code = fields.Integer("Twilio Error Code", readonly=True, copy=False)
    duret_failure_reason = fields.Char("Failure Reason", readonly=True, copy=False)
    duret_segments = fields.Integer("Segments", readonly=True, copy=False)
    duret_encoding = fields.Char("Encoding", readonly=True, copy=False)
    # Twilio prices have four decimals (0.0760 EUR a segment); five only showed a trailing zero.
    duret_price = fields.Float("Price", digits=(12, 4), readonly=True, copy=False)
    duret_price_unit = fields.Char("Currency", readonly=True, copy=False)
    duret_price_known = fields.Boolean("Price Known", readonly=True, copy=False)
    duret_handover_at = fields.Datetime("Handed Over On", readonly=True, copy=False)
    duret_status_at = fields.Datetime("Last Status On", readonly=True, copy=False)
    duret_retry_count = fields.Integer("Retries", readonly=True, copy=False)
    duret_not_before = fields.Datetime(
        "Not Before",
        copy=False,
        index="btree_not_null",
        help="Queued SMS wait until this time (sending hours, weekly caps, retry backoff).",
    )
    # How an SMS reads for office staff: reasons and statuses in their language, money as money
    # (the translation tables are in tools/twilio_texts.py).
    duret_currency_id = fields.Many2one(
        "res.currency", "Price Currency", compute="_compute_duret_currency_id"
    )
    duret_failure_text = fields.Text(
        "Why",
        compute="_compute_duret_texts",
        help="Why the SMS failed or was cancelled, in your language.",
    )
    duret_deferral_text = fields.Text(
        "Waiting",
        compute="_compute_duret_texts",
        help="Why the SMS waits in the queue and until when: it will be sent by itself.",
    )
    # Labels differ from the stored fields' (Odoo warns at install on two fields with one
    # label); the views show them as "Twilio Status" and "Why".
    duret_twilio_status_label = fields.Char(
        "Twilio Status (in Words)", compute="_compute_duret_texts"
    )
    duret_error_code_text = fields.Char("Error Code", compute="_compute_duret_texts")
    duret_is_deferred = fields.Boolean("Deferred", compute="_compute_duret_texts")
    # One line each, for the list view (Text columns wrap and make rows screen-high).
    duret_body_preview = fields.Char("Message", compute="_compute_duret_body_preview")
    duret_failure_summary = fields.Char("Why (Summary)", compute="_compute_duret_texts")
    # What office staff can do from the SMS history (see the actions below).
    duret_can_retry = fields.Boolean("Can Be Retried", compute="_compute_duret_actions")
    duret_can_cancel = fields.Boolean("Can Be Cancelled", compute="_compute_duret_actions")
    duret_retry_of_id = fields.Many2one(
        "sms.sms",
        "Retry Of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The failed SMS this one sends again.",
    )
    duret_retry_ids = fields.One2many(
        "sms.sms", "duret_retry_of_id", "Sent Again As", readonly=True, copy=False
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("duret_price_unit", "company_id")
    def _compute_duret_currency_id(self):
        SmsDisplay(self.env).compute_currency(self)

    @api.depends("body")
    def _compute_duret_body_preview(self):
        SmsDisplay(self.env).compute_body_preview(self)

    @api.depends(
        "state",
        "duret_failure_reason",
        "duret_not_before",
        "twilio_error_code",
        "twilio_status",
    )
    @api.depends_context("lang")
    def _compute_duret_texts(self):
        SmsDisplay(self.env).compute_texts(self)

    @api.depends("state", "failure_type", "duret_provider")
    def _compute_duret_actions(self):
        SmsDisplay(self.env).compute_actions(self)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """Decide the category on the server, set the company of SMS about a record, and give
        commercial SMS of Twilio/Sandbox companies their opt-out mention (CPCE L34-5); see
        ``SmsCreation.prepare_vals``."""
        smss = super().create(SmsCreation(self.env).prepare_vals(vals_list))
        Conversations(self.env).show_outbound(smss)  # the SMS in its number's conversation
        return smss

    def write(self, vals):
        """Keep *internal urgent* for the SMS allowed it, tell the dispatcher when an urgent SMS
        has left or failed, and the appointments when a reminder's state changes."""
        # Order kept from when these were three overrides: the urgent SMS to watch are taken
        # before anything is written; SMS refused the urgent category are written (through
        # this method again) as transactional before the others; the dispatcher and the
        # appointments are told after Odoo's write.
        watched = self.browse()
        if "state" in vals:
            watched = self.filtered(
                lambda sms: (
                    sms.duret_category == "internal_urgent" and sms.state in ("outgoing", "process")
                )
            )
        targets = self
        if vals.get("duret_category") == "internal_urgent":
            allowed = self.filtered(
                lambda sms: may_send_urgent(sms.env, sms.partner_id.id, sms.number)
            )
            if allowed != self:
                (self - allowed).write(dict(vals, duret_category="transactional"))
                targets = allowed
        result = super(SmsSms, targets).write(vals)
        if "state" in vals and (reminders := targets.filtered("duret_is_reminder")):
            self.env["calendar.attendee"]._duret_reminder_sms_changed(reminders)
        if watched and vals["state"] in LEFT_STATES + FAILED_STATES:
            UrgentSmsNotice(self.env).notify(watched)
        return result

    # ------------------------------------------------------------------
    # Odoo's pipeline: every send of a Twilio/Sandbox company goes through the queue
    # ------------------------------------------------------------------

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Queue this company's SMS for the Twilio runner instead of calling IAP.

        Odoo sends SMS synchronously inside the caller's transaction (chatter, composer,
        calendar alarms). Calling Twilio there could not be undone if that transaction rolled
        back afterwards, and could be repeated if it were retried (odoo/odoo#264736). So the
        SMS stays ``outgoing`` and the queue cron, which records each hand-over and commits
        before any HTTP call, is triggered to run right after this transaction.
        """
        # SMS queued before duret_sms was installed have no company: Odoo sends them as before.
        ours = self.filtered(
            lambda sms: sms.company_id and sms.company_id._duret_sms_uses_own_provider()
        )
        if ours:
            ours._duret_trigger_queue()
        others = self - ours
        if others:
            return super(SmsSms, others)._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        return None

    # ------------------------------------------------------------------
    # Actions (office staff, from the SMS history; see services/sms_staff_actions.py)
    # ------------------------------------------------------------------

    def action_duret_retry(self):
        """Send a failed SMS again, as a new SMS through the queue (the failed one stays in
        the history with its reason). The chatter notification follows the new SMS."""
        return SmsStaffActions(self.env).retry(self)

    def action_duret_cancel(self):
        """Cancel SMS still waiting in the queue (queued or deferred)."""
        return SmsStaffActions(self.env).cancel(self)

    def action_duret_send_now(self):
        """Send a deferred SMS now if the sending rules allow it now; otherwise say why not."""
        return SmsStaffActions(self.env).send_now(self)

    def _duret_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sms.sms",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("duret_sms.sms_sms_view_form").id, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Opt-out (see services/sms_optout.py)
    # ------------------------------------------------------------------

    @api.model
    def _duret_optout_mention(self, company, sms_uuid):
        """The text appended to commercial SMS: "STOP au <number>" where replies reach Odoo,
        otherwise a short unsubscribe link (alphanumeric senders cannot receive)."""
        return SmsOptout(self.env).mention(company, sms_uuid)

    @api.model
    def _duret_optout_from_link(self, sms_uuid, choice="all"):
        """Apply the choice made on the unsubscribe page of SMS ``sms_uuid`` (``commercial``:
        commercial consent withdrawn; ``all``: also blacklisted). Returns the SMS (sudo) or an
        empty recordset for an unknown token."""
        return SmsOptout(self.env).from_link(sms_uuid, choice)

    @api.model
    def _duret_optout_previous_choice(self, sms_uuid):
        """What the unsubscribe link of SMS ``sms_uuid`` already recorded: ``"all"``,
        ``"commercial"``, ``""`` (nothing), or None for an unknown token."""
        return SmsOptout(self.env).previous_choice(sms_uuid)

    # ------------------------------------------------------------------
    # Business: states, the gate, the queue, Twilio's reports (bodies in services/)
    # ------------------------------------------------------------------

    def _duret_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    def _duret_set_canceled(self, failure_type, reason):
        """Cancel before hand-over (rules), with the reason on the SMS and its notification."""
        SmsStatus(self.env).set_canceled(self, failure_type, reason)

    def _duret_set_failed(self, failure_type, reason):
        """Put the SMS in error with its reason, and its notification in exception/bounce."""
        SmsStatus(self.env).set_failed(self, failure_type, reason)

    def _duret_apply_sending_rules(self, company, now):
        """The compliance gate (``SmsGate.apply``): returns the SMS that may go now; the others
        are cancelled, failed or deferred here. Bridges extend it (``duret_sms_account``)."""
        return SmsGate(self.env).apply(self, company, now)

    def _duret_reason_in_user_lang(self):
        """Why the sending rules cancelled this SMS, said again in the reader's language (the
        stored reason is in the language of the queue's user); None when not one of those."""
        return SmsGate(self.env).reason_in_user_lang(self)

    @api.model
    def _duret_segment_price(self, company, number=None):
        """What one SMS segment to ``number`` costs ``company`` (the one estimate, shared with
        the SMS analysis): ``(amount, res.currency)``, or None when Twilio priced nothing
        comparable yet (see ``services/sms_cost.py``)."""
        return SmsCost(self.env).segment_price(company, number)

    def _duret_trigger_queue(self, at=None):
        cron = self.env.ref("duret_sms.ir_cron_sms_twilio_queue", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=at)

    @api.model
    def _cron_duret_send_queue(self, batch_size=None):
        """Hand queued SMS of Twilio/Sandbox companies over, batch by batch, within a time
        budget (see ``SmsQueue.run``)."""
        # sms.sms is a technical model (system ACL); this is the cron
        SmsQueue(self.sudo().env).run(batch_size)

    @api.model
    def _duret_queue_time_budget(self):
        """Seconds a queue run may spend claiming and sending (see ``SmsQueue.time_budget``)."""
        return SmsQueue(self.env).time_budget()

    @api.model
    def _duret_claim_batch(self, company, limit):
        """Lock up to ``limit`` due SMS of ``company``, apply the sending rules, claim the
        rest; return the claimed SMS (see ``SmsQueue.claim_batch``)."""
        return SmsQueue(self.env).claim_batch(company, limit)

    def _duret_prepare_jobs(self, company):
        """The HTTP jobs of these claimed SMS (see ``SmsQueue.prepare_jobs``)."""
        return SmsQueue(self.env).prepare_jobs(self, company)

    def _duret_hand_over(self, link, jobs, deadline=None):
        """Give these claimed SMS to the provider, record the answers (``SmsQueue.hand_over``)."""
        return SmsQueue(self.env).hand_over(self, link, jobs, deadline=deadline)

    def _duret_record_outcomes(self, outcomes):
        """Write Twilio's answers to these SMS so that none can be lost (see
        ``SmsQueue.record_outcomes``)."""
        SmsQueue(self.env).record_outcomes(self, outcomes)

    def _duret_record_accepted(self, result):
        """Write Twilio's answer to a create request (status, SID, segments)."""
        SmsStatus(self.env).record_accepted(self, result)

    def _duret_apply_twilio_status(self, twilio_status, error_code=None):
        """Move the SMS forward to what Twilio reports, never backwards; True if it moved."""
        return SmsStatus(self.env).apply_twilio_status(self, twilio_status, error_code)

    @api.model
    def _duret_handle_status_callback(self, sms_uuid, url, params, signature):
        """Process one Twilio status callback; return "ok", "forbidden" or "not_found" (see
        ``SmsStatus.handle_callback``)."""
        return SmsStatus(self.env).handle_callback(sms_uuid, url, params, signature)

    @api.model
    def _cron_duret_fetch_prices(self, limit=200):
        """Fetch from Twilio what it did not know at send time: price, final status."""
        SmsStatus(self.sudo().env).fetch_prices(limit)

    @api.model
    def _cron_duret_purge_history(self):
        """Delete SMS and replies older than each company's retention (``SmsRetention``)."""
        SmsRetention(self.env).purge_history()
