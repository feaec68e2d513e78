from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import Form, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.sms.tests.common import MockSMS

from ..core.gateway import compute_signature
from .common import FROM_NUMBER, DuretTwilioCase

MOBILE = "+33612345678"


@tagged("post_install", "-at_install")
class TestTwilioTransport(DuretTwilioCase):
    def _notification(self, message):
        return message.notification_ids.filtered(lambda n: n.notification_type == "sms")

    def test_chatter_sms_goes_through_twilio_after_commit(self):
        message = self.partner._message_sms("Votre technicien arrive demain à 9h.")
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(sms.state, "outgoing", "nothing is sent inside the caller's transaction")
        self.assertEqual(self.simulator.created_count, 0)
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", self.env.ref("duret_sms.ir_cron_sms_twilio_queue").id)]
            ),
            "the queue is triggered to run right after the transaction",
        )
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 1)
        sent = self.sim_messages_to(MOBILE)[0]
        self.assertEqual(sent["from"], FROM_NUMBER)
        self.assertEqual(sent["body"], "Votre technicien arrive demain à 9h.")
        self.assertTrue(
            self.simulator.callback_url(sent["sid"]).endswith(f"/twilio/sms/status/{sms.uuid}")
        )
        self.assertEqual(sms.state, "process")
        self.assertEqual(sms.twilio_sid, sent["sid"])
        self.assertEqual(sms.duret_provider, "twilio")
        self.assertEqual((sms.duret_segments, sms.duret_encoding), (1, "GSM-7"))
        self.assertEqual(self._notification(message).notification_status, "process")
        # a second run sends nothing again
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 1)

    def test_sms_about_a_record_uses_the_record_company(self):
        other = self.env["res.company"].create({"name": "Duret Alsace"})  # provider: Odoo IAP
        self.env.user.company_ids |= other
        customer = self.partner.copy({"company_id": other.id})
        message = customer._message_sms("Bonjour")
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(sms.company_id, other)
        own = self.partner._message_sms("Bonjour")
        own_sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", own.id)])
        self.assertEqual(own_sms.company_id, self.company)
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 1, "only the Twilio company's SMS")
        self.assertEqual(own_sms.state, "process")

    def test_messaging_service_wins_over_sender(self):
        self.company.twilio_messaging_service_sid = "MG" + "1" * 32
        self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"}).send()
        self.run_queue()
        sent = self.sim_messages_to(MOBILE)[0]
        self.assertEqual(sent["messaging_service_sid"], "MG" + "1" * 32)
        self.assertFalse(sent.get("from"))

    def test_composer_modes(self):
        partner2 = self.partner.copy({"name": "Louis Bernard", "mobile": "07 81 22 33 44"})
        # comment mode (one record, posts in the chatter)
        composer = Form(
            self.env["sms.composer"].with_context(
                active_model="res.partner", active_id=self.partner.id
            )
        )
        composer.body = "Bonjour"
        composer.save().action_send_sms()
        # mass mode, sent directly
        composer = Form(
            self.env["sms.composer"].with_context(
                active_model="res.partner",
                active_ids=(self.partner | partner2).ids,
                default_composition_mode="mass",
                default_mass_force_send=True,
            )
        )
        composer.body = "Promo"
        composer.save().action_send_sms()
        # numbers mode
        self.env["sms.composer"].create(
            {"composition_mode": "numbers", "numbers": "+33698765432", "body": "Test"}
        ).action_send_sms()
        self.assertEqual(self.simulator.created_count, 0)
        self.run_queue()
        numbers = sorted(m["to"] for m in self.simulator.messages.values())
        self.assertEqual(numbers, sorted([MOBILE, MOBILE, "+33781223344", "+33698765432"]))

    def test_calendar_sms_alarm_goes_through_twilio(self):
        alarm_field = self.env["calendar.alarm"]._fields["alarm_type"]
        if "sms" not in dict(alarm_field.selection):
            self.skipTest("calendar_sms is not installed")
        event = self.env["calendar.event"].create(
            {
                "name": "Dépannage tableau électrique",
                "start": datetime(2030, 1, 10, 9, 0),
                "stop": datetime(2030, 1, 10, 10, 0),
                "partner_ids": [(6, 0, self.partner.ids)],
                "alarm_ids": [(0, 0, {"name": "SMS", "alarm_type": "sms", "duration": 1})],
            }
        )
        event._do_sms_reminder(event.alarm_ids)
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)

    def test_invalid_numbers_fail_with_reason_without_http(self):
        missing, bad = self.env["sms.sms"].create(
            [{"number": False, "body": "x"}, {"number": "12", "body": "x"}]
        )
        (missing | bad).send()
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 0)
        self.assertEqual((missing.state, missing.failure_type), ("error", "sms_number_missing"))
        self.assertEqual((bad.state, bad.failure_type), ("error", "sms_number_format"))
        self.assertIn("12", bad.duret_failure_reason)

    def test_permanent_twilio_error_recorded_and_shown(self):
        self.simulator.fail_number(MOBILE, 21211)
        message = self.partner._message_sms("Bonjour")
        self.run_queue()
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_number_format"))
        self.assertEqual(sms.twilio_error_code, 21211)
        self.assertTrue(sms.duret_failure_reason)
        notification = self._notification(message)
        self.assertEqual(notification.notification_status, "exception")
        self.assertEqual(notification.failure_type, "sms_number_format")
        self.run_queue()
        self.assertEqual(sms.state, "error", "a permanent error is never retried")

    def test_opted_out_at_twilio_goes_to_blacklist(self):
        self.simulator.fail_number(MOBILE, 21610)
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        sms.send()
        self.run_queue()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_blacklist"))
        blacklisted = self.env["phone.blacklist"].sudo().search([("number", "=", MOBILE)])
        self.assertTrue(blacklisted.active)
        self.assertIn("21610", blacklisted.message_ids[:1].body)

    def test_throttled_and_unavailable_are_retried_and_sent_once(self):
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_concurrency", 1)
        self.simulator.queue_errors(429, 20429, count=2)
        self.simulator.queue_errors(503, count=1)
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        sms.send()
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 1)
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)
        self.assertEqual(sms.state, "process")
        self.assertTrue(sms.twilio_sid)

    def test_outage_defers_with_backoff_then_sends_once(self):
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_retry_backoff", 0.01)
        self.simulator.queue_errors(503, count=50)
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        sms.send()
        with freeze_time("2030-01-10 10:00:00"):
            self.run_queue()
            self.assertEqual(sms.state, "outgoing")
            self.assertEqual(sms.duret_retry_count, 1)
            self.assertEqual(sms.duret_not_before, datetime(2030, 1, 10, 10, 2))
            self.assertTrue(sms.duret_failure_reason)
            self.simulator.clear_queued_errors()
            self.run_queue()  # not due yet
            self.assertEqual(self.simulator.created_count, 0)
        with freeze_time("2030-01-10 10:03:00"):
            self.run_queue()
        self.assertEqual(self.simulator.created_count, 1)
        self.assertEqual(sms.state, "process")

    def test_rollback_after_twilio_accepted_never_sends_twice(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        SmsSudo = self.env["sms.sms"].sudo()
        batch = SmsSudo._duret_claim_batch(self.company, 10)
        self.assertEqual(batch, sms)
        jobs = batch._duret_prepare_jobs(self.company)
        # What the cron commits before calling Twilio is kept; what follows is lost.
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            batch._duret_hand_over(self.company._duret_sms_link(), jobs)
            self.assertEqual(self.simulator.created_count, 1)
            raise RuntimeError("worker killed after Twilio accepted")
        sms.invalidate_recordset()
        self.assertEqual((sms.state, sms.twilio_sid), ("process", False))
        self.run_queue()
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 1, "the SMS never goes out twice")
        # The delivery report (uuid in its URL) settles it.
        sid = next(iter(self.simulator.messages))
        outcome = SmsSudo._duret_handle_status_callback(
            sms.uuid, *self._signed_callback(sms, sid, "delivered")
        )
        self.assertEqual(outcome, "ok")
        self.apply_status_reports()
        self.assertEqual((sms.state, sms.twilio_sid), ("sent", sid))

    def _signed_callback(self, sms, sid, status):
        url = self.env["res.company"]._duret_public_url(f"/twilio/sms/status/{sms.uuid}")
        params = {
            "MessageSid": sid,
            "MessageStatus": status,
            "AccountSid": self.simulator.account_sid,
        }
        return url, params, compute_signature(self.simulator.auth_token, url, params)

    def test_stale_handover_closed_with_reason_not_resent(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        with freeze_time("2030-01-10 10:00:00"):
            self.env["sms.sms"].sudo()._duret_claim_batch(self.company, 10)
        with freeze_time("2030-01-10 11:30:00"):
            self.run_queue()
        self.assertEqual((sms.state, sms.failure_type), ("error", "unknown"))
        self.assertIn("Twilio", sms.duret_failure_reason)
        self.assertEqual(self.simulator.created_count, 0)

    def test_ambiguous_timeout_is_not_resent(self):
        self.simulator.set_latency(1.0)
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        sms.send()
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_read_timeout", 0.2)
        try:
            self.run_queue()
        finally:
            self.simulator.set_latency(0)
        self.assertEqual(self.simulator.created_count, 1)
        self.assertEqual(sms.state, "process")
        self.assertIn("may have been sent", sms.duret_failure_reason)
        self.run_queue()
        self.assertEqual(self.simulator.created_count, 1)

    def test_missing_configuration_keeps_sms_queued(self):
        self.company.sudo().twilio_auth_token = False
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        sms.send()
        self.run_queue()
        self.assertEqual(sms.state, "outgoing")
        self.assertIn("Auth Token", sms.duret_failure_reason)
        self.assertEqual(self.simulator.created_count, 0)

    def test_price_cron_fetches_price_and_final_status(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "é" * 200})
        sms.send()
        self.run_queue()
        self.assertEqual(sms.duret_segments, 2)
        self.assertFalse(sms.duret_price_known)
        self.simulator._advance(sms.twilio_sid, "delivered", None)
        cron = self.env.ref("duret_sms.ir_cron_sms_twilio_prices").sudo()
        later = fields.Datetime.now() + timedelta(minutes=10)
        with freeze_time(later):
            cron.method_direct_trigger()
        self.assertTrue(sms.duret_price_known)
        self.assertAlmostEqual(sms.duret_price, 0.152)
        self.assertEqual(sms.duret_price_unit, "EUR")
        self.assertEqual(sms.state, "sent")

    def test_sandbox_delivers_without_network(self):
        self.company.duret_sms_provider = "sandbox"
        message = self.partner._message_sms("Bonjour ê")
        self.run_queue()
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(self.simulator.created_count, 0)
        self.assertEqual((sms.state, sms.duret_provider), ("sent", "sandbox"))
        self.assertTrue(sms.twilio_sid.startswith("SB"))
        self.assertEqual(sms.duret_encoding, "UCS-2")
        self.assertEqual(self._notification(message).notification_status, "sent")

    def test_test_wizard_shows_twilio_answer(self):
        wizard = self.env["duret.sms.test.wizard"].create({"number": "06 12 34 56 78"})
        wizard.action_send()
        self.assertEqual(wizard.result_state, "success")
        self.assertIn("SM", wizard.result_message)
        self.company.sudo().twilio_auth_token = "wrong"
        wizard.action_send()
        self.assertEqual(wizard.result_state, "error")
        self.assertIn("20003", wizard.result_message)

    def test_test_wizard_callback_uses_the_public_url(self):
        """Issue 17, item 13: the test SMS's status callback is at the Public URL, not at
        web.base.url."""
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("duret_sms.public_url", "https://erp.duret-electricite.fr")
        icp.set_param("web.base.url", "http://localhost:8069")
        wizard = self.env["duret.sms.test.wizard"].create({"number": "06 12 34 56 78"})
        wizard.action_send()
        self.assertEqual(
            self.simulator.callback_url(wizard.sms_id.twilio_sid),
            f"https://erp.duret-electricite.fr/twilio/sms/status/{wizard.sms_id.uuid}",
        )


@tagged("post_install", "-at_install")
class TestIapUntouched(TransactionCase, MockSMS):
    def test_iap_company_uses_odoo_iap(self):
        self.env.company.duret_sms_provider = "iap"
        partner = self.env["res.partner"].create({"name": "X", "mobile": "+32456001122"})
        with self.mockSMSGateway():
            partner._message_sms("Hello")
        self.assertEqual([s["number"] for s in self._sms], ["+32456001122"])
        self.assertEqual(self._new_sms.state, "pending")
