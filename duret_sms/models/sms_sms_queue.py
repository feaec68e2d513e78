"""sms.sms: the queue runner that hands SMS over to Twilio or the sandbox."""

import logging
import random
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..core import dispatch, encoding, twilio_codes
from ..services.company_crons import cron_commit, in_test_transaction

_logger = logging.getLogger(__name__)

# A hand-over with no Twilio answer after this delay is closed as interrupted (see
# _duret_recover_stale_handovers): it is never resent automatically.
STALE_HANDOVER = timedelta(hours=1)
# Transient failures (Twilio busy, 5xx, network down) are retried by later queue runs.
MAX_TRANSIENT_RETRIES = 5
# Seconds a queue run may claim and send for, unless set (see _duret_queue_time_budget).
DEFAULT_QUEUE_TIME_BUDGET = 60
# What a concurrent transaction (a status callback, another queue run) can make a claim or an
# answer's write fail with; both are then tried again on a fresh snapshot.
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
CONCURRENCY_ATTEMPTS = 5


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # ------------------------------------------------------------------
    # Queue runner
    # ------------------------------------------------------------------

    @api.model
    def _cron_duret_send_queue(self, batch_size=None):
        """Hand queued SMS of Twilio/Sandbox companies over, batch by batch, within a time budget.

        Each batch is claimed (state ``process``, hand-over time) and committed before Twilio
        is called, then each answer is written in its own short transaction: a crash or a
        rollback after Twilio accepted a message can never make it go out twice, and a delivery
        report racing the run can never make it lose an answer. A run stops claiming when its
        time budget is used up (see ``_duret_queue_time_budget``) and wakes the next run at
        once. One company's failure is recorded on it and never stops the others.
        """
        self = self.sudo()  # sms.sms is a technical model (system ACL); this is the cron
        deadline = dispatch.monotonic() + self._duret_queue_time_budget()
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].get_param("duret_sms.batch_size", 200)
        )
        self._duret_recover_stale_handovers()
        cron_commit(self.env)
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        results = companies._duret_sms_run_isolated(
            "queue",
            # A cron has no language: what the rules and Twilio's answers write on the SMS
            # (reasons staff read) is written in the company's.
            lambda company: self._duret_in_company_lang(company)._duret_send_company_queue(
                company, batch_size, deadline
            ),
            on_error=self._duret_queue_blocked,
        )
        if any(result is False for result in results.values()):
            # Out of time with SMS still due: a fresh run goes on right after this one.
            self._duret_trigger_queue()
        self._duret_schedule_next_run()

    @api.model
    def _duret_queue_time_budget(self):
        """Seconds a queue run may spend claiming and sending (system parameter
        ``duret_sms.queue_time_budget``, default 60), at most half of the time Odoo gives a
        cron worker (``limit_time_real_cron``, else ``limit_time_real``): the batch in flight
        then always ends, answers written, before the worker could be killed."""
        budget = float(
            self.env["ir.config_parameter"].sudo().get_param("duret_sms.queue_time_budget", 0)
            or DEFAULT_QUEUE_TIME_BUDGET
        )
        limit = config.get("limit_time_real_cron") or -1
        if limit < 0:
            limit = config.get("limit_time_real") or 0
        if limit > 0:
            budget = min(budget, limit / 2)
        return budget

    @api.model
    def _duret_send_company_queue(self, company, batch_size, deadline):
        """Send the due SMS of ``company`` until none is left (True) or time is up (False).

        :raise UserError: when Twilio is chosen but not fully configured.
        """
        link = company._duret_sms_link()
        concurrency = link.concurrency if link else batch_size
        seconds_per_request = None
        while True:
            size = dispatch.batch_size_for(
                deadline - dispatch.monotonic(),
                max_size=batch_size,
                concurrency=concurrency,
                seconds_per_request=seconds_per_request,
            )
            if not size:
                return False
            batch = self._duret_claim_batch(company, size)
            if not batch:
                return True
            jobs = batch._duret_prepare_jobs(company)
            # The hand-over is durable before any HTTP call (odoo/odoo#264736).
            cron_commit(self.env)
            started = dispatch.monotonic()
            outcomes = batch._duret_hand_over(link, jobs, deadline=deadline)
            if outcomes and not any(outcome.attempts for outcome in outcomes):
                return False  # time was up before a single request: never claim again
            rounds = -(-len(batch) // concurrency)
            seconds_per_request = (dispatch.monotonic() - started) / rounds

    @api.model
    def _duret_queue_blocked(self, company, error):
        """Nothing can be sent for ``company``: say why on its waiting SMS (they stay queued)."""
        if isinstance(error, UserError):
            self.search(self._duret_queue_domain(company, fields.Datetime.now())).write(
                {"duret_failure_reason": str(error)}
            )

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
        here and not returned. Rows another run has locked are skipped, never waited for: when
        every due row is locked the claim is empty and this run leaves them to the other one.
        Outside tests, a claim that collides with a concurrent update (PostgreSQL serialization
        failure) is rolled back and tried again with a fresh snapshot, after a short pause.
        """
        for attempt in range(CONCURRENCY_ATTEMPTS):
            try:
                return self._duret_claim_batch_once(company, limit)
            except CONCURRENCY_ERRORS as error:
                if in_test_transaction():
                    raise
                _logger.info("SMS claim collided with another transaction (%s), retrying", error)
                self.env.cr.rollback()
                time.sleep(random.uniform(0.5, 1.0) * 0.1 * 2**attempt)
        return self.browse()

    @api.model
    def _duret_claim_batch_once(self, company, limit):
        now = fields.Datetime.now()
        claimed = self.browse()
        while len(claimed) < limit:
            # Deferred and cancelled rows written by the previous round leave the due set.
            self.env.flush_all()
            wanted = limit - len(claimed)
            self.env.cr.execute(
                """
                SELECT id FROM sms_sms
                 WHERE state = 'outgoing' AND to_delete IS NOT TRUE AND company_id = %s
                   AND (duret_not_before IS NULL OR duret_not_before <= %s)
                 ORDER BY id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                [company.id, now, wanted],
            )
            locked = self.browse([row[0] for row in self.env.cr.fetchall()])
            if not locked:
                break
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
                claimed |= allowed
            if len(locked) < wanted:
                break
        return claimed

    def _duret_prepare_jobs(self, company):
        """Build the HTTP jobs while the ORM may still be used (threads must not touch it)."""
        from_, service_sid = company._duret_twilio_sender()
        return [
            dispatch.SendJob(
                key=sms.id,
                to=sms.number,
                body=sms.body or "",
                from_=from_,
                messaging_service_sid=service_sid,
                status_callback=company._duret_public_url(f"/twilio/sms/status/{sms.uuid}"),
            )
            for sms in self
        ]

    def _duret_hand_over(self, link, jobs, deadline=None):
        """Give the claimed SMS to the provider and record the answers.

        :param link: the company's ``TwilioLink`` (see ``res.company._duret_sms_link``), or
            None for the sandbox;
        :param jobs: from ``_duret_prepare_jobs``, built before the claim was committed;
        :param deadline: a ``dispatch.monotonic()`` instant after which no request starts (the
            SMS not tried go back to the queue).
        :return: the ``dispatch.Outcome`` list (empty for the sandbox).
        """
        if link is None:
            self._duret_sandbox_deliver()
            return []
        outcomes = dispatch.send_all(
            link.gateway,
            jobs,
            concurrency=link.concurrency,
            backoff=link.backoff,
            deadline=deadline,
        )
        self._duret_record_outcomes(outcomes)
        return outcomes

    def _duret_record_outcomes(self, outcomes):
        """Write Twilio's answers (known in memory) so that none can be lost.

        A status callback may update the same rows meanwhile. In tests everything stays in the
        test's transaction. Otherwise each answer is written in its own short transaction that
        reads the row afresh; a serialization failure (a callback committed first) rolls back
        that one answer only, which is written again on a fresh snapshot.
        """
        if in_test_transaction():
            self.invalidate_recordset()
            for outcome in outcomes:
                self.browse(outcome.key)._duret_record_outcome(outcome)
            self.mail_message_id._notify_message_notification_update()
            return
        for outcome in outcomes:
            self._duret_write_committed(
                lambda sms, outcome=outcome: sms._duret_record_outcome(outcome), outcome.key
            )

    @api.model
    def _duret_write_committed(self, write, sms_id):
        """Run ``write(sms)`` on SMS ``sms_id`` in a transaction of its own and commit it,
        again on a fresh snapshot when it collides with a concurrent update (outside tests).

        Returns True once committed; False after ``CONCURRENCY_ATTEMPTS`` collisions (logged).
        """
        for attempt in range(CONCURRENCY_ATTEMPTS):
            try:
                sms = self.browse(sms_id).exists()
                if sms:
                    write(sms)
                    sms.mail_message_id._notify_message_notification_update()
                self.env.cr.commit()  # pylint: disable=invalid-commit  # one answer per commit
                return True
            except CONCURRENCY_ERRORS as error:
                self.env.cr.rollback()
                _logger.info("SMS %s: write collided (%s), retrying", sms_id, error)
                time.sleep(random.uniform(0.5, 1.0) * 0.05 * 2**attempt)
        _logger.error(
            "SMS %s: could not record Twilio's answer after %s attempts; the delivery report "
            "or the stale hand-over check settles it",
            sms_id,
            CONCURRENCY_ATTEMPTS,
        )
        return False

    def _duret_record_outcome(self, outcome):
        """Apply one ``dispatch.Outcome`` to this SMS, read afresh; never move it backwards.

        A delivery report may have been recorded before the answer (the report then wins: its
        SID and status stay). Only an SMS still waiting for its answer (``process`` without a
        SID) takes an error, a retry or a return to the queue.
        """
        self.ensure_one()
        if outcome.result is not None:
            self._duret_record_accepted(outcome.result)
            return
        if self.state != "process" or self.twilio_sid:
            _logger.info("SMS %s: its delivery report came before the answer; kept", self.id)
            return
        if not outcome.attempts:
            # Never tried (the run's time was up): back to the queue, no retry counted.
            self.write({"state": "outgoing"})
            self.sms_tracker_id._action_update_from_sms_state("outgoing")
            return
        self._duret_record_error(outcome.error)

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
        vals = {"twilio_sid": result.sid}
        if self.state == "process":
            vals["duret_failure_reason"] = False
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
                        "Twilio's answer is uncertain (%(error)s): the SMS may have been sent. "
                        "Waiting for its delivery report; it is never sent again automatically.",
                        error=str(error),
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
    def _duret_schedule_next_run(self):
        """Wake the queue up when the first deferred SMS becomes due."""
        first = self.sudo().search(
            [("state", "=", "outgoing"), ("duret_not_before", "!=", False)],
            order="duret_not_before",
            limit=1,
        )
        if first and first.duret_not_before > fields.Datetime.now():
            self._duret_trigger_queue(at=first.duret_not_before)
