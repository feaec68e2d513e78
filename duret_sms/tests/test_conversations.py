"""Conversations (issue 21): one SMS thread per number and company, answered from Odoo."""

import random
import threading
import time
import uuid
from datetime import datetime, timedelta
from functools import partial
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup
from psycopg2 import IntegrityError
from psycopg2.errors import SerializationFailure

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import retrying
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.duret_sms.controllers.inbound import receive_in_order
from odoo.addons.duret_sms.services.conversations import Conversations
from odoo.addons.duret_sms.services.inbound import InboundSms

from .common import ALL_HOURS, DEFAULT_HOURS, FROM_NUMBER, DuretTwilioCase

MOBILE = "+33612345678"
OTHER_MOBILE = "+33687654321"
# Friday 27 November 2026 (Paris = UTC+1); Duret's default hours: weekdays 8-20, Saturday 9-18.
FRIDAY_2010 = datetime(2026, 11, 27, 19, 10)  # 20:10 Paris: just closed
FRIDAY_2100 = datetime(2026, 11, 27, 20, 0)  # 21:00 Paris
SATURDAY_9 = datetime(2026, 11, 28, 8, 0)  # 09:00 Paris: the next opening
TUESDAY_10 = datetime(2026, 12, 1, 9, 0)  # 10:00 Paris: open


def new_sid():
    return "SM" + uuid.uuid4().hex


class ConversationCase(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "Duret Lorraine", "country_id": cls.env.ref("base.fr").id}
        )
        cls.company_b.write(dict(ALL_HOURS, duret_sms_tz="Europe/Paris"))
        companies = cls.company | cls.company_b
        cls.technician = new_test_user(
            cls.env,
            login="conv_tech",
            name="Luc Technicien",
            email="luc@example.com",
            groups="base.group_user,duret_sms.duret_sms_group_technician",
            notification_type="inbox",
        )
        cls.other_technician = new_test_user(
            cls.env,
            login="conv_tech2",
            name="Marc Technicien",
            groups="base.group_user,duret_sms.duret_sms_group_technician",
        )
        cls.officer = new_test_user(
            cls.env,
            login="conv_officer",
            name="Odile Bureau",
            email="odile@example.com",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
            company_ids=[(6, 0, companies.ids)],
            notification_type="inbox",
        )
        cls.officer_b = new_test_user(
            cls.env,
            login="conv_officer_b",
            name="Bertrand Lorraine",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.employee = new_test_user(cls.env, login="conv_employee", groups="base.group_user")
        cls.public = cls.env.ref("base.public_user")
        cls.Conversation = cls.env["duret.sms.conversation"]

    def setUp(self):
        super().setUp()
        self.first_sms_id = (self.env["sms.sms"].search([], order="id desc", limit=1).id or 0) + 1

    def receive(self, body, sender=MOBILE, company=None):
        """The inbound webhook's model call, as the controller makes it (public user, sudo)."""
        company = company or self.company
        replies = self.env["duret.sms.reply"].with_user(self.public).sudo().with_company(company)
        params = {
            "MessageSid": new_sid(),
            "AccountSid": self.simulator.account_sid,
            "From": sender,
            "To": FROM_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        return replies._duret_receive(params, company).with_env(self.env)

    def appointment(self, technician=None, days=2):
        start = fields.Datetime.now() + timedelta(days=days)
        technician = technician or self.technician
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage tableau électrique",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": technician.id,
                    "partner_ids": [(4, self.partner.id), (4, technician.partner_id.id)],
                }
            )
        )
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        attendee.duret_reminder_sent_at = fields.Datetime.now() - timedelta(hours=1)
        return event

    def answer(self, conversation, text, user=None):
        return conversation.with_user(user or self.officer).message_post(
            body=text, message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def sms_to(self, number=MOBILE):
        return self.env["sms.sms"].search(
            [("number", "=", number), ("id", ">=", self.first_sms_id)], order="id"
        )

    def thread(self, conversation):
        """The conversation's messages, oldest first (tracking and system lines aside)."""
        return conversation.message_ids.filtered(
            lambda m: m.message_type in ("sms", "comment")
        ).sorted("id")

    def needaction(self, message, user):
        return message.notification_ids.filtered(
            lambda n: (
                n.res_partner_id == user.partner_id
                and n.notification_type == "inbox"
                and not n.is_read
            )
        )


@tagged("post_install", "-at_install")
class TestConversations(ConversationCase):
    def test_one_thread_per_number_and_company(self):
        first = self.receive("Bonjour, c'est pour le devis")
        second = self.receive("Vous pouvez passer mardi ?")
        other = self.receive("Et pour Metz ?", company=self.company_b)
        conversation = first.conversation_id
        self.assertTrue(conversation)
        self.assertEqual(second.conversation_id, conversation)
        self.assertEqual(conversation.reply_ids, first | second)
        self.assertEqual(
            (conversation.number, conversation.partner_id, conversation.company_id),
            (MOBILE, self.partner, self.company),
        )
        self.assertEqual(conversation.name, self.partner.name)
        self.assertNotEqual(other.conversation_id, conversation)
        self.assertEqual(other.conversation_id.company_id, self.company_b)
        # Each is only visible in its company.
        Conversation = self.Conversation.with_user(self.officer_b).with_company(self.company_b)
        self.assertEqual(Conversation.search([("number", "=", MOBILE)]), other.conversation_id)
        with self.assertRaises(AccessError):
            conversation.with_user(self.officer_b).read(["number"])
        Conversation = self.Conversation.with_user(self.officer).with_company(self.company)
        self.assertEqual(Conversation.search([("number", "=", MOBILE)]), conversation)
        # A second conversation of the same number and company cannot exist.
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.Conversation.create({"company_id": self.company.id, "number": MOBILE})

    def test_thread_reads_in_order_both_ways(self):
        question = self.receive("Le code du portail est 1234")
        conversation = question.conversation_id
        self.answer(conversation, "Merci, bien noté.")
        self.receive("AIDE")  # a keyword: its answer is shown in the thread too
        self.partner._message_sms("Rappel : votre RDV demain à 9 h")  # from the chatter
        bodies = [m.body for m in self.thread(conversation)]
        expected = ["portail", "bien noté", "AIDE", "toute question", "Rappel"]
        self.assertEqual(len(bodies), len(expected), bodies)
        for body, text in zip(bodies, expected, strict=True):
            self.assertIn(text, str(body))
        self.assertEqual(
            self.thread(conversation)[0].author_id, self.partner, "the customer wrote it"
        )
        self.assertIn("Rappel", conversation.last_message_preview)

    def test_answer_leaves_by_sms_through_the_queue(self):
        event = self.appointment()
        conversation = self.receive("Je serai en retard de 10 min").conversation_id
        self.assertEqual(conversation.state, "waiting")
        message = self.answer(conversation, "Pas de souci, à tout à l'heure.")
        sms = self.sms_to()
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.body, "Pas de souci, à tout à l'heure.")
        self.assertEqual(
            (sms.partner_id, sms.company_id, sms.duret_category, sms.mail_message_id),
            (self.partner, self.company, "transactional", message),
        )
        self.assertEqual(message.message_type, "sms")
        notification = message.notification_ids.filtered(lambda n: n.notification_type == "sms")
        self.assertEqual(notification.sms_id_int, sms.id)
        self.assertEqual(conversation.state, "answered")
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)
        self.assertIn(notification.notification_status, ("process", "pending", "sent"))
        # The customer is never e-mailed, nor a follower.
        self.assertNotIn(self.partner, message.partner_ids)
        self.assertNotIn(self.partner, conversation.message_partner_ids)
        mails = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertFalse(mails.recipient_ids & self.partner)
        # The appointment's chatter notes the answer.
        note = event.message_ids.filtered(lambda m: "Pas de souci" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn("Odile Bureau", str(note.body))

    def test_links_in_an_answer_are_sent_once(self):
        """The chatter turns a typed URL into a link: the SMS carries it once, without Odoo's
        "[1]" footnotes (they doubled the URL and the cost)."""
        conversation = self.receive("Où voir mon rendez-vous ?").conversation_id
        conversation.with_user(self.officer).message_post(
            body=Markup(
                '<p>Voir <a href="https://duret.fr/rdv" target="_blank">https://duret.fr/rdv</a>'
                ' ou <a href="https://duret.fr/aide">notre aide</a></p>'
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(
            self.sms_to().body,
            "Voir https://duret.fr/rdv ou notre aide (https://duret.fr/aide)",
        )

    def test_question_without_appointment_sends_no_email_from_the_webhook(self):
        """The office's activity for a question without appointment is a notice in Odoo, not
        an assignment e-mail sent by SMTP inside the webhook (from OdooBot, who may have no
        address: "You must either provide a sender address")."""
        from odoo.addons.mail.models.mail_mail import MailMail

        with patch.object(MailMail, "create", autospec=True, side_effect=MailMail.create) as spy:
            reply = self.receive("Pouvez-vous passer jeter un œil au tableau ?")
        self.assertFalse(spy.called, "no e-mail is created while receiving an SMS")
        activity = reply.duret_copy_activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.res_id, self.partner.id)

    def test_notes_stay_internal(self):
        conversation = self.receive("Bonjour").conversation_id
        conversation.with_user(self.officer).message_post(
            body="Client difficile", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.assertFalse(self.sms_to())

    def test_opted_out_number_gets_nothing_and_the_message_says_why(self):
        conversation = self.receive("Bonjour").conversation_id
        self.env["phone.blacklist"].sudo()._add([MOBILE])
        message = self.answer(conversation, "Nous passons demain.")
        self.run_queue()
        self.assertFalse(self.sim_messages_to(MOBILE))
        sms = self.sms_to()
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_blacklist"))
        notification = message.notification_ids.filtered(lambda n: n.notification_type == "sms")
        self.assertEqual(notification.notification_status, "canceled")
        reasons = notification.with_user(self.officer)._duret_sms_reasons()
        self.assertIn("opt-out", reasons[notification.id]["duret_reason"])

    def test_reply_conversation_id_contract(self):
        reply = self.receive("Pouvez-vous me rappeler ?")
        reply.conversation_id.with_user(self.officer).message_post(
            body="Nous vous rappelons dans l'heure.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        sms = self.sms_to()
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number, MOBILE)
        self.assertIn("rappelons", sms.body)

    def test_empty_answer_is_refused(self):
        conversation = self.receive("Bonjour").conversation_id
        with self.assertRaises(UserError):
            self.answer(conversation, Markup("<p> </p>"))

    def test_direct_answer_within_an_hour_goes_outside_the_hours(self):
        self.company.write(DEFAULT_HOURS)
        with freeze_time(FRIDAY_2010):
            conversation = self.receive("Vous venez demain ?").conversation_id
            self.run_queue()  # the automatic answer (a direct answer too)
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)
        with freeze_time(FRIDAY_2010 + timedelta(minutes=30)):
            self.answer(conversation, "Oui, à 9 h.")
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 2, "answered 30 min after: now")
        with freeze_time(FRIDAY_2010 + timedelta(minutes=70)):
            self.answer(conversation, "Le technicien s'appelle Luc.")
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 2, "70 min after: deferred")
        late = self.sms_to()[-1]
        self.assertEqual(late.state, "outgoing")
        self.assertEqual(late.duret_not_before, SATURDAY_9)

    def test_technician_is_told_and_answers_only_their_conversations(self):
        self.appointment()
        reply = self.receive("Le portail est ouvert, entrez directement")
        conversation = reply.conversation_id
        self.assertEqual(conversation.technician_id, self.technician)
        self.assertEqual(conversation.event_id, reply.calendar_event_id)
        message = self.thread(conversation)[0]
        self.assertTrue(self.needaction(message, self.technician), "in the technician's inbox")
        # The technician reads and answers their conversation...
        as_technician = conversation.with_user(self.technician)
        self.assertEqual(as_technician.read(["number"])[0]["number"], MOBILE)
        self.assertEqual(as_technician.reply_count, 1)
        self.answer(conversation, "Merci, j'arrive.", user=self.technician)
        self.assertEqual(len(self.sms_to()), 1)
        self.assertEqual(conversation.state, "answered")
        # ...but no other, and cannot change it.
        other = self.receive("Bonjour", sender=OTHER_MOBILE).conversation_id
        self.assertEqual(
            self.Conversation.with_user(self.technician).search([]),
            conversation.with_env(self.Conversation.with_user(self.technician).env),
        )
        with self.assertRaises(AccessError):
            other.with_user(self.technician).read(["number"])
        with self.assertRaises(AccessError):
            self.answer(other, "Bonjour", user=self.technician)
        with self.assertRaises(AccessError):
            self.Conversation.with_user(self.other_technician).browse(conversation.id).read(
                ["number"]
            )
        with self.assertRaises(AccessError):
            as_technician.write({"state": "done"})

    def test_employee_without_group_sees_none(self):
        self.receive("Bonjour")
        Conversation = self.Conversation.with_user(self.employee)
        with self.assertRaises(AccessError):
            Conversation.search([])
        menus = self.env["ir.ui.menu"].with_user(self.employee).load_menus(False)
        self.assertNotIn(self.env.ref("duret_sms.duret_sms_conversation_menu").id, menus)

    def test_officers_are_told_of_new_conversations_once(self):
        first = self.receive("Bonjour, je voudrais un devis")
        thread = self.thread(first.conversation_id)
        self.assertTrue(self.needaction(thread[0], self.officer))
        self.assertFalse(
            self.needaction(thread[0], self.officer_b), "another company's officer is not"
        )
        second = self.receive("Pour une borne de recharge")
        message = self.thread(second.conversation_id)[-1]
        self.assertFalse(self.needaction(message, self.officer), "not on every message")
        # Assigned to someone: they are told of every message.
        first.conversation_id.with_user(self.officer).action_assign_to_me()
        third = self.receive("Vous êtes là ?")
        self.assertTrue(self.needaction(self.thread(third.conversation_id)[-1], self.officer))

    def test_menu_counts_the_conversations_waiting(self):
        # Only this test's conversations wait (the demo has one waiting for its technician).
        self.env["duret.sms.conversation"].search([("state", "=", "waiting")]).action_done()
        conversation = self.receive("Bonjour").conversation_id
        self.receive("Bonsoir", sender=OTHER_MOBILE)
        menu = self.env.ref("duret_sms.duret_sms_conversation_menu")
        menus = self.env["ir.ui.menu"].with_user(self.officer).load_menus(False)
        self.assertEqual(menus[menu.id]["name"], "Conversations (2)")
        conversation.with_user(self.officer).action_done()
        menus = self.env["ir.ui.menu"].with_user(self.officer).load_menus(False)
        self.assertEqual(menus[menu.id]["name"], "Conversations (1)")

    def test_done_conversation_reopens_on_the_next_message(self):
        conversation = self.receive("Bonjour").conversation_id
        conversation.with_user(self.officer).action_done()
        self.assertEqual(conversation.state, "done")
        self.receive("START")  # a keyword the system handles does not reopen it
        self.assertEqual(conversation.state, "done")
        self.receive("Encore une question")
        self.assertEqual(conversation.state, "waiting")
        conversation.with_user(self.officer).action_done()
        conversation.with_user(self.officer).action_reopen()
        self.assertEqual(conversation.state, "waiting")

    def test_ambiguous_cancel_needs_staff(self):
        self.appointment()
        self.appointment(days=3)
        conversation = self.receive("Bonjour").conversation_id
        self.answer(conversation, "Bonjour, que puis-je pour vous ?")
        self.assertEqual(conversation.state, "answered")
        reply = self.receive("ANNULE")
        self.assertEqual(reply.state, "needs_attention")
        self.assertEqual(conversation.state, "waiting")

    def test_auto_answer_out_of_hours_once_per_12_hours(self):
        self.company.write(DEFAULT_HOURS)

        def auto_answers():
            return self.sms_to().filtered(lambda s: "fermés" in s.body)

        with freeze_time(FRIDAY_2100):
            conversation = self.receive("Vous passez quand ?").conversation_id
            self.assertEqual(len(auto_answers()), 1)
            self.assertIn("demain dès 9 h", auto_answers().body)
            self.assertEqual(auto_answers().duret_answers_inbound_at, FRIDAY_2100)
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1, "sent at once")
        self.assertEqual(conversation.auto_answer_at, FRIDAY_2100)
        self.assertIn("fermés", str(self.thread(conversation)[-1].body))
        with freeze_time(FRIDAY_2100 + timedelta(hours=2)):
            self.receive("Allô ?")
            self.receive("AIDE")  # keywords keep their own answer
        self.assertEqual(len(auto_answers()), 1, "not twice within 12 hours")
        with freeze_time(SATURDAY_9 + timedelta(hours=3)):
            self.receive("Bonjour")  # open: staff answer
        self.assertEqual(len(auto_answers()), 1)
        with freeze_time(FRIDAY_2100 + timedelta(hours=22, minutes=30)):  # Saturday 19:30
            self.receive("Toujours personne ?")
        self.assertEqual(len(auto_answers()), 2)
        self.assertIn("lundi dès 8 h", auto_answers()[-1].body)

    def test_next_opening_words(self):
        self.company.write(DEFAULT_HOURS)
        conversations = Conversations(self.env)
        self.assertEqual(
            conversations.next_opening_text(self.company, TUESDAY_10), "dès maintenant"
        )
        self.assertEqual(
            conversations.next_opening_text(self.company, FRIDAY_2100), "demain dès 9 h"
        )

    def test_unknown_number_gets_a_conversation_named_after_it(self):
        reply = self.receive("Bonjour, c'est Paul", sender=OTHER_MOBILE)
        conversation = reply.conversation_id
        self.assertFalse(conversation.partner_id)
        self.assertEqual(conversation.name, OTHER_MOBILE)
        self.assertEqual(self.thread(conversation)[0].email_from, OTHER_MOBILE)
        # Linking the number to a contact names the conversation.
        paul = self.env["res.partner"].create({"name": "Paul Durand", "mobile": OTHER_MOBILE})
        reply.with_user(self.officer).write({"partner_id": paul.id})
        self.assertEqual(conversation.partner_id, paul)
        self.assertEqual(conversation.name, "Paul Durand")

    def test_reply_opens_its_conversation(self):
        reply = self.receive("Bonjour")
        action = reply.with_user(self.officer).action_duret_open_conversation()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("duret.sms.conversation", reply.conversation_id.id),
        )


@tagged("post_install", "-at_install")
class TestConversationBudget(ConversationCase):
    def test_inbound_question_query_budget(self):
        """A known customer's question about a reminded appointment, inside the hours: at most
        12 queries in the model (14 before the appointment and the users were read in one
        statement each; the webhook's HTTP layer and signature check come on top)."""
        self.appointment()
        self.receive("Bonjour, je serai là à 14 h")  # warm-up: registry caches as in production
        self.env.flush_all()
        # A new request starts with no record in cache, but the company (the HTTP layer read it
        # to check the signature).
        self.env.invalidate_all()
        self.assertTrue(self.company.twilio_auth_token)
        with self.assertQueryCount(12):
            reply = self.receive("Le code du portail est 1234")
        self.assertEqual(reply.action_taken, "office")
        message = self.thread(reply.conversation_id)[-1]
        self.assertTrue(self.needaction(message, self.technician))
        self.assertIn(reply.calendar_event_id.id, reply.duret_copy_message_ids.mapped("res_id"))
        self.assertIn(self.partner.id, reply.duret_copy_message_ids.mapped("res_id"))


@tagged("post_install", "-at_install")
class TestConversationRace(DuretTwilioCase):
    """Two first SMS from one number at the same time make one conversation: the second
    request waits on the unique index, then is retried whole (as Odoo retries any
    serialization failure) and finds the conversation. Real cursors, committed, cleaned up."""

    def test_concurrent_first_messages_make_one_conversation(self):
        registry = self.registry
        number = "+3369" + "".join(random.choices("0123456789", k=7))
        company_id = self.env.ref("base.main_company").id
        sids = [new_sid(), new_sid()]
        errors = []

        def receive(cr, sid):
            env = self.env(cr=cr, user=self.env.ref("base.public_user").id, su=True)
            params = {"MessageSid": sid, "From": number, "Body": "Bonjour, un devis ?"}
            company = env["res.company"].browse(company_id)
            return env["duret.sms.reply"].with_company(company)._duret_receive(params, company)

        def second():
            try:
                with registry.cursor() as cr:
                    env = self.env(cr=cr)
                    retrying(partial(receive, cr, sids[1]), env)
            except Exception as error:  # reported to the test thread
                errors.append(error)

        # No automatic answer, whatever the hour: nothing but the two replies is committed.
        with patch.object(Conversations, "auto_answer", lambda *args: None):
            try:
                with registry.cursor() as cr_first:
                    receive(cr_first, sids[0])
                    thread = threading.Thread(target=second)
                    thread.start()
                    time.sleep(1.0)  # the second request now waits on the unique index
                    cr_first.commit()
                thread.join(timeout=30)
                self.assertFalse(thread.is_alive())
                self.assertFalse(errors, errors)
                with registry.cursor() as cr:
                    env = self.env(cr=cr)
                    replies = env["duret.sms.reply"].search([("message_sid", "in", sids)])
                    self.assertEqual(len(replies), 2)
                    conversations = env["duret.sms.conversation"].search([("number", "=", number)])
                    self.assertEqual(len(conversations), 1)
                    self.assertEqual(replies.conversation_id, conversations)
            finally:
                with registry.cursor() as cr:
                    env = self.env(cr=cr)
                    env["duret.sms.reply"].search([("message_sid", "in", sids)]).unlink()
                    env["duret.sms.conversation"].search([("number", "=", number)]).unlink()


@tagged("post_install", "-at_install")
class TestInboundInOrder(DuretTwilioCase):
    """Two SMS from one number recorded at the same moment (two webhook requests, as a customer
    writing twice in a row): the second request waits on the number's lock until the first is
    committed, then sees what it wrote; no serialization failure, so nothing for Odoo to retry
    after sleeping. The control run gives the two requests different locks: the second then
    fails on the conversation row, which shows the test can fail. Real cursors, committed,
    cleaned up."""

    def setUp(self):
        super().setUp()
        self.number = "+3361" + "".join(random.choices("0123456789", k=7))
        self.company_id = self.env.ref("base.main_company").id
        self.sids = []
        self.addCleanup(self.clean_up)

    def clean_up(self):
        with self.registry.cursor() as cr:
            env = self.env(cr=cr)
            env["duret.sms.reply"].search([("message_sid", "in", self.sids)]).unlink()
            env["duret.sms.conversation"].search([("number", "=", self.number)]).unlink()

    def request(self, body, errors=None):
        """One webhook request's work (``receive_in_order``) on its own cursors."""
        sid = new_sid()
        self.sids.append(sid)
        try:
            with self.registry.cursor() as cr:
                env = self.env(cr=cr, user=self.env.ref("base.public_user").id)
                params = {"MessageSid": sid, "From": self.number, "Body": body}
                receive_in_order(env, self.company_id, params)
        except Exception as error:  # reported to the test thread
            if errors is None:
                raise
            errors.append(error)

    def two_at_once(self):
        """The first request writes its SMS and waits, its transaction open, while the second
        one starts; returns the errors of the two."""
        first_sid_count = len(self.sids)
        inside, release = threading.Event(), threading.Event()
        original = InboundSms.receive_question
        errors = []

        def receive_question(service, vals, *args):
            reply = original(service, vals, *args)
            if vals["message_sid"] == self.sids[first_sid_count]:
                inside.set()  # the first SMS is written, its transaction still open
                release.wait(20)
            return reply

        with patch.object(InboundSms, "receive_question", receive_question):
            first = threading.Thread(target=self.request, args=("Je serai en retard", errors))
            first.start()
            self.assertTrue(inside.wait(20))
            second = threading.Thread(target=self.request, args=("de 10 minutes", errors))
            second.start()
            time.sleep(0.5)  # the second request now waits (on the lock, or on the row)
            release.set()
            first.join(timeout=30)
            second.join(timeout=30)
        self.assertFalse(first.is_alive() or second.is_alive())
        return errors

    def test_same_number_requests_wait_for_each_other(self):
        with patch.object(Conversations, "auto_answer", lambda *args: None):
            self.request("Bonjour")  # the conversation exists, as for a customer who answers
            errors = self.two_at_once()
        self.assertFalse(errors, errors)
        with self.registry.cursor() as cr:
            env = self.env(cr=cr)
            replies = env["duret.sms.reply"].search([("message_sid", "in", self.sids)])
            self.assertEqual(len(replies), 3)
            conversation = replies.conversation_id
            self.assertEqual(len(conversation), 1)
            self.assertEqual(conversation.last_message_preview, "de 10 minutes")

    def test_control_without_the_lock_the_second_request_fails(self):
        keys = iter(range(1, 100))
        with (
            patch.object(Conversations, "auto_answer", lambda *args: None),
            patch(f"{receive_in_order.__module__}.number_lock_key", lambda *args: next(keys)),
            mute_logger("odoo.sql_db"),
        ):
            self.request("Bonjour")
            errors = self.two_at_once()
        self.assertEqual([type(error) for error in errors], [SerializationFailure])
