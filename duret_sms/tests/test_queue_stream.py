"""The queue records Twilio's answers as they arrive, a group per transaction, and claims the
next batch while requests are in flight (issue 22), keeping every reliability rule of issue 11."""

import contextlib
from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo.tests import tagged

from odoo.addons.duret_sms.core import dispatch
from odoo.addons.duret_sms.core.gateway import compute_signature
from odoo.addons.duret_sms.services import sms_commit, sms_queue, sms_stream

from .common import DuretTwilioCase


@tagged("post_install", "-at_install")
class TestQueueAnswerGroups(DuretTwilioCase):
    def _queued(self, count):
        smss = self.env["sms.sms"].create(
            [
                {"number": f"+3361234{i:04d}", "body": "Bonjour", "company_id": self.company.id}
                for i in range(count)
            ]
        )
        smss.send()
        return smss

    def _callback(self, sms, sid, status):
        url = self.env["res.company"]._duret_public_url(f"/twilio/sms/status/{sms.uuid}")
        params = {"MessageSid": sid, "MessageStatus": status}
        signature = compute_signature(self.simulator.auth_token, url, params)
        sms_model = self.env["sms.sms"]
        outcome = sms_model._duret_handle_status_callback(sms.uuid, url, params, signature)
        self.apply_status_reports()  # the webhook records the report; the cron applies it
        return outcome

    def _claim_and_send(self, limit=10):
        """Claim and send like the queue does, without recording the answers yet."""
        batch = self.env["sms.sms"].sudo()._duret_claim_batch(self.company, limit)
        jobs = batch._duret_prepare_jobs(self.company)
        link = self.company._duret_sms_link()
        return batch, dispatch.send_all(link.gateway, jobs, concurrency=1)

    @contextlib.contextmanager
    def _as_in_production(self):
        """Write as outside tests (a transaction per group, commits counted), in the test's
        transaction: a commit flushes, a rollback forgets what was not flushed."""
        commits = []
        cr = self.env.cr

        def commit(cursor):
            cursor.flush()
            commits.append(1)

        with (
            patch.object(sms_queue, "in_test_transaction", return_value=False),
            patch.object(type(cr), "commit", commit),
            patch.object(type(cr), "rollback", lambda cursor: cursor.clear()),
            patch.object(sms_commit.time, "sleep"),
        ):
            yield commits

    def test_answers_of_a_group_share_one_transaction(self):
        smss = self._queued(5)
        batch, outcomes = self._claim_and_send()
        with self._as_in_production() as commits:
            batch._duret_record_outcomes(outcomes)
        self.assertEqual(len(commits), 1, "one transaction for the five answers")
        self.assertEqual(smss.mapped("twilio_sid"), [outcome.result.sid for outcome in outcomes])

    def test_collision_on_one_row_replays_only_that_row(self):
        """A delivery report holds the middle row: the group is written without it, then that
        row alone, again after its serialization failure; the others are never written twice."""
        first, held, last = smss = self._queued(3)
        batch, outcomes = self._claim_and_send()
        original_record = sms_queue.SmsQueue.record_outcome
        original_lock = sms_queue.SmsQueue.lock_answer_rows
        calls = []

        def record(queue, sms, outcome):
            calls.append(sms.id)
            if sms == held and calls.count(held.id) == 1:
                raise pg_errors.SerializationFailure("could not serialize access")
            return original_record(queue, sms, outcome)

        def lock(queue, sms_ids):
            return original_lock(queue, sms_ids) - {held.id}  # a report's transaction has it

        with (
            self._as_in_production() as commits,
            patch.object(sms_queue.SmsQueue, "record_outcome", record),
            patch.object(sms_queue.SmsQueue, "lock_answer_rows", lock),
        ):
            batch._duret_record_outcomes(outcomes)
        self.assertEqual(calls, [first.id, last.id, held.id, held.id])
        self.assertEqual(len(commits), 2, "the group, then the held row once it got through")
        self.assertEqual(smss.mapped("twilio_sid"), [outcome.result.sid for outcome in outcomes])
        self.assertEqual(self.simulator.created_count, 3, "nothing sent again")

    def test_collision_of_the_group_writes_its_rows_one_by_one(self):
        smss = self._queued(3)
        batch, outcomes = self._claim_and_send()
        original_group = sms_queue.SmsQueue.write_group
        groups = []

        def write_group(queue, records, group):
            groups.append(len(group))
            original_group(queue, records, group)
            raise pg_errors.SerializationFailure("could not serialize access")

        with (
            self._as_in_production() as commits,
            patch.object(sms_queue.SmsQueue, "write_group", write_group),
        ):
            batch._duret_record_outcomes(outcomes)
        self.assertEqual(groups, [3])
        self.assertEqual(len(commits), 3, "then one transaction per answer")
        self.assertEqual(smss.mapped("twilio_sid"), [outcome.result.sid for outcome in outcomes])

    def test_delivery_report_first_wins_over_a_grouped_answer(self):
        waiting, delivered, sent = self._queued(3)
        batch, outcomes = self._claim_and_send()
        sids = [outcome.result.sid for outcome in outcomes]
        self.assertEqual(self._callback(delivered, sids[1], "delivered"), "ok")
        self.assertEqual(self._callback(sent, sids[2], "sent"), "ok")
        with self._as_in_production():
            batch._duret_record_outcomes(outcomes)  # Twilio's "queued" comes last
        self.assertEqual((waiting.state, waiting.twilio_sid), ("process", sids[0]))
        self.assertEqual(
            (delivered.state, delivered.twilio_status, delivered.twilio_sid),
            ("sent", "delivered", sids[1]),
        )
        self.assertEqual((sent.state, sent.twilio_status), ("pending", "sent"))
        self.assertFalse((waiting | delivered | sent).filtered("duret_failure_reason"))

    def test_stream_claims_while_requests_are_in_flight_and_sends_each_once(self):
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("duret_sms.batch_size", 4)
        icp.set_param("duret_sms.twilio_concurrency", 3)
        self.simulator.set_latency(0.05)
        smss = self._queued(14)
        claims_in_flight, recorded_while_sending = [], []
        original_next = sms_stream.TwilioStream.next_jobs
        original_record = sms_queue.SmsQueue.record_outcomes

        def next_jobs(stream):
            claims_in_flight.append(stream.unanswered)
            return original_next(stream)

        def record_outcomes(queue, batch, outcomes):
            recorded_while_sending.append(self.simulator.created_count < len(smss))
            return original_record(queue, batch, outcomes)

        with (
            patch.object(sms_stream.TwilioStream, "next_jobs", next_jobs),
            patch.object(sms_queue.SmsQueue, "record_outcomes", record_outcomes),
        ):
            self.run_queue()
        self.assertGreater(len(claims_in_flight), 3)
        self.assertTrue(any(claims_in_flight[1:]), "a batch claimed while others in flight")
        self.assertTrue(recorded_while_sending[0], "answers recorded before the last request")
        self.assertEqual(self.simulator.created_count, 14)
        self.assertEqual(self.simulator.duplicates(), 0)
        self.assertEqual(len(set(smss.mapped("twilio_sid"))), 14)
        self.assertEqual(set(smss.mapped("state")), {"process"})  # queued at Twilio
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 14, "nothing sent twice")
