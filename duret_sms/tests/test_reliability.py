"""Nothing lost, nothing sent twice: racing delivery reports, uncertain answers, time budget,
and one company's failure kept away from the others (issue 11)."""

from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import errors as pg_errors

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.duret_sms.core import dispatch
from odoo.addons.duret_sms.core.gateway import compute_signature
from odoo.addons.duret_sms.services import company_crons, sms_queue, sms_retention

from duret_sms_testing.twilio_simulator import Faults

from .common import ALL_HOURS, FROM_NUMBER, DuretTwilioCase

MOBILE = "+33612345678"
OTHER = "+33698765432"


@tagged("post_install", "-at_install")
class TestQueueReliability(DuretTwilioCase):
    def _queued(self, number=MOBILE, company=None):
        sms = self.env["sms.sms"].create(
            {"number": number, "body": "Bonjour", "company_id": (company or self.company).id}
        )
        sms.send()
        return sms

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

    # ------------------------------------------------------------------
    # A delivery report racing the hand-over's answer
    # ------------------------------------------------------------------

    def test_delivery_report_before_the_answer_wins(self):
        sms = self._queued()
        batch, outcomes = self._claim_and_send()
        [outcome] = outcomes
        self.assertEqual(self._callback(sms, outcome.result.sid, "delivered"), "ok")
        self.assertEqual(sms.state, "sent")
        batch._duret_record_outcomes(outcomes)  # Twilio's "queued" comes after "delivered"
        self.assertEqual((sms.state, sms.twilio_sid), ("sent", outcome.result.sid))
        self.assertEqual(sms.twilio_status, "delivered")
        self.assertEqual(self.simulator.created_count, 1)

    def test_report_before_a_lost_answer_keeps_the_sms_settled(self):
        sms = self._queued()
        batch, outcomes = self._claim_and_send()
        sid = outcomes[0].result.sid
        self._callback(sms, sid, "sent")
        lost = dispatch.Outcome(sms.id, None, dispatch._unexpected(OSError("reset")), 1)
        batch._duret_record_outcomes([lost])
        self.assertEqual((sms.state, sms.twilio_sid), ("pending", sid))
        self.assertFalse(sms.duret_failure_reason, "no 'may have been sent' once Twilio told")
        retry = dispatch.Outcome(sms.id, None, dispatch.not_attempted(), 0)
        batch._duret_record_outcomes([retry])
        self.assertEqual(sms.state, "pending", "never back to the queue once Twilio has it")

    def test_answer_written_again_after_a_serialization_failure(self):
        """Outside tests each answer has its own transaction: a collision with a delivery
        report is rolled back and written again on a fresh read, never lost."""
        sms = self._queued()
        batch, outcomes = self._claim_and_send()
        original = sms_queue.SmsQueue.record_outcome
        calls = []

        def collide_once(queue, record, outcome):
            calls.append(record.id)
            if len(calls) == 1:
                raise pg_errors.SerializationFailure("could not serialize access")
            return original(queue, record, outcome)

        cr = self.env.cr
        with (
            patch.object(sms_queue.SmsQueue, "record_outcome", collide_once),
            patch.object(sms_queue, "in_test_transaction", return_value=False),
            patch.object(type(cr), "commit", lambda cr: cr.flush()),
            patch.object(type(cr), "rollback", lambda cr: cr.clear()),
            patch.object(sms_queue.time, "sleep"),
        ):
            batch._duret_record_outcomes(outcomes)
        self.assertEqual(calls, [sms.id, sms.id])
        self.assertEqual(sms.twilio_sid, outcomes[0].result.sid)

    def test_small_fault_matrix(self):
        """The CI-sized fault matrix (benchmarks/fault_matrix.py runs the big one in prefork):
        Twilio busy, down, losing answers, answering late or 500 after creating; reports
        afterwards in reverse order. Nothing created twice, no answer lost, none in process."""
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("duret_sms.twilio_read_timeout", 0.5)
        icp.set_param("duret_sms.twilio_retry_backoff", 0.01)
        icp.set_param("duret_sms.twilio_concurrency", 4)
        self.simulator.set_faults(
            Faults(
                busy=0.15,
                down=0.1,
                lost=0.1,
                slow=0.05,
                slow_seconds=1.0,
                error_after_create=0.05,
                seed=11,
            )
        )
        smss = self.env["sms.sms"].concat(*(self._queued(f"+336123456{i:02d}") for i in range(40)))
        self.run_queue()
        self.assertTrue(self.simulator.fault_counts.get("lost"), self.simulator.fault_counts)
        self.assertTrue(self.simulator.fault_counts.get("busy"))
        by_uuid = {sms.uuid: sms for sms in smss}
        for sid in list(self.simulator.messages):
            sms = by_uuid[self.simulator.callback_url(sid).rsplit("/", 1)[-1]]
            for status in ("delivered", "sent"):  # out of order
                self.assertEqual(self._callback(sms, sid, status), "ok")
        self.assertEqual(self.simulator.duplicates(), 0, "created twice")
        created = {
            self.simulator.callback_url(sid).rsplit("/", 1)[-1]: sid
            for sid in self.simulator.messages
        }
        lost = smss.filtered(
            lambda sms: (
                created.get(sms.uuid) != (sms.twilio_sid or None)
                if sms.uuid in created
                else sms.state != "outgoing"
            )
        )
        self.assertFalse(lost, "answers lost")
        self.assertFalse(smss.filtered(lambda sms: sms.state == "process"), "left in process")
        self.assertEqual(set(smss.filtered("twilio_sid").mapped("state")), {"sent"})

    # ------------------------------------------------------------------
    # Retry what is safe, never what is uncertain
    # ------------------------------------------------------------------

    def test_uncertain_5xx_is_never_resent(self):
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_retry_backoff", 0.01)
        for status in (500, 502, 504):
            self.simulator.queue_errors(status)
            sms = self._queued()
            self.run_queue()
            self.assertEqual(sms.state, "process", status)
            self.assertFalse(sms.twilio_sid)
            self.assertEqual(sms.duret_retry_count, 0)
            self.assertIn("may have been sent", sms.duret_failure_reason)
            self.assertEqual(len(self.simulator.requests), 1, "asked once, never again")
            self.run_queue()
            self.assertEqual(len(self.simulator.requests), 1)
            self.simulator.requests.clear()
            sms.unlink()

    def test_not_accepted_503_and_20503_are_retried_until_sent(self):
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_concurrency", 1)
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_retry_backoff", 0.01)
        self.simulator.queue_errors(503, 20503, count=2)
        self.simulator.queue_errors(429, 20429, count=1)
        sms = self._queued()
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 1)
        self.assertTrue(sms.twilio_sid)
        self.assertEqual(len(self.simulator.requests), 4)

    def test_retry_limit_fails_with_the_reason(self):
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_retry_backoff", 0.01)
        self.simulator.queue_errors(503, 20503, count=1000)
        sms = self._queued()
        for minutes in range(0, 24 * 60, 61):
            with freeze_time(f"2030-01-10 {minutes // 60:02d}:{minutes % 60:02d}:00"):
                self.run_queue()
        self.assertEqual(self.simulator.created_count, 0)
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms.duret_retry_count, sms_queue.MAX_TRANSIENT_RETRIES)
        self.assertIn("20503", sms.duret_failure_reason)

    # ------------------------------------------------------------------
    # Bounded runs
    # ------------------------------------------------------------------

    def test_time_budget_sends_part_and_wakes_the_next_run(self):
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("duret_sms.twilio_concurrency", 1)
        icp.set_param("duret_sms.batch_size", 2)
        icp.set_param("duret_sms.queue_time_budget", 1.0)
        self.simulator.set_latency(0.3)
        smss = self.env["sms.sms"].concat(*(self._queued(f"+3361234567{i}") for i in range(6)))
        cron = self.env.ref("duret_sms.ir_cron_sms_twilio_queue")
        triggers = self.env["ir.cron.trigger"].sudo()
        triggers.search([("cron_id", "=", cron.id)]).unlink()
        self.run_queue()
        sent = smss.filtered("twilio_sid")
        self.assertTrue(0 < len(sent) < 6, len(sent))
        waiting = smss - sent
        self.assertEqual(set(waiting.mapped("state")), {"outgoing"})
        self.assertEqual(set(waiting.mapped("duret_retry_count")), {0})
        self.assertTrue(triggers.search([("cron_id", "=", cron.id)]), "the next run is woken")
        self.simulator.set_latency(0)
        for _run in range(6):
            self.run_queue()
        self.assertEqual(len(smss.filtered("twilio_sid")), 6)
        self.assertEqual(self.simulator.created_count, 6)

    def test_run_stops_when_time_is_up_before_any_request(self):
        """A batch whose requests all came too late goes back to the queue and the run ends
        (it looped for ever when the deadline and the send loop read different clocks)."""
        sms = self._queued()
        original_send_all = dispatch.send_all
        claims = []
        original_claim = sms_queue.SmsQueue.claim_batch

        def too_late(*args, **kwargs):
            return original_send_all(*args, **dict(kwargs, deadline=float("-inf")))

        def counted_claim(queue, company, limit):
            claims.append(limit)
            self.assertLess(len(claims), 5, "the queue run loops")
            return original_claim(queue, company, limit)

        with (
            patch.object(sms_queue.dispatch, "send_all", too_late),
            patch.object(sms_queue.SmsQueue, "claim_batch", counted_claim),
        ):
            self.run_queue()
        self.assertEqual(len(claims), 1)
        self.assertEqual((sms.state, sms.duret_retry_count), ("outgoing", 0))
        self.assertEqual(self.simulator.created_count, 0)

    def test_budget_is_at_most_half_the_cron_time_limit(self):
        sms_model = self.env["sms.sms"]
        with patch.dict(
            sms_queue.config.options, {"limit_time_real_cron": -1, "limit_time_real": 120}
        ):
            self.assertEqual(sms_model._duret_queue_time_budget(), 60)
        with patch.dict(
            sms_queue.config.options, {"limit_time_real_cron": 40, "limit_time_real": 120}
        ):
            self.assertEqual(sms_model._duret_queue_time_budget(), 20)
        with patch.dict(
            sms_queue.config.options, {"limit_time_real_cron": 0, "limit_time_real": 0}
        ):
            self.assertEqual(sms_model._duret_queue_time_budget(), 60)

    def test_claims_never_overlap_and_deferrals_do_not_loop(self):
        self.company.write({"duret_sms_allow_sunday": False, "duret_sms_weekday_end": 20})
        first, second, third = (self._queued(f"+3361234567{i}") for i in range(3))
        sms_sudo = self.env["sms.sms"].sudo()
        rounds = []
        original = type(first)._duret_apply_sending_rules

        def count(records, company, now):
            rounds.append(len(records))
            return original(records, company, now)

        with (
            freeze_time("2026-11-25 10:00:00"),
            patch.object(type(first), "_duret_apply_sending_rules", count),
        ):
            self.assertEqual(sms_sudo._duret_claim_batch(self.company, 2), first | second)
            self.assertEqual(sms_sudo._duret_claim_batch(self.company, 2), third)
            self.assertFalse(sms_sudo._duret_claim_batch(self.company, 2))
        self.assertEqual(rounds, [2, 1])
        # Outside the hours every SMS is deferred in one round, not looked at again.
        rounds.clear()
        more = self.env["sms.sms"].concat(*(self._queued(f"+3361234568{i}") for i in range(5)))
        with (
            freeze_time("2026-11-29 02:00:00"),  # Sunday night
            patch.object(type(first), "_duret_apply_sending_rules", count),
        ):
            self.assertFalse(sms_sudo._duret_claim_batch(self.company, 2))
        self.assertEqual(rounds, [2, 2, 1])
        self.assertTrue(all(more.mapped("duret_not_before")))


@tagged("post_install", "-at_install")
class TestCronIsolation(DuretTwilioCase):
    """A failing company is recorded, shown in Settings, and never blocks another."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create(
            {"name": "Duret Lyon", "country_id": cls.env.ref("base.fr").id}
        )

    def setUp(self):
        super().setUp()
        # The deliberate crashes below are logged with their traceback, as in production.
        muted = mute_logger("odoo.addons.duret_sms.services.company_crons")
        muted.__enter__()
        self.addCleanup(muted.__exit__, None, None, None)
        self.other.write(
            dict(
                ALL_HOURS,
                duret_sms_provider="twilio",
                twilio_account_sid=self.simulator.account_sid,
                twilio_auth_token=self.simulator.auth_token,
                twilio_from_number=FROM_NUMBER,
                duret_sms_tz="Europe/Paris",
            )
        )

    def _queued(self, company, number):
        sms = self.env["sms.sms"].create(
            {"number": number, "body": "Bonjour", "company_id": company.id}
        )
        sms.send()
        return sms

    def test_prices_are_not_asked_for_a_company_no_longer_on_twilio(self):
        sms = self._queued(self.other, "+33612345001")
        with freeze_time("2026-11-25 10:00:00"):
            self.run_queue()
        self.assertTrue(sms.twilio_sid)
        # The company moves to the Sandbox (a trial, a demo): its Twilio account is gone.
        self.other.write({"duret_sms_provider": "sandbox", "twilio_account_sid": False})
        with freeze_time("2026-11-25 11:00:00"):
            self.env.ref("duret_sms.ir_cron_sms_twilio_prices").sudo().method_direct_trigger()
        self.assertFalse(self.other.duret_sms_cron_error, "nothing failed: nothing to ask")
        self.assertFalse(sms.duret_price_known)

    def test_queue_error_in_one_company_does_not_stop_the_other(self):
        broken = self._queued(self.company, MOBILE)
        fine = self._queued(self.other, OTHER)
        original = sms_queue.SmsQueue.prepare_jobs

        def crash_for_first_company(queue, batch, company):
            if company == self.company:
                raise ZeroDivisionError("bug in the first company")
            return original(queue, batch, company)

        with patch.object(sms_queue.SmsQueue, "prepare_jobs", crash_for_first_company):
            self.run_queue()
        self.assertTrue(fine.twilio_sid, "the other company's SMS went")
        self.assertEqual(broken.state, "outgoing", "the failed claim was undone, not lost")
        self.assertIn("Sending queue", self.company.duret_sms_cron_error)
        self.assertIn("ZeroDivisionError", self.company.duret_sms_cron_error)
        self.assertTrue(self.company.duret_sms_cron_error_at)
        self.assertFalse(self.other.duret_sms_cron_error)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.duret_sms_cron_error, self.company.duret_sms_cron_error)
        # the next clean run sends it and clears the error
        self.run_queue()
        self.assertTrue(broken.twilio_sid)
        self.assertFalse(self.company.duret_sms_cron_error)
        self.assertEqual(self.simulator.created_count, 2)

    def test_missing_configuration_is_shown_on_the_company_and_the_sms(self):
        self.company.sudo().twilio_auth_token = False
        waiting = self._queued(self.company, MOBILE)
        fine = self._queued(self.other, OTHER)
        self.run_queue()
        self.assertTrue(fine.twilio_sid)
        self.assertEqual(waiting.state, "outgoing")
        self.assertIn("Auth Token", waiting.duret_failure_reason)
        self.assertIn("Auth Token", self.company.duret_sms_cron_error)

    def test_price_cron_isolated_per_company(self):
        first = self._queued(self.company, MOBILE)
        second = self._queued(self.other, OTHER)
        with freeze_time("2030-01-10 10:00:00"):
            self.run_queue()
        for sms in first | second:
            self.simulator._advance(sms.twilio_sid, "delivered", None)
        self.company.sudo().twilio_auth_token = False
        with freeze_time("2030-01-10 11:00:00"):
            self.env.ref("duret_sms.ir_cron_sms_twilio_prices").sudo().method_direct_trigger()
        self.assertTrue(second.duret_price_known)
        self.assertEqual(second.state, "sent")
        self.assertFalse(first.duret_price_known)
        self.assertIn("Twilio prices", self.company.duret_sms_cron_error)

    def test_reminder_error_in_one_company_does_not_stop_the_other(self):
        attendee_model = type(self.env["calendar.attendee"])
        done = []

        def crash_for_first(records, company, now, batch_size):
            if company == self.company:
                raise ValueError("broken reminder hour")
            done.append(company)

        with (
            freeze_time("2026-06-09 15:00:00"),
            patch.object(attendee_model, "_duret_send_company_reminders", crash_for_first),
        ):
            self.env["calendar.event"]._cron_duret_appointment_reminder()
        self.assertEqual(done, [self.other])
        self.assertIn("Appointment reminders", self.company.duret_sms_cron_error)

    def test_briefing_error_in_one_company_does_not_stop_the_other(self):
        users_model = type(self.env["res.users"])
        done = []

        def crash_for_first(records, company, now):
            if company == self.company:
                raise ValueError("broken briefing")
            done.append(company)

        with (
            freeze_time("2026-06-09 15:00:00"),
            patch.object(users_model, "_duret_send_company_briefings", crash_for_first),
        ):
            self.env["res.users"]._duret_send_due_briefings(fields.Datetime.now())
        self.assertEqual(done, [self.other])
        self.assertIn("Technician briefings", self.company.duret_sms_cron_error)

    def test_retention_error_in_one_company_does_not_stop_the_other(self):
        self.company.duret_sms_retention_months = 12
        self.other.duret_sms_retention_months = 12
        old = self.env["sms.sms"].create(
            {"number": OTHER, "body": "Bonjour", "company_id": self.other.id, "state": "sent"}
        )
        original = sms_retention.SmsRetention.purge_company

        def crash_for_first(retention, company):
            if company == self.company:
                raise ValueError("broken retention")
            return original(retention, company)

        with (
            freeze_time("2040-01-10 10:00:00"),  # create_date is the database's clock
            patch.object(sms_retention.SmsRetention, "purge_company", crash_for_first),
        ):
            self.env.ref("duret_sms.ir_cron_sms_history_purge").sudo().method_direct_trigger()
        self.assertFalse(old.exists())
        self.assertIn("History retention", self.company.duret_sms_cron_error)

    def test_cron_commit_is_a_savepoint_in_tests(self):
        """What a company committed before its error stays, as in production."""
        sms = self._queued(self.company, MOBILE)

        def half_then_crash(company):
            sms.duret_failure_reason = "kept"
            company_crons.cron_commit(self.env)
            sms.duret_failure_reason = "undone"
            raise ValueError("crash")

        self.company._duret_sms_run_isolated("queue", half_then_crash)
        sms.invalidate_recordset()
        self.assertEqual(sms.duret_failure_reason, "kept")
