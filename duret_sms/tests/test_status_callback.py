from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo.tests import HttpCase, tagged

from odoo.addons.duret_sms.core.gateway import compute_signature
from odoo.addons.duret_sms.services.sms_status import SmsStatus

from .common import DuretTwilioMixin

MOBILE = "+33612345678"


@tagged("post_install", "-at_install")
class TestStatusCallback(DuretTwilioMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.partner = cls.env["res.partner"].create(
            {"name": "Camille Martin", "mobile": MOBILE, "country_id": cls.env.ref("base.fr").id}
        )

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company)
        # Callbacks are built, and signatures checked, from the SMS setting Public URL.
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.public_url", self.base_url())
        self.message = self.partner._message_sms("Rendez-vous demain 9h")
        self.sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", self.message.id)])
        self.run_queue()
        self.sid = self.sms.twilio_sid
        self.assertTrue(self.sid)

    def post(self, params, signature=None, uuid=None, token=None):
        path = f"/twilio/sms/status/{uuid or self.sms.uuid}"
        url = self.base_url() + path
        headers = {}
        if signature is None:
            signature = compute_signature(token or self.simulator.auth_token, url, params)
        if signature:
            headers["X-Twilio-Signature"] = signature
        return self.url_open(path, data=params, headers=headers)

    def params(self, status, **extra):
        return {
            "MessageSid": self.sid,
            "SmsSid": self.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": self.simulator.account_sid,
            "To": MOBILE,
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def reports(self):
        return self.env["duret.sms.status.report"].sudo().search([])

    def notification(self):
        return self.message.notification_ids.filtered(lambda n: n.notification_type == "sms")

    def test_simulator_signed_callbacks_update_sms_and_chatter(self):
        self.assertEqual(self.simulator.deliver(self.sid, "sent"), 200)
        self.apply_status_reports()
        self.assertEqual(self.sms.state, "pending")
        self.assertEqual(self.simulator.deliver(self.sid, "delivered"), 200)
        self.sms.invalidate_recordset()
        self.assertEqual(self.sms.state, "pending", "recorded by the webhook, applied by the cron")
        self.assertEqual(self.notification().notification_status, "pending")
        self.apply_status_reports()
        self.assertEqual((self.sms.state, self.sms.twilio_status), ("sent", "delivered"))
        self.notification().invalidate_recordset()
        self.assertEqual(self.notification().notification_status, "sent")

    def test_unsigned_and_forged_callbacks_are_refused(self):
        for signature, token in (("", None), ("bm90IGEgc2lnbmF0dXJl", None), (None, "wrong")):
            with self.subTest(signature=signature, token=token):
                response = self.post(self.params("delivered"), signature=signature, token=token)
                self.assertEqual(response.status_code, 403)
        # signed for other parameters than those sent
        params = self.params("delivered")
        signature = compute_signature(
            self.simulator.auth_token,
            self.base_url() + f"/twilio/sms/status/{self.sms.uuid}",
            self.params("failed"),
        )
        self.assertEqual(self.post(params, signature=signature).status_code, 403)
        self.assertFalse(self.reports())
        self.apply_status_reports()
        self.assertEqual(self.sms.state, "process", "a refused callback changes nothing")

    def test_out_of_order_and_duplicate_callbacks(self):
        for status in ("delivered", "sent", "delivered", "queued"):
            self.assertEqual(self.post(self.params(status)).status_code, 200)
        self.assertEqual(
            sorted(self.reports().mapped("status")),
            ["delivered", "queued", "sent"],
            "a repeated report is recorded once",
        )
        self.apply_status_reports()
        self.assertEqual(self.sms.state, "sent", "delivered is never undone by a late 'sent'")
        self.assertEqual(self.sms.twilio_status, "delivered")
        self.assertFalse(self.reports(), "applied reports are deleted")
        # Applied one cron run at a time, in any order, the outcome is the same.
        for status in ("sent", "queued", "delivered", "sent"):
            self.assertEqual(self.post(self.params(status)).status_code, 200)
            self.apply_status_reports()
            self.assertEqual((self.sms.state, self.sms.twilio_status), ("sent", "delivered"))

    def test_undelivered_callback_records_reason_and_bounces(self):
        response = self.post(self.params("undelivered", ErrorCode="30005"))
        self.assertEqual(response.status_code, 200)
        self.apply_status_reports()
        self.assertEqual((self.sms.state, self.sms.twilio_error_code), ("error", 30005))
        self.assertTrue(self.sms.duret_failure_reason)
        self.notification().invalidate_recordset()
        self.assertIn(self.notification().notification_status, ("exception", "bounce"))

    def test_opt_out_error_in_callback_blacklists(self):
        self.assertEqual(self.post(self.params("failed", ErrorCode="21610")).status_code, 200)
        self.apply_status_reports()
        self.assertTrue(self.env["phone.blacklist"].sudo().search([("number", "=", MOBILE)]))

    def test_malformed_requests_never_500(self):
        self.assertEqual(
            self.url_open("/twilio/sms/status/not-a-uuid", data={"a": "1"}).status_code, 404
        )
        unknown = "0" * 32
        self.assertEqual(self.post(self.params("sent"), uuid=unknown).status_code, 404)
        self.assertEqual(
            self.post(self.params("sent"), uuid=unknown, signature="x").status_code, 403
        )
        for params in (
            {"Unrelated": "1"},
            {"MessageStatus": "bogus"},
            {"ErrorCode": "abc", "MessageStatus": "failed"},
        ):
            with self.subTest(params=params):
                self.assertIn(self.post(params).status_code, (200, 403))
        self.apply_status_reports()
        self.assertNotEqual(self.sms.state, "sent")
        self.assertEqual(self.url_open(f"/twilio/sms/status/{self.sms.uuid}").status_code, 405)

    def test_report_racing_the_queue_is_applied_with_its_sid(self):
        """A report may arrive before the hand-over's answer is recorded (the SMS still
        "process", no SID yet): the cron records the SID with the status."""
        self.sms.write({"twilio_sid": False})
        self.assertEqual(self.post(self.params("delivered")).status_code, 200)
        self.assertEqual(self.reports().message_sid, self.sid)
        self.apply_status_reports()
        self.assertEqual((self.sms.state, self.sms.twilio_sid), ("sent", self.sid))
        # Another message's report for the same SMS is refused once the SID is known.
        other = self.params("failed", MessageSid="SM" + "f" * 32, ErrorCode="30005")
        self.assertEqual(self.post(other).status_code, 403)
        self.assertFalse(self.reports())

    def test_many_reports_are_applied_in_batches_and_tell_the_chatter(self):
        messages = self.message
        for index in range(6):
            messages |= self.partner._message_sms(f"Rendez-vous {index}")
        smss = self.env["sms.sms"].sudo().search([("mail_message_id", "in", messages.ids)])
        self.run_queue()
        self.assertEqual(len(smss), 7)
        self.assertTrue(all(smss.mapped("twilio_sid")))
        for sms in smss:
            self.sid = sms.twilio_sid
            for status in ("sent", "delivered"):
                self.assertEqual(self.post(self.params(status), uuid=sms.uuid).status_code, 200)
        self.assertEqual(len(self.reports()), 14)
        cron = self.env.ref("duret_sms.ir_cron_sms_status_reports")
        self.assertTrue(
            self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)]),
            "the first report triggers the applying cron",
        )
        self.assertEqual(
            self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)]),
            1,
            "later reports find the trigger pending and add none",
        )
        self.env["bus.bus"].sudo().search([]).unlink()
        self.env["duret.sms.status.report"].sudo()._cron_duret_apply(limit=4)
        self.env.invalidate_all()
        self.assertFalse(self.reports())
        self.assertEqual(set(smss.mapped("state")), {"sent"})
        notifications = messages.notification_ids.filtered(lambda n: n.notification_type == "sms")
        self.assertEqual(set(notifications.mapped("notification_status")), {"sent"})
        updates = (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", "mail.message/notification_update")])
        )
        self.assertTrue(updates, "the chatters are told")
        self.assertLessEqual(len(updates), 4 * 2, "once per batch and author, not per report")

    def test_report_meeting_a_concurrent_write_is_kept_for_the_next_run(self):
        """The queue may be writing the SMS (Twilio's answer) when the cron applies its report:
        the report is kept and applied by a later run, never dropped."""
        self.assertEqual(self.post(self.params("delivered")).status_code, 200)
        real = SmsStatus.apply_twilio_status

        def busy(status_service, sms, *args):
            raise pg_errors.SerializationFailure("could not serialize access")

        with patch.object(SmsStatus, "apply_twilio_status", busy):
            self.apply_status_reports()
        self.assertEqual(self.reports().status, "delivered", "kept")
        self.assertEqual(self.sms.state, "process")
        cron = self.env.ref("duret_sms.ir_cron_sms_status_reports")
        self.assertTrue(
            self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)]),
            "a later run is triggered",
        )
        self.assertIs(SmsStatus.apply_twilio_status, real)
        self.apply_status_reports()
        self.assertFalse(self.reports())
        self.assertEqual(self.sms.state, "sent")
