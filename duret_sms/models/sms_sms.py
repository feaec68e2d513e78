import logging
import threading
from datetime import timedelta
from uuid import uuid4

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..core import caps, dispatch, encoding, phone, twilio_codes, windows
from ..core.gateway import GatewayError

_logger = logging.getLogger(__name__)

CATEGORIES = [
    ("transactional", "Transactional"),
    ("commercial", "Commercial"),
    ("dunning", "Dunning"),
    ("internal_urgent", "Internal urgent"),
]
# A hand-over with no Twilio answer after this delay is closed as interrupted (see
# _duret_recover_stale_handovers): it is never resent automatically.
STALE_HANDOVER = timedelta(hours=1)
# Transient failures (Twilio busy, 5xx, network down) are retried by later queue runs.
MAX_TRANSIENT_RETRIES = 5


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
    duret_is_reminder = fields.Boolean(
        "Appointment Reminder", readonly=True, copy=False, help="Sent by the reminder cron."
    )
    twilio_sid = fields.Char("Twilio SID", readonly=True, copy=False, index="btree_not_null")
    twilio_status = fields.Char("Twilio Status", readonly=True, copy=False)
    twilio_error_code = fields.Integer("Twilio Error Code", readonly=True, copy=False)
    duret_failure_reason = fields.Char("Failure Reason", readonly=True, copy=False)
    duret_segments = fields.Integer("Segments", readonly=True, copy=False)
    duret_encoding = fields.Char("Encoding", readonly=True, copy=False)
    duret_price = fields.Float("Price", digits=(12, 5), readonly=True, copy=False)
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

    @api.model_create_multi
    def create(self, vals_list):
        """Set the company of SMS about a record; commercial SMS of Twilio/Sandbox companies
        get their opt-out mention (CPCE L34-5)."""
        prepared = []
        for vals in vals_list:
            vals = dict(vals)  # the caller's dicts may be shared between records
            if not vals.get("company_id") and vals.get("mail_message_id"):
                # An SMS about a record goes through that record's company (as Odoo's own
                # sms_twilio does), not the sender's current one.
                message = self.env["mail.message"].browse(vals["mail_message_id"])
                if message.record_company_id:
                    vals["company_id"] = message.record_company_id.id
            category = vals.get("duret_category") or self.env.context.get("duret_sms_category")
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if category == "commercial" and company._duret_sms_uses_own_provider():
                vals.setdefault("uuid", uuid4().hex)
                mention = self._duret_optout_mention(company, vals["uuid"])
                body = vals.get("body") or ""
                if mention.strip() not in body:
                    vals["body"] = body + mention
            prepared.append(vals)
        return super().create(prepared)

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals and (reminders := self.filtered("duret_is_reminder")):
            self.env["calendar.attendee"]._duret_reminder_sms_changed(reminders)
        return result

    @api.model
    def _duret_optout_mention(self, company, sms_uuid):
        """The text appended to commercial SMS: "STOP au <number>" where replies reach Odoo,
        otherwise a short unsubscribe link (alphanumeric senders cannot receive)."""
        sender = company.twilio_from_number or ""
        if company.duret_sms_can_receive and sender.startswith("+"):
            return f"\nSTOP au {sender}"
        return f"\nStop SMS : {company._duret_public_url()}/sms/optout/{sms_uuid}"

    @api.model
    def _duret_optout_from_link(self, sms_uuid, choice="all"):
        """Apply the choice made on the unsubscribe page of SMS ``sms_uuid``.

        ``commercial``: commercial consent is withdrawn for the SMS's contact and every
        contact of its company with that number; service SMS (reminders, invoices) go on.
        ``all``: the same, and the number is blacklisted for every SMS.
        Returns the SMS (sudo) or an empty recordset for an unknown token.
        """
        # Public page: the 128-bit uuid is the proof; only this one SMS is read.
        sms_sudo = self.sudo().search([("uuid", "=", sms_uuid)], limit=1)
        if not sms_sudo or not sms_sudo.number:
            return self.browse()
        company = sms_sudo._duret_company()
        # Contacts with this number: their consent is the customer's, whoever holds it.
        partners_sudo = sms_sudo.partner_id | self.env["res.partner"].sudo()._duret_find_by_number(
            sms_sudo.number, company
        )
        partners_sudo.filtered("duret_sms_consent")._duret_sms_set_consent(False, "web")
        if choice == "all":
            self.env["phone.blacklist"].sudo()._add(
                [sms_sudo.number],
                message=_("Unsubscribed with the link of SMS %(uuid)s.", uuid=sms_uuid),
            )
        return sms_sudo

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

    def _duret_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    def _duret_trigger_queue(self, at=None):
        cron = self.env.ref("duret_sms.ir_cron_sms_twilio_queue", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=at)

    # ------------------------------------------------------------------
    # Queue runner
    # ------------------------------------------------------------------

    @api.model
    def _cron_duret_send_queue(self, batch_size=None):
        """Hand queued SMS of Twilio/Sandbox companies over, batch by batch.

        Each batch is claimed (state ``process``, hand-over time) and committed before Twilio
        is called, then the answers are written and committed: a crash or a rollback after
        Twilio accepted a message can never make it go out twice.
        """
        self = self.sudo()  # sms.sms is a technical model (system ACL); this is the cron
        testing = getattr(threading.current_thread(), "testing", False)
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].get_param("duret_sms.batch_size", 200)
        )
        self._duret_recover_stale_handovers()
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        for company in companies:
            try:
                link = company._duret_sms_link()
            except UserError as error:
                # Nothing can be sent: say why on the waiting SMS, and keep them queued.
                _logger.warning("SMS queue of company %s: %s", company.id, error)
                self.search(self._duret_queue_domain(company, fields.Datetime.now())).write(
                    {"duret_failure_reason": str(error)}
                )
                continue
            while True:
                batch = self._duret_claim_batch(company, batch_size)
                if not batch:
                    break
                jobs = batch._duret_prepare_jobs(company)
                if not testing:
                    # The hand-over is durable before any HTTP call. From here until Twilio
                    # has answered the cron reads and writes nothing, so a status callback
                    # updating these rows meanwhile cannot make the cron's transaction fail
                    # (odoo/odoo#264736).
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                batch._duret_hand_over(link, jobs)
                if not testing:
                    # Twilio's answers are recorded before the next batch is claimed.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                if len(batch) < batch_size:
                    break
        self._duret_schedule_next_run()

    @api.model
    def _duret_queue_domain(self, company, now):
        return [
            ("state", "=", "outgoing"),
            ("to_delete", "!=", True),
            ("company_id", "=", company.id),
            "|",
            ("duret_not_before", "=", False),
            ("duret_not_before", "<=", now),
        ]

    @api.model
    def _duret_claim_batch(self, company, limit):
        """Lock up to ``limit`` due SMS of ``company``, apply the sending rules, claim the rest.

        Returns the claimed SMS (state ``process``); SMS the rules defer or cancel are written
        here and not returned.
        """
        now = fields.Datetime.now()
        while True:
            candidates = self.search(
                self._duret_queue_domain(company, now), limit=limit, order="id"
            )
            if not candidates:
                return self.browse()
            self.env.cr.execute(
                "SELECT id FROM sms_sms WHERE id IN %s AND state = 'outgoing' "
                "FOR UPDATE SKIP LOCKED",
                [tuple(candidates.ids)],
            )
            locked = self.browse([row[0] for row in self.env.cr.fetchall()])
            allowed = locked._duret_apply_sending_rules(company, now)
            if allowed:
                allowed.write(
                    {
                        "state": "process",
                        "duret_handover_at": now,
                        "duret_provider": company.duret_sms_provider,
                        "failure_type": False,
                    }
                )
                allowed.sms_tracker_id._action_update_from_sms_state("process")
                return allowed
            if len(candidates) < limit:
                return self.browse()
            # every candidate was deferred or cancelled: look at the next ones

    def _duret_apply_sending_rules(self, company, now):
        """The compliance gate: every SMS of a Twilio/Sandbox company passes it before hand-over.

        In order: a usable number; the opt-out list (every category but internal urgent staff
        alerts and the single opt-out confirmation); consent for commercial SMS; the sending
        hours of the category (outside them the SMS is deferred, never dropped); the weekly
        caps of commercial and dunning SMS. Returns the SMS that may go now; the others are
        cancelled, failed or deferred here, each with its reason.
        """
        region = (company.country_id.code or "FR").upper()
        numbers = {}
        for sms in self:
            numbers[sms.id] = phone.try_normalize(sms.number or "", region=region)
        known = [n for n in numbers.values() if n]
        blacklist = self.env["phone.blacklist"].sudo()  # system-only ACL; read to filter
        opted_out = {
            record.number: record
            for record in blacklist.search([("number", "in", known), ("active", "=", True)])
        }
        history = self._duret_cap_history(company, known, now)
        allowed = self.browse()
        for sms in self:
            number = numbers[sms.id]
            category = sms.duret_category
            if not sms.number:
                sms._duret_set_failed("sms_number_missing", _("The SMS has no phone number."))
                continue
            if not number:
                sms._duret_set_failed(
                    "sms_number_format",
                    _("%(number)s is not a valid phone number.", number=sms.number),
                )
                continue
            if number != sms.number:
                sms.number = number
            if number in opted_out and category != "internal_urgent" and not sms.duret_optout_ack:
                sms._duret_set_canceled("sms_blacklist", opted_out[number]._duret_optout_reason())
                continue
            if category == "commercial" and not sms.partner_id.duret_sms_consent:
                sms._duret_set_canceled(
                    "sms_optout",
                    _(
                        "No consent to commercial SMS recorded for %(who)s: not sent.",
                        who=sms.partner_id.display_name or number,
                    ),
                )
                continue
            if not sms.duret_optout_ack:
                policy = company._duret_sms_policy(category)
                if not windows.is_allowed(now, policy):
                    sms._duret_defer(windows.next_allowed(now, policy), _("outside sending hours"))
                    continue
            cap = sms._duret_weekly_cap(company)
            if cap:
                sent_at = history.setdefault((number, category), [])
                free_at = caps.next_allowed_by_cap(sent_at, now, max_count=cap)
                if free_at and category == "commercial":
                    # A promotion that cannot go this week is stale next week: cancel it.
                    sms._duret_set_canceled(
                        "sms_duplicate",
                        _("Weekly limit of commercial SMS reached for %(number)s.", number=number),
                    )
                    continue
                if free_at:
                    # A dunning reminder still matters next week: defer it, never lose it.
                    policy = company._duret_sms_policy(category)
                    sms._duret_defer(
                        windows.next_allowed(free_at, policy), _("weekly limit of dunning SMS")
                    )
                    continue
                sent_at.append(now)
            allowed |= sms
        (self - allowed).mail_message_id._notify_message_notification_update()
        return allowed

    def _duret_weekly_cap(self, company):
        self.ensure_one()
        return {
            "commercial": company.duret_sms_cap_commercial,
            "dunning": company.duret_sms_cap_dunning,
        }.get(self.duret_category, 0)

    @api.model
    def _duret_cap_history(self, company, numbers, now):
        """Hand-over times of capped SMS per (number, category) over the last 7 days."""
        history = {}
        if not numbers:
            return history
        recent = self.search(
            [
                ("company_id", "=", company.id),
                ("number", "in", numbers),
                ("duret_category", "in", ("commercial", "dunning")),
                ("state", "in", ("process", "pending", "sent")),
                ("duret_handover_at", ">", now - timedelta(days=7)),
            ]
        )
        for sms in recent:
            history.setdefault((sms.number, sms.duret_category), []).append(sms.duret_handover_at)
        return history

    def _duret_defer(self, when, why):
        """Keep the SMS queued until ``when`` (naive UTC), with a visible reason."""
        tz = self._duret_company().duret_sms_tz or "UTC"
        local = fields.Datetime.context_timestamp(self.with_context(tz=tz), when)
        self.write(
            {
                "duret_not_before": when,
                "duret_failure_reason": _(
                    "Deferred until %(when)s (%(why)s).",
                    when=local.strftime("%d/%m/%Y %H:%M"),
                    why=why,
                ),
            }
        )

    def _duret_set_canceled(self, failure_type, reason):
        """Cancel before hand-over (rules), with the reason on the SMS and its notification."""
        self.write(
            {"state": "canceled", "failure_type": failure_type, "duret_failure_reason": reason}
        )
        self.sms_tracker_id._action_update_from_sms_state(
            "canceled", failure_type=failure_type, failure_reason=reason
        )

    def _duret_prepare_jobs(self, company):
        """Build the HTTP jobs while the ORM may still be used (threads must not touch it)."""
        base_url = company._duret_public_url()
        from_, service_sid = company._duret_twilio_sender()
        return [
            dispatch.SendJob(
                key=sms.id,
                to=sms.number,
                body=sms.body or "",
                from_=from_,
                messaging_service_sid=service_sid,
                status_callback=f"{base_url}/twilio/sms/status/{sms.uuid}",
            )
            for sms in self
        ]

    def _duret_hand_over(self, link, jobs):
        """Give the claimed SMS to the provider and record the answers.

        :param link: the company's ``TwilioLink`` (see ``res.company._duret_sms_link``), or
            None for the sandbox;
        :param jobs: from ``_duret_prepare_jobs``, built before the claim was committed.
        """
        if link is None:
            self._duret_sandbox_deliver()
            return
        outcomes = dispatch.send_all(
            link.gateway, jobs, concurrency=link.concurrency, backoff=link.backoff
        )
        # The answers are written in the same cursor the claim was committed in; the
        # records may have been updated meanwhile by a status callback, so read them again.
        self.invalidate_recordset()
        by_id = {sms.id: sms for sms in self}
        for outcome in outcomes:
            sms = by_id[outcome.key]
            if outcome.result is not None:
                sms._duret_record_accepted(outcome.result)
            else:
                sms._duret_record_error(outcome.error)
        self.mail_message_id._notify_message_notification_update()

    def _duret_sandbox_deliver(self):
        now = fields.Datetime.now()
        for sms in self:
            analysis = encoding.analyze(sms.body or "")
            sms.write(
                {
                    "twilio_sid": "SB" + sms.uuid,
                    "twilio_status": "delivered",
                    "state": "sent",
                    "failure_type": False,
                    "duret_failure_reason": False,
                    "duret_segments": analysis.segments,
                    "duret_encoding": analysis.encoding,
                    "duret_price": 0.0,
                    "duret_price_known": True,
                    "duret_status_at": now,
                }
            )
        self.sms_tracker_id._action_update_from_sms_state("sent")
        self.mail_message_id._notify_message_notification_update()

    def _duret_record_accepted(self, result):
        """Write Twilio's answer to a create request (status, SID, segments)."""
        self.ensure_one()
        vals = {"twilio_sid": result.sid, "duret_failure_reason": False}
        vals.update(self._duret_segment_vals(result.num_segments))
        self.write(vals)
        self._duret_apply_twilio_status(result.status, result.error_code)

    def _duret_segment_vals(self, num_segments):
        analysis = encoding.analyze(self.body or "")
        # Twilio answers "0" segments at first when a Messaging Service picks the sender.
        return {
            "duret_segments": num_segments or analysis.segments,
            "duret_encoding": analysis.encoding,
        }

    def _duret_record_error(self, error):
        """Record a failed hand-over: retry later, wait for Twilio, or fail for good."""
        self.ensure_one()
        if error.ambiguous:
            # Twilio may have accepted it: never resend. Its status callback (the uuid is in
            # the callback URL) will settle it; otherwise the stale hand-over recovery will.
            self.write(
                {
                    "duret_failure_reason": _(
                        "No answer from Twilio in time; the SMS may have been sent. Waiting "
                        "for its delivery report."
                    )
                }
            )
            return
        if error.retryable and self.duret_retry_count < MAX_TRANSIENT_RETRIES:
            retries = self.duret_retry_count + 1
            delay = timedelta(minutes=min(2**retries, 60))
            self.write(
                {
                    "state": "outgoing",
                    "duret_retry_count": retries,
                    "duret_not_before": fields.Datetime.now() + delay,
                    "duret_failure_reason": str(error),
                    "twilio_error_code": error.code or 0,
                }
            )
            self.sms_tracker_id._action_update_from_sms_state("outgoing")
            return
        self.twilio_error_code = error.code or 0
        self._duret_set_failed(error.info.failure_type, error.info.message)
        if error.code == twilio_codes.OPTED_OUT_CODE:
            self._duret_blacklist_opted_out()

    def _duret_set_failed(self, failure_type, reason):
        """Put the SMS in error with its reason, and its notification in exception/bounce."""
        self.write({"state": "error", "failure_type": failure_type, "duret_failure_reason": reason})
        trackers = self.sms_tracker_id
        if failure_type in self.BOUNCE_DELIVERY_ERRORS:
            trackers._update_sms_notifications(
                "bounce", failure_type=failure_type, failure_reason=reason
            )
        else:
            trackers._action_update_from_sms_state(
                "error", failure_type=failure_type, failure_reason=reason
            )

    def _duret_blacklist_opted_out(self):
        """Mirror Twilio's opt-out (error 21610) into Odoo's phone blacklist."""
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        for sms in self.filtered("number"):
            blacklist_sudo._add(
                [sms.number],
                message=_(
                    "Opted out at Twilio (error 21610: the recipient replied STOP); added "
                    "when SMS %(uuid)s was refused.",
                    uuid=sms.uuid,
                ),
            )

    # ------------------------------------------------------------------
    # Delivery reports and reconciliation
    # ------------------------------------------------------------------

    def _duret_apply_twilio_status(self, twilio_status, error_code=None):
        """Move the SMS forward to what Twilio reports; never backwards.

        Twilio does not guarantee the order of status callbacks ("delivered" may arrive before
        "sent"), so a report that would move the SMS back is ignored.
        """
        self.ensure_one()
        new_state = twilio_codes.TWILIO_STATUS_TO_SMS_STATE.get(twilio_status or "")
        if not new_state or not twilio_codes.is_forward(self.state, new_state):
            return False
        self.write(
            {
                "twilio_status": twilio_status,
                "duret_status_at": fields.Datetime.now(),
            }
        )
        if new_state == "error":
            info = twilio_codes.error_info(error_code)
            self.twilio_error_code = error_code or 0
            self._duret_set_failed(info.failure_type, info.message)
            if error_code == twilio_codes.OPTED_OUT_CODE:
                self._duret_blacklist_opted_out()
        else:
            self.write({"state": new_state, "failure_type": False})
            self.sms_tracker_id._action_update_from_sms_state(new_state)
        return True

    @api.model
    def _duret_handle_status_callback(self, sms_uuid, url, params, signature):
        """Process one Twilio status callback; return "ok", "forbidden" or "not_found".

        :param url: the URL Twilio called (``res.company._duret_public_url``), or a list of
            candidate URLs, for the signature;
        :param params: every POST parameter, unchanged.
        """
        sms_sudo = self.sudo().search([("uuid", "=", sms_uuid)], limit=1)
        if not sms_sudo:
            companies = (
                self.env["res.company"].sudo().search([("duret_sms_provider", "=", "twilio")])
            )
            signed = any(c._duret_twilio_signature_valid(url, params, signature) for c in companies)
            return "not_found" if signed else "forbidden"
        company = sms_sudo._duret_company()
        if not company._duret_twilio_signature_valid(url, params, signature):
            return "forbidden"
        if sms_sudo.twilio_sid and params.get("MessageSid") not in (None, sms_sudo.twilio_sid):
            _logger.warning("Status callback for SMS %s names another message", sms_sudo.id)
            return "forbidden"
        if not sms_sudo.twilio_sid and params.get("MessageSid"):
            # The callback arrived before the hand-over's answer was recorded.
            sms_sudo.twilio_sid = params["MessageSid"]
        status = params.get("MessageStatus") or params.get("SmsStatus")
        try:
            error_code = int(params.get("ErrorCode") or 0) or None
        except ValueError:
            error_code = None
        if sms_sudo._duret_apply_twilio_status(status, error_code):
            sms_sudo.mail_message_id._notify_message_notification_update()
        return "ok"

    @api.model
    def _duret_recover_stale_handovers(self):
        """Close hand-overs that got no Twilio answer at all (crash, lost reply).

        They are not resent (Twilio may have the message): staff see the reason and decide.
        """
        limit = fields.Datetime.now() - STALE_HANDOVER
        stale = self.sudo().search(
            [
                ("state", "=", "process"),
                ("twilio_sid", "=", False),
                ("duret_provider", "=", "twilio"),
                ("duret_handover_at", "<", limit),
            ]
        )
        for sms in stale:
            sms._duret_set_failed(
                "unknown",
                _(
                    "The hand-over to Twilio was interrupted and Twilio never reported on this "
                    "SMS: it may or may not have been sent. Check Twilio's logs before resending."
                ),
            )

    @api.model
    def _cron_duret_fetch_prices(self, limit=200):
        """Fetch from Twilio what it did not know at send time: price, final status."""
        self = self.sudo()
        now = fields.Datetime.now()
        todo = self.search(
            [
                ("duret_provider", "=", "twilio"),
                ("twilio_sid", "!=", False),
                ("duret_price_known", "=", False),
                ("duret_handover_at", "<", now - timedelta(minutes=5)),
                ("duret_handover_at", ">", now - timedelta(days=30)),
            ],
            limit=limit,
            order="duret_handover_at",
        )
        for company, records in todo.grouped("company_id").items():
            try:
                gateway = company._duret_twilio_gateway()
            except UserError:
                continue
            for sms in records:
                try:
                    result = gateway.fetch(sms.twilio_sid)
                except GatewayError as error:
                    _logger.info("Could not fetch Twilio message %s: %s", sms.twilio_sid, error)
                    continue
                sms._duret_apply_twilio_status(result.status, result.error_code)
                vals = sms._duret_segment_vals(result.num_segments)
                if result.price is not None:
                    vals.update(
                        duret_price=result.price,
                        duret_price_unit=(result.price_unit or "").upper(),
                        duret_price_known=True,
                    )
                elif result.status in ("failed", "canceled"):
                    vals["duret_price_known"] = True  # never charged: stop asking
                sms.write(vals)
        todo.mail_message_id._notify_message_notification_update()

    @api.model
    def _duret_schedule_next_run(self):
        """Wake the queue up when the first deferred SMS becomes due."""
        first = self.sudo().search(
            [("state", "=", "outgoing"), ("duret_not_before", "!=", False)],
            order="duret_not_before",
            limit=1,
        )
        if first and first.duret_not_before > fields.Datetime.now():
            self._duret_trigger_queue(at=first.duret_not_before)

    @api.model
    def _cron_duret_purge_history(self):
        """Delete SMS and replies older than each company's retention (months); opt-outs and
        consents stay (they are the proof the rules need).

        Only finished SMS go: queued, deferred or in-flight ones are kept whatever their age.
        """
        companies = self.env["res.company"].sudo().search([("duret_sms_retention_months", ">", 0)])
        for company in companies:
            limit = fields.Datetime.now() - relativedelta(months=company.duret_sms_retention_months)
            old_sudo = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("create_date", "<", limit),
                    ("state", "in", ("pending", "sent", "error", "canceled")),
                ]
            )
            replies_sudo = (
                self.env["duret.sms.reply"]
                .sudo()
                .search([("company_id", "=", company.id), ("received_at", "<", limit)])
            )
            _logger.info(
                "SMS retention: deleting %s SMS and %s replies of company %s",
                len(old_sudo),
                len(replies_sudo),
                company.id,
            )
            old_sudo.unlink()
            replies_sudo.unlink()
