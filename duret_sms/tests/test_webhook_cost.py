"""What Twilio's webhooks cost (issue 21, "cheap under load"): the SQL queries of a delivery
report, counted on the real route, and the cached webhook signers (``WebhookSigners``), which
must follow every change of the Twilio settings at once.

``benchmarks/bench_webhooks.py`` measures the request rates on a prefork server; these tests pin
the counts so that a change that adds queries to the webhooks fails here first.
"""

import uuid
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.duret_sms.core.gateway import compute_signature

from .common import FROM_NUMBER, DuretTwilioMixin

MOBILE = "+33612345678"
RECEIVE = "/twilio/sms/receive"
# An HttpCase request runs in a server thread on the test's cursor (a TestCursor over it), so
# assertQueryCount counts the route's queries (with the test cursor's SAVEPOINT and release).
# A delivery report only records itself (its signature checked without a query, then one
# statement finding the SMS, recording the report and triggering the applying cron): 4 queries
# whatever it reports. A forged one is refused before the SMS is looked for: 5, the refusal's
# bookkeeping for Settings included (the company named by AccountSid, read, not written again).
# Before: 17, 16 and 4 (applied in the request); before issue 21: 19, 18 and 6.
STATUS_QUERIES = 4
# A question from a known customer with a reminded appointment: the number's lock, then the
# SMS recorded in a transaction of its own (the test cursor's SAVEPOINT and release around it).
INBOUND_QUERIES = 16
FORGED_QUERIES = 5


@tagged("post_install", "-at_install")
class TestWebhookCost(DuretTwilioMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.fr")
        cls.partner = cls.env["res.partner"].create(
            {"name": "Camille Martin", "mobile": MOBILE, "country_id": cls.env.ref("base.fr").id}
        )

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company)
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.public_url", self.base_url())

    def send_sms(self, body):
        message = self.partner._message_sms(body)
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.run_queue()
        self.assertTrue(sms.twilio_sid)
        return sms

    def report(self, sms, status):
        path = f"/twilio/sms/status/{sms.uuid}"
        params = {
            "MessageSid": sms.twilio_sid,
            "SmsSid": sms.twilio_sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": self.simulator.account_sid,
            "To": MOBILE,
            "From": FROM_NUMBER,
            "ApiVersion": "2010-04-01",
        }
        signature = compute_signature(self.simulator.auth_token, self.base_url() + path, params)
        return self.url_open(path, data=params, headers={"X-Twilio-Signature": signature})

    def inbound_params(self, sid=None):
        sid = sid or "SM" + uuid.uuid4().hex
        return {
            "MessageSid": sid,
            "AccountSid": self.simulator.account_sid,
            "From": MOBILE,
            "To": FROM_NUMBER,
            "Body": "Je serai 10 min en retard",
        }

    def inbound_company(self, params, token=None):
        url = self.base_url() + RECEIVE
        signature = compute_signature(token or self.simulator.auth_token, url, params)
        return self.env["duret.sms.reply"].sudo()._duret_inbound_company([url], params, signature)

    def test_delivery_report_query_count(self):
        first, second = self.send_sms("Rendez-vous demain 9h"), self.send_sms("Merci !")
        # The first report fills the registry's caches (signers, routing), as on a server
        # that has answered before.
        self.assertEqual(self.report(first, "sent").status_code, 200)
        self.env.invalidate_all()
        for status in ("sent", "delivered", "sent"):  # the last one repeated
            with self.subTest(status=status), self.assertQueryCount(STATUS_QUERIES):
                self.assertEqual(self.report(second, status).status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(second.state, "process", "recorded, not applied yet")
        self.apply_status_reports()
        self.assertEqual(second.state, "sent")
        self.assertEqual(second.mail_message_id.notification_ids.notification_status, "sent")
        self.assertEqual(first.state, "pending")
        # A forged report (another Auth Token) is refused before the SMS is looked for (the
        # first one of a while is written on the company for Settings: not counted here).
        self.simulator.auth_token = "0" * 32
        self.assertEqual(self.report(second, "failed").status_code, 403)
        with self.assertQueryCount(FORGED_QUERIES):
            self.assertEqual(self.report(second, "failed").status_code, 403)

    def test_inbound_question_query_count(self):
        """A known customer's question about a reminded appointment, on the real route: the
        number's lock, then the SMS recorded in a transaction of its own (``receive_in_order``)."""
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage tableau",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": self.env.user.id,
                    "partner_ids": [(4, self.partner.id)],
                }
            )
        )
        event.attendee_ids.filtered(lambda a: a.partner_id == self.partner).write(
            {"duret_reminder_sent_at": fields.Datetime.now()}
        )

        def receive(body):
            params = dict(self.inbound_params(), Body=body)
            url = self.base_url() + RECEIVE
            signature = compute_signature(self.simulator.auth_token, url, params)
            response = self.url_open(
                RECEIVE, data=params, headers={"X-Twilio-Signature": signature}
            )
            self.assertEqual(response.status_code, 200)

        # Inside the hours (setup_twilio opens them: no automatic answer); the first SMS opens
        # the conversation and fills the registry's caches, as on a server that has answered.
        receive("Bonjour, je serai en retard")
        self.env.invalidate_all()
        with self.assertQueryCount(INBOUND_QUERIES):
            receive("Le code du portail est 1234")
        self.env.invalidate_all()
        replies = self.env["duret.sms.reply"].search([("number_from", "=", MOBILE)])
        self.assertEqual(len(replies), 2)
        self.assertEqual(replies.calendar_event_id, event)
        self.assertEqual(len(replies.conversation_id), 1)

    def test_signers_are_cached_and_follow_the_settings(self):
        params = self.inbound_params()
        self.assertEqual(self.inbound_company(params), self.company)
        with self.assertQueryCount(0):
            self.assertEqual(self.inbound_company(params), self.company)
        # A new Auth Token (leaked, rotated in the Twilio Console): the old one signs nothing
        # from the next request on.
        old_token = self.simulator.auth_token
        self.company.twilio_auth_token = "f" * 32
        self.assertFalse(self.inbound_company(params, token=old_token))
        self.assertEqual(self.inbound_company(params, token="f" * 32), self.company)
        # A company that leaves Twilio receives no more SMS...
        self.company.duret_sms_provider = "sandbox"
        self.assertFalse(self.inbound_company(params, token="f" * 32))
        # ... and a new Twilio company is known at once.
        other = self.env["res.company"].create(
            {
                "name": "Duret Moselle",
                "duret_sms_provider": "twilio",
                "twilio_account_sid": "AC" + "1" * 32,
                "twilio_auth_token": "e" * 32,
                "twilio_from_number": "+33939000001",
            }
        )
        params = dict(params, AccountSid=other.twilio_account_sid)
        self.assertEqual(self.inbound_company(params, token="e" * 32), other)

    def test_reports_after_leaving_twilio_are_still_accepted(self):
        """Twilio reports on SMS sent before a company moved to the Sandbox: still signed with
        that company's Auth Token, still recorded (the cached signers keep it)."""
        sms = self.send_sms("Rendez-vous demain 9h")
        self.company.duret_sms_provider = "sandbox"
        self.assertEqual(self.report(sms, "delivered").status_code, 200)
        self.apply_status_reports()
        self.assertEqual(sms.state, "sent")
        # A forged one is not.
        self.simulator.auth_token = "0" * 32
        self.assertEqual(self.report(sms, "failed").status_code, 403)
