"""Issue 21 item 4: the appointment's chatter shows the SMS about it (the reminder, the visit's
texts, the customer's answers), each SMS once, with its delivery status, as Odoo shows an SMS
posted on a record (a message of type ``sms`` with a ``mail.notification`` of type ``sms``)."""

import logging
import uuid
from datetime import date, time, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.duret_sms.core import windows
from odoo.addons.duret_sms.services.reschedule import Rescheduling

from .common import FROM_NUMBER, DuretTwilioCase, DuretTwilioMixin

_logger = logging.getLogger(__name__)

PARIS = "Europe/Paris"
CAMILLE = "+33612345678"
LUC = "+33611223344"
# A Tuesday in June (visits), reminded on the Monday at 17:00 Paris.
DAY = date(2026, 6, 9)


def paris(day, hour, minute=0):
    """Naive UTC instant of a Paris wall-clock time."""
    return windows.local_to_utc(day, time(hour, minute), PARIS)


REMINDER_AT = paris(DAY - timedelta(days=1), 17)


class EventChatterMixin:
    """Helpers shared by the server-side and the browser tests."""

    def make_event(self, start_utc, partners, technician, **vals):
        values = {
            "name": "Dépannage tableau électrique",
            "start": start_utc,
            "stop": start_utc + timedelta(hours=1),
            "user_id": technician.id,
            "partner_ids": [Command.set((partners | technician.partner_id).ids)],
        }
        values.update(vals)
        return self.env["calendar.event"].with_context(no_mail_to_attendees=True).create(values)

    def sms_messages(self, record):
        record.invalidate_recordset(["message_ids"])
        return record.message_ids.filtered(lambda m: m.message_type == "sms")

    def sms_of_message(self, message):
        return self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])

    def assert_sms_on_event(self, event, partner, kind):
        """The one SMS of ``kind`` to ``partner``: one chatter message on ``event`` showing its
        text, with one SMS notification for ``partner`` followed by its tracker."""
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("duret_kind", "=", kind)])
        )
        self.assertEqual(len(sms), 1, f"one {kind} SMS to {partner.name}")
        message = sms.mail_message_id
        self.assertIn(message, self.sms_messages(event), f"the {kind} SMS is on the appointment")
        self.assertEqual((message.model, message.res_id), ("calendar.event", event.id))
        self.assertEqual(message.message_type, "sms")
        first_words = sms.body.split(" : ")[-1][:20]
        self.assertIn(first_words, message.body)
        notification = message.notification_ids
        self.assertEqual(len(notification), 1)
        self.assertEqual(notification.notification_type, "sms")
        self.assertEqual(notification.res_partner_id, partner)
        self.assertEqual(notification.sms_id_int, sms.id)
        self.assertEqual(notification.sms_number, sms.number)
        self.assertEqual(sms.sms_tracker_id.mail_notification_id, notification)
        return sms, message, notification


@tagged("post_install", "-at_install")
class TestEventChatterSms(EventChatterMixin, DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"name": "Duret Électricité", "phone": "04 72 00 00 00", "duret_sms_tz": PARIS}
        )
        cls.env["ir.config_parameter"].sudo().set_param(
            "duret_sms.public_url", "https://erp.duret.fr"
        )
        cls.technician = new_test_user(
            cls.env,
            login="tech_chatter",
            name="Karim Benali",
            groups="base.group_user,duret_sms.duret_sms_group_technician",
            notification_type="inbox",  # a customer's question notifies them, not by e-mail
        )
        cls.technician.partner_id.mobile = "06 99 88 77 66"
        cls.other = cls.env["res.partner"].create(
            {
                "name": "Luc Petit",
                "mobile": "06 11 22 33 44",
                "country_id": cls.env.ref("base.fr").id,
            }
        )

    def setUp(self):
        super().setUp()
        self.company.write(
            {
                "duret_sms_booking_confirmation": False,
                "duret_sms_same_day_reminder": False,
                "duret_sms_thank_you": False,
            }
        )

    def event(self, partners=None, start=None, **vals):
        return self.make_event(
            start or paris(DAY, 9), partners or self.partner, self.technician, **vals
        )

    def run_reminders(self):
        self.assert_clock_independent()
        self.env["calendar.event"]._cron_duret_appointment_reminder()

    # ------------------------------------------------------------------
    # The reminder
    # ------------------------------------------------------------------

    def test_cron_reminder_on_the_appointment_with_its_status(self):
        event = self.event()
        with freeze_time(REMINDER_AT):
            self.run_reminders()
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        sms, message, notification = self.assert_sms_on_event(event, self.partner, "reminder")
        self.assertEqual(attendee.duret_reminder_sms_id, sms)
        self.assertEqual(notification.notification_status, "ready")
        self.assertEqual(message.author_id, self.env.ref("base.partner_root"), "the cron's")
        self.assertFalse(message.notification_ids.filtered(lambda n: n.notification_type != "sms"))
        # Once: not on the customer's chatter as well, and no second SMS to the number.
        self.assertFalse(self.sms_messages(self.partner))
        self.assertEqual(self.env["sms.sms"].sudo().search_count([("number", "=", CAMILLE)]), 1)
        with freeze_time(REMINDER_AT):
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(CAMILLE)), 1, "sent once")
        self.assertIn(notification.notification_status, ("process", "pending"), "handed over")
        sms._duret_apply_twilio_status("delivered")
        self.assertEqual(notification.notification_status, "sent")
        self.assertEqual(attendee.duret_reminder_status, "delivered")
        # Running the cron again sends and posts nothing more.
        with freeze_time(REMINDER_AT + timedelta(minutes=5)):
            self.run_reminders()
        self.assertEqual(len(self.sms_messages(event)), 1)

    def test_failed_reminder_shows_the_failure(self):
        self.simulator.undeliverable(CAMILLE)
        event = self.event()
        with freeze_time(REMINDER_AT):
            self.run_reminders()
            self.run_queue()
        sms, _message, notification = self.assert_sms_on_event(event, self.partner, "reminder")
        sms._duret_apply_twilio_status("undelivered", 30003)
        self.assertEqual(notification.notification_status, "exception")
        self.assertEqual(sms.state, "error")

    def test_appointment_with_two_customers_shows_both_reminders(self):
        event = self.event(partners=self.partner | self.other)
        with freeze_time(REMINDER_AT):
            self.run_reminders()
            self.run_queue()
        self.assertEqual(len(self.sms_messages(event)), 2, "one message per SMS")
        camille_sms = self.assert_sms_on_event(event, self.partner, "reminder")[0]
        luc_sms = self.assert_sms_on_event(event, self.other, "reminder")[0]
        self.assertEqual((camille_sms.number, luc_sms.number), (CAMILLE, LUC))
        self.assertEqual(len(self.sim_messages_to(CAMILLE)), 1)
        self.assertEqual(len(self.sim_messages_to(LUC)), 1)
        self.assertFalse(self.sms_messages(self.partner) | self.sms_messages(self.other))

    def test_reminders_of_several_appointments_each_on_their_own(self):
        first = self.event()
        second = self.event(partners=self.other, start=paris(DAY, 14))
        with freeze_time(REMINDER_AT):
            self.run_reminders()
        self.assert_sms_on_event(first, self.partner, "reminder")
        self.assert_sms_on_event(second, self.other, "reminder")
        self.assertEqual(len(self.sms_messages(first)), 1)
        self.assertEqual(len(self.sms_messages(second)), 1)

    def test_send_now_is_signed_by_who_pressed_it(self):
        officer = new_test_user(
            self.env,
            login="officer_chatter",
            name="Olivier Officier",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )
        event = self.event()
        with freeze_time(REMINDER_AT - timedelta(days=1)):
            event.with_user(officer).action_duret_send_reminder()
        _sms, message, _notification = self.assert_sms_on_event(event, self.partner, "reminder")
        self.assertEqual(message.author_id, officer.partner_id)

    def test_reminder_cost_per_reminder_stays_flat(self):
        """What the chatter adds is created in batches: a few queries per run, not per
        reminder (issue 21: "the reminder cron's cost must not explode")."""

        def queries_for(count):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Client {count}-{i}", "mobile": f"+3367{count:02d}{i:05d}"}
                    for i in range(count)
                ]
            )
            for i, partner in enumerate(partners):
                self.event(partners=partner, start=paris(DAY, 8) + timedelta(minutes=10 * i))
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time(REMINDER_AT):
                self.run_reminders()
            self.env.flush_all()
            reminded = self.env["calendar.attendee"].search_count(
                [("partner_id", "in", partners.ids), ("duret_reminder_state", "=", "done")]
            )
            self.assertEqual(reminded, count)
            return self.env.cr.sql_log_count - before

        # Each run reminds its new appointments only (the earlier ones are done); the first
        # run also fills the caches (templates, xmlids), so it is not compared.
        queries_for(1)
        small = queries_for(2)
        large = queries_for(12)
        per_reminder = (large - small) / 10
        _logger.info("Reminder cron: %s queries for 2 reminders, %s for 12", small, large)
        self.assertLessEqual(per_reminder, 2, f"{small} queries for 2, {large} for 12")

    # ------------------------------------------------------------------
    # The visit's other SMS
    # ------------------------------------------------------------------

    def test_booking_confirmation_on_the_appointment(self):
        self.company.duret_sms_booking_confirmation = True
        with freeze_time(paris(DAY - timedelta(days=3), 10)):
            event = self.event()
        self.assert_sms_on_event(event, self.partner, "confirmation")
        self.assertFalse(self.sms_messages(self.partner))

    def test_en_route_and_thank_you_on_the_appointment(self):
        self.company.duret_sms_thank_you = True
        event = self.event()
        with freeze_time(paris(DAY, 8, 40)):
            result = event.with_user(self.technician)._duret_send_en_route(eta_minutes=15)
        self.assertTrue(result["sent"], result["reason"])
        _sms, message, _n = self.assert_sms_on_event(event, self.partner, "en_route")
        self.assertEqual(message.author_id, self.technician.partner_id)
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        with freeze_time(paris(DAY, 10, 5)):
            attendee.action_duret_mark_done()
        self.assert_sms_on_event(event, self.partner, "thank_you")
        self.assertEqual(len(self.sms_messages(event)), 2)
        self.assertFalse(self.sms_messages(self.partner))

    def test_same_day_reminder_and_moved_text_on_the_appointment(self):
        self.company.duret_sms_same_day_reminder = True
        event = self.event(start=paris(DAY, 10, 30))
        with freeze_time(paris(DAY, 8)):
            self.run_reminders()
        self.assert_sms_on_event(event, self.partner, "same_day")
        # The customer moved another visit from their page: the "moved" SMS.
        moved = self.event(partners=self.other, start=paris(DAY, 15))
        attendee = moved.attendee_ids.filtered(lambda a: a.partner_id == self.other)
        with freeze_time(paris(DAY - timedelta(days=1), 10)):
            Rescheduling(self.env)._send_moved_sms(attendee, self.company)
        message = self.sms_messages(moved)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.notification_ids.res_partner_id, self.other)
        self.assertIn("déplacé", message.body)

    def test_technician_cancel_alert_on_the_appointment(self):
        self.company.duret_sms_cancel_alert = True
        event = self.event()
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        with freeze_time(paris(DAY - timedelta(days=1), 10)):
            self.assertTrue(attendee._duret_customer_cancel("web"))
        alert = self.sms_messages(event)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.notification_ids.res_partner_id, self.technician.partner_id)
        self.assertIn("ANNULATION", alert.body)

    # ------------------------------------------------------------------
    # The customer's answers (posted by services/inbound.py)
    # ------------------------------------------------------------------

    def receive(self, body, number=CAMILLE):
        sid = "SM" + uuid.uuid4().hex
        params = {"MessageSid": sid, "From": number, "To": FROM_NUMBER, "Body": body}
        return self.env["duret.sms.reply"].sudo()._duret_receive(params, self.company)

    def test_customer_answers_show_on_the_appointment(self):
        answers = ("OUI", "Je serai 10 min en retard, le code du portail est 1234", "ANNULE")
        for index, body in enumerate(answers):
            with self.subTest(body=body):
                number = f"+3367000000{index}"
                customer = self.env["res.partner"].create(
                    {"name": f"Client réponse {index}", "mobile": number}
                )
                event = self.event(partners=customer)
                with freeze_time(REMINDER_AT):
                    self.run_reminders()
                    reply = self.receive(body, number=number)
                self.assertEqual(reply.calendar_event_id, event)
                posted = event.message_ids.filtered(lambda m, b=body: b in (m.body or ""))
                self.assertEqual(len(posted), 1, f"{body!r} on the appointment")
                # The reminder it answers is there too, once, before it.
                reminder = self.assert_sms_on_event(event, customer, "reminder")[0]
                self.assertLess(reminder.mail_message_id.id, posted.id)

    def test_the_whole_exchange_reads_in_order_on_the_appointment(self):
        """Reminder, the customer's question, the technician's answer from the conversation:
        all on the appointment, in order, each once."""
        event = self.event()
        with freeze_time(REMINDER_AT):
            self.run_reminders()
            reply = self.receive("Le code du portail est 1234")
            conversation = reply.conversation_id
            self.assertEqual(conversation.event_id, event)
            conversation.with_user(self.technician).message_post(
                body="Merci, je note le code.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        reminder = self.assert_sms_on_event(event, self.partner, "reminder")[1]
        question = event.message_ids.filtered(lambda m: "portail est 1234" in (m.body or ""))
        answer = event.message_ids.filtered(lambda m: "je note le code" in (m.body or ""))
        self.assertEqual((len(question), len(answer)), (1, 1))
        self.assertLess(reminder.id, question.id)
        self.assertLess(question.id, answer.id)
        self.assertEqual(answer.author_id, self.technician.partner_id)
        # The answer's SMS (and its status) is the conversation's message: one SMS message on
        # the appointment, the reminder.
        self.assertEqual(self.sms_messages(event), reminder)
        answer_sms = self.env["sms.sms"].sudo().search([("body", "=", "Merci, je note le code.")])
        self.assertEqual(len(answer_sms), 1)
        self.assertEqual(answer_sms.mail_message_id.model, "duret.sms.conversation")


@tagged("post_install", "-at_install")
class TestEventChatterSmsTour(EventChatterMixin, DuretTwilioMixin, HttpCase):
    """The reminder SMS seen on the appointment's chatter in the browser, delivered after
    Twilio's (simulated) status callback."""

    def test_reminder_on_the_appointment_chatter(self):
        company = self.env.company
        company.country_id = self.env.ref("base.fr")
        self.setup_twilio(company)  # sending hours opened round the clock
        # Callbacks are built, and signatures checked, from the SMS setting Public URL.
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.public_url", self.base_url())
        admin = self.env.ref("base.user_admin")
        customer = self.env["res.partner"].create(
            {
                "name": "Camille Chatter",
                "mobile": "06 12 34 56 78",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        # The reminder's text starts with the company's name: the tour looks for it.
        company.name = "Duret Chatter"
        event = self.make_event(
            fields.Datetime.now() + timedelta(days=2), customer, admin, name="Visite chatter duret"
        )
        event.with_user(admin).action_duret_send_reminder()
        self.run_queue()
        message = self.sms_messages(event)
        self.assertEqual(len(message), 1)
        sms = self.sms_of_message(message)
        self.assertTrue(sms.twilio_sid)
        self.assertEqual(self.simulator.deliver(sms.twilio_sid, "delivered"), 200)
        self.apply_status_reports()  # the callback recorded the report; the cron applies it
        self.assertEqual(sms.state, "sent")
        self.assertEqual(message.notification_ids.notification_status, "sent")
        self.start_tour(
            f"/web#model=calendar.event&id={event.id}&view_type=form",
            "duret_sms_event_chatter_sms",
            login="admin",
        )
