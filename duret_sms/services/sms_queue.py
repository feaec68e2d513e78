"""The queue runner that hands SMS of Twilio/Sandbox companies over: claims due SMS, hands them
to Twilio or the Sandbox, records the answers, keeps each run within its time budget."""

import logging
import random
import time
from datetime import timedelta

from odoo import _, fields
from odoo.exceptions import UserError
from odoo.tools import config

from ..core import dispatch, encoding, twilio_codes
from .company_crons import cron_commit, in_test_transaction
from .sms_commit import CONCURRENCY_ATTEMPTS, CONCURRENCY_ERRORS, write_committed
from .sms_status import SmsStatus
from .sms_stream import TwilioStream

_logger = logging.getLogger(__name__)

# A hand-over with no Twilio answer after this delay is closed as interrupted (see
# recover_stale_handovers): it is never resent automatically.
STALE_HANDOVER = timedelta(hours=1)
# Transient failures (Twilio busy, 5xx, network down) are retried by later queue runs.
MAX_TRANSIENT_RETRIES = 5
# Seconds a queue run may claim and send for, unless set (see time_budget).
DEFAULT_QUEUE_TIME_BUDGET = 60


class SmsQueue:
    """Hand-over of queued ``sms.sms`` (see ``run``).

    ``SmsQueue(env)``: searches and claims run in ``env`` (the cron's, in sudo, in the
    company's language while a company is served); the records passed in are written in
    their own environment.
    """

    def __init__(self, env):
        self.env = env
        self.sms = env["sms.sms"]

    # ------------------------------------------------------------------
    # Runs
    # ------------------------------------------------------------------

    def run(self, batch_size=None):
        """Hand queued SMS of Twilio/Sandbox companies over, batch by batch, within a time budget.

        Each batch is claimed (state ``process``, hand-over time) and committed before Twilio
        is called, then the answers are written as they arrive, a group per short transaction
        that never collides with a delivery report (see ``record_outcomes``): a crash or a
        rollback after Twilio accepted a message can never make it go out twice, and a delivery
        report racing the run can never make it lose an answer. A run stops claiming when its
        time budget is used up (see ``time_budget``) and wakes the next run at once. One
        company's failure is recorded on it and never stops the others.
        """
        deadline = dispatch.monotonic() + self.time_budget()
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].get_param("duret_sms.batch_size", 200)
        )
        self.recover_stale_handovers()
        cron_commit(self.env)
        companies = self.env["res.company"].search(
            [("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        results = companies._duret_sms_run_isolated(
            "queue",
            # A cron has no language: what the rules and Twilio's answers write on the SMS
            # (reasons staff read) is written in the company's.
            lambda company: self._in_company_lang(company).send_company_queue(
                company, batch_size, deadline
            ),
            on_error=self.queue_blocked,
        )
        if any(result is False for result in results.values()):
            # Out of time with SMS still due: a fresh run goes on right after this one.
            self.sms._duret_trigger_queue()
        self.schedule_next_run()

    def _in_company_lang(self, company):
        lang = company.partner_id.lang
        if lang and lang != self.env.lang:
            return SmsQueue(self.sms.with_context(lang=lang).env)
        return self

    def time_budget(self):
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

    def send_company_queue(self, company, batch_size, deadline):
        """Send the due SMS of ``company`` until none is left (True) or time is up (False).

        Twilio: one stream of requests (see ``TwilioStream``); the Sandbox: batch by batch.

        :raise UserError: when Twilio is chosen but not fully configured.
        """
        link = company._duret_sms_link()
        if link is not None:
            return TwilioStream(self, company, link, batch_size, deadline).run()
        while True:
            if dispatch.monotonic() >= deadline:
                return False
            batch = self.claim_batch(company, batch_size)
            if not batch:
                return True
            self.sandbox_deliver(batch)
            cron_commit(self.env)

    def queue_blocked(self, company, error):
        """Nothing can be sent for ``company``: say why on its waiting SMS (they stay queued)."""
        if isinstance(error, UserError):
            self.sms.search(self.queue_domain(company, fields.Datetime.now())).write(
                {"duret_failure_reason": str(error)}
            )

    def queue_domain(self, company, now):
        return [
            ("state", "=", "outgoing"),
            ("to_delete", "!=", True),
            ("company_id", "=", company.id),
            "|",
            ("duret_not_before", "=", False),
            ("duret_not_before", "<=", now),
        ]

    # ------------------------------------------------------------------
    # Claims
    # ------------------------------------------------------------------

    def claim_batch(self, company, limit):
        """Lock up to ``limit`` due SMS of ``company``, apply the sending rules, claim the rest.

        Returns the claimed SMS (state ``process``); SMS the rules defer or cancel are written
        here and not returned. Rows another run has locked are skipped, never waited for: when
        every due row is locked the claim is empty and this run leaves them to the other one.
        Outside tests, a claim that collides with a concurrent update (PostgreSQL serialization
        failure) is rolled back and tried again with a fresh snapshot, after a short pause.
        """
        for attempt in range(CONCURRENCY_ATTEMPTS):
            try:
                return self._claim_batch_once(company, limit)
            except CONCURRENCY_ERRORS as error:
                if in_test_transaction():
                    raise
                _logger.info("SMS claim collided with another transaction (%s), retrying", error)
                self.env.cr.rollback()
                time.sleep(random.uniform(0.5, 1.0) * 0.1 * 2**attempt)
        return self.sms.browse()

    def _claim_batch_once(self, company, limit):
        now = fields.Datetime.now()
        claimed = self.sms.browse()
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
            locked = self.sms.browse([row[0] for row in self.env.cr.fetchall()])
            if not locked:
                break
            # Through the model: bridges extend the sending rules (duret_sms_account).
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

    # ------------------------------------------------------------------
    # Hand-over
    # ------------------------------------------------------------------

    def prepare_jobs(self, batch, company):
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
            for sms in batch
        ]

    def hand_over(self, batch, link, jobs, deadline=None):
        """Give the claimed SMS of ``batch`` to the provider and record the answers as they
        arrive (see ``record_outcomes``).

        :param link: the company's ``TwilioLink`` (see ``res.company._duret_sms_link``), or
            None for the sandbox;
        :param jobs: from ``prepare_jobs``, built before the claim was committed;
        :param deadline: a ``dispatch.monotonic()`` instant after which no request starts (the
            SMS not tried go back to the queue).
        :return: the ``dispatch.Outcome`` list (empty for the sandbox).
        """
        if link is None:
            self.sandbox_deliver(batch)
            return []
        return dispatch.send_all(
            link.gateway,
            jobs,
            concurrency=link.concurrency,
            backoff=link.backoff,
            deadline=deadline,
            on_outcomes=lambda outcomes: self.record_outcomes(batch, outcomes),
        )

    def sandbox_deliver(self, batch):
        now = fields.Datetime.now()
        for sms in batch:
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
        batch.sms_tracker_id._action_update_from_sms_state("sent")
        batch.mail_message_id._notify_message_notification_update()

    # ------------------------------------------------------------------
    # Answers
    # ------------------------------------------------------------------

    def record_outcomes(self, batch, outcomes):
        """Write a group of Twilio's answers (known in memory) so that none can be lost.

        A status callback may update the same rows meanwhile. In tests everything stays in the
        test's transaction. Otherwise the group is written in one short transaction that first
        locks its rows, skipping those a concurrent transaction (a delivery report) holds, and
        reads them afresh: the locked rows can no longer collide with anything. The skipped
        rows, and the whole group if its transaction still collides, are then written one by
        one, each in its own transaction, again on a fresh snapshot after a serialization
        failure (``write_committed``).
        """
        if not outcomes:
            return
        if in_test_transaction():
            # Nothing else holds these rows: the ones not locked were deleted.
            locked = self.lock_answer_rows([outcome.key for outcome in outcomes])
            self.write_group(batch, [outcome for outcome in outcomes if outcome.key in locked])
            return
        cr = self.env.cr
        written = set()
        try:
            locked = self.lock_answer_rows([outcome.key for outcome in outcomes])
            group = [outcome for outcome in outcomes if outcome.key in locked]
            if group:
                self.write_group(batch, group)
                cr.commit()  # pylint: disable=invalid-commit  # one group of answers per commit
                written = {outcome.key for outcome in group}
        except CONCURRENCY_ERRORS as error:
            cr.rollback()
            batch.invalidate_recordset()
            _logger.info("SMS answers collided (%s): written one by one", error)
        for outcome in outcomes:
            if outcome.key not in written:
                write_committed(
                    batch,
                    outcome.key,
                    lambda sms, outcome=outcome: self.record_outcome(sms, outcome),
                )

    def lock_answer_rows(self, sms_ids):
        """Lock the rows of ``sms_ids`` that no other transaction holds; return their ids.

        First statement of the group's transaction: a row it locks was not changed since the
        snapshot and cannot be changed until the commit.
        """
        self.env.cr.execute(
            "SELECT id FROM sms_sms WHERE id IN %s ORDER BY id FOR UPDATE SKIP LOCKED",
            [tuple(sms_ids)],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def write_group(self, batch, outcomes):
        """Apply ``outcomes`` to their SMS (locked, so existing), read afresh together, in the
        open transaction; the ORM flushes the writes together."""
        if not outcomes:
            return
        records = batch.browse([outcome.key for outcome in outcomes])
        records.invalidate_recordset()
        by_id = {sms.id: sms for sms in records}  # one prefetch for the group
        for outcome in outcomes:
            self.record_outcome(by_id[outcome.key], outcome)
        records.mail_message_id._notify_message_notification_update()

    def record_outcome(self, sms, outcome):
        """Apply one ``dispatch.Outcome`` to ``sms``, read afresh; never move it backwards.

        A delivery report may have been recorded before the answer (the report then wins: its
        SID and status stay). Only an SMS still waiting for its answer (``process`` without a
        SID) takes an error, a retry or a return to the queue.
        """
        sms.ensure_one()
        if outcome.result is not None:
            SmsStatus(self.env).record_accepted(sms, outcome.result)
            return
        if sms.state != "process" or sms.twilio_sid:
            _logger.info("SMS %s: its delivery report came before the answer; kept", sms.id)
            return
        if not outcome.attempts:
            # Never tried (the run's time was up): back to the queue, no retry counted.
            sms.write({"state": "outgoing"})
            sms.sms_tracker_id._action_update_from_sms_state("outgoing")
            return
        self.record_error(sms, outcome.error)

    def record_error(self, sms, error):
        """Record a failed hand-over: retry later, wait for Twilio, or fail for good."""
        sms.ensure_one()
        if error.ambiguous:
            # Twilio may have accepted it: never resend. Its status callback (the uuid is in
            # the callback URL) will settle it; otherwise the stale hand-over recovery will.
            sms.write(
                {
                    "duret_failure_reason": _(
                        "Twilio's answer is uncertain (%(error)s): the SMS may have been sent. "
                        "Waiting for its delivery report; it is never sent again automatically.",
                        error=str(error),
                    )
                }
            )
            return
        if error.retryable and sms.duret_retry_count < MAX_TRANSIENT_RETRIES:
            retries = sms.duret_retry_count + 1
            delay = timedelta(minutes=min(2**retries, 60))
            sms.write(
                {
                    "state": "outgoing",
                    "duret_retry_count": retries,
                    "duret_not_before": fields.Datetime.now() + delay,
                    "duret_failure_reason": str(error),
                    "twilio_error_code": error.code or 0,
                }
            )
            sms.sms_tracker_id._action_update_from_sms_state("outgoing")
            return
        sms.twilio_error_code = error.code or 0
        sms._duret_set_failed(error.info.failure_type, error.info.message)
        if error.code == twilio_codes.OPTED_OUT_CODE:
            SmsStatus(self.env).blacklist_opted_out(sms)

    # ------------------------------------------------------------------
    # Housekeeping
    # ------------------------------------------------------------------

    def recover_stale_handovers(self):
        """Close hand-overs that got no Twilio answer at all (crash, lost reply).

        They are not resent (Twilio may have the message): staff see the reason and decide.
        """
        limit = fields.Datetime.now() - STALE_HANDOVER
        stale = self.sms.sudo().search(
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

    def schedule_next_run(self):
        """Wake the queue up when the first deferred SMS becomes due."""
        first = self.sms.sudo().search(
            [("state", "=", "outgoing"), ("duret_not_before", "!=", False)],
            order="duret_not_before",
            limit=1,
        )
        if first and first.duret_not_before > fields.Datetime.now():
            self.sms._duret_trigger_queue(at=first.duret_not_before)
