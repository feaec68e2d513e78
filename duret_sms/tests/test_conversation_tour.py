"""Issue 21: answering an SMS conversation in the browser (Chromium), at desktop size as an SMS
officer and at phone size as the appointment's technician. The tours
(static/tests/tours/conversation.js) fail on any client or console error; the answer must
then have left as an SMS to the conversation's number."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import FROM_NUMBER, DuretTwilioMixin

MOBILE = "+33612345678"
QUESTION = "Le code du portail est 1234, je serai là à 9 h."
ANSWER = "Merci, c'est noté. Paul sera là à 9 h."


class ConversationTourMixin(DuretTwilioMixin):
    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.country_id = self.env.ref("base.fr")
        self.setup_twilio(self.company)  # sending hours opened round the clock
        # The menu counts the conversations waiting: only this test's one (the demo's are
        # closed in this test's transaction).
        self.env["duret.sms.conversation"].sudo().search([("state", "=", "waiting")]).write(
            {"state": "done"}
        )
        self.officer = new_test_user(
            self.env,
            login="y3_conv_officer",
            name="Olivia Bureau",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )
        self.technician = new_test_user(
            self.env,
            login="y3_conv_technician",
            name="Paul Tournée",
            groups="base.group_user,duret_sms.duret_sms_group_technician",
        )
        self.customer = self.env["res.partner"].create(
            {"name": "Camille Portail", "mobile": MOBILE, "country_id": self.env.ref("base.fr").id}
        )
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        self.event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Visite portail",
                    "start": start,
                    "stop": start + timedelta(hours=2),
                    "user_id": self.technician.id,
                    "partner_ids": [Command.set([self.customer.id, self.technician.partner_id.id])],
                }
            )
        )
        # The customer's question comes in through the webhook's model entry point.
        reply = (
            self.env["duret.sms.reply"]
            .sudo()
            ._duret_receive(
                {
                    "MessageSid": "SM" + "21" * 16,
                    "From": MOBILE,
                    "To": FROM_NUMBER,
                    "Body": QUESTION,
                },
                self.company,
            )
        )
        self.conversation = reply.conversation_id
        self.assertTrue(self.conversation, "the inbound SMS opened a conversation")
        # Whoever the appointment lookup chose, the tours need this technician on it.
        self.conversation.sudo().write(
            {
                "state": "waiting",
                "event_id": self.event.id,
                "technician_id": self.technician.id,
                "user_id": self.technician.id,
            }
        )

    def assert_answer_left_as_sms(self):
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("number", "=", MOBILE), ("body", "like", "Paul sera là")])
        )
        self.assertEqual(len(sms), 1, "the answer became one SMS to the conversation's number")
        self.assertTrue(sms.mail_message_id, "linked to its message in the thread")
        self.assertEqual(sms.mail_message_id.res_id, self.conversation.id)
        self.run_queue()
        self.assertEqual([m["body"] for m in self.sim_messages_to(MOBILE)], [ANSWER])


@tagged("post_install", "-at_install")
class TestConversationTourDesktop(ConversationTourMixin, HttpCase):
    browser_size = "1440x900"

    def test_officer_answers_and_closes_a_conversation(self):
        # Twilio's last price for a French number: the counter estimates the answer's cost.
        self.env.ref("base.EUR").active = True
        self.env["sms.sms"].sudo().create(
            {
                "number": "+33611000999",
                "body": "Duret priced",
                "state": "sent",
                "company_id": self.company.id,
                "duret_price": 0.076,
                "duret_price_unit": "EUR",
                "duret_price_known": True,
                "duret_segments": 1,
                "duret_status_at": fields.Datetime.now(),
            }
        )
        self.assertEqual(self.conversation.segment_price, 0.076)
        self.start_tour("/web", "duret_sms_conversation_desktop", login=self.officer.login)
        self.assert_answer_left_as_sms()
        self.assertEqual(self.conversation.state, "done")


@tagged("post_install", "-at_install")
class TestConversationTourPhone(ConversationTourMixin, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_technician_answers_from_the_phone(self):
        self.start_tour("/web", "duret_sms_conversation_phone", login=self.technician.login)
        self.assert_answer_left_as_sms()
        self.assertEqual(self.conversation.state, "answered")
