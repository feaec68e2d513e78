from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import DuretTwilioCase
from .test_reminders import paris

MOBILE = "+33612345678"
# Reminders of Wednesday 2026-12-02 go on Tuesday 01/12 at 17:00 Paris.
TUESDAY_17H = paris(date(2026, 12, 1), 17)
WEDNESDAY_9H = paris(date(2026, 12, 2), 9)


@tagged("post_install", "-at_install")
class TestReminderFollowUp(DuretTwilioCase):
    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"name": "Duret Électricité", "phone": "04 72 00 00 00"})
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://erp.duret.fr")
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.durand.followup",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        cls.partner.write({"email": "camille@example.com", "city": "Lyon"})

    def make_event(self, start_utc):
        return (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage tableau électrique",
                    "start": start_utc,
                    "stop": start_utc + timedelta(hours=1),
                    "user_id": self.technician.id,
                    "partner_ids": [Command.set((self.partner | self.technician.partner_id).ids)],
                }
            )
        )

    def attendee(self, event):
        return event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)

    def remind(self):
        self.env["calendar.event"]._cron_duret_appointment_reminder()
        self.run_queue()

    def reminder_mails(self):
        return self.env["mail.mail"].search(
            [("recipient_ids", "in", self.partner.ids), ("subject", "like", "Rappel")]
        )

    # -- failed reminder ---------------------------------------------------------------------

    def test_undelivered_reminder_falls_back_to_email(self):
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.remind()
            attendee = self.attendee(event)
            sms = attendee.duret_reminder_sms_id
            self.assertEqual(sms.state, "process")  # Twilio answered "queued"
            self.assertFalse(self.reminder_mails())
            # Twilio's delivery report: undelivered (handset off).
            sms._duret_apply_twilio_status("undelivered", 30003)
        self.assertEqual(attendee.duret_reminder_status, "failed")
        self.assertEqual(attendee.duret_reminder_fallback, "email")
        self.assertEqual(len(self.reminder_mails()), 1)
        self.assertIn("remind", event.message_ids[0].body)
        # A second report for the same SMS sends nothing more.
        with freeze_time(TUESDAY_17H):
            sms._duret_apply_twilio_status("failed", 30003)
        self.assertEqual(len(self.reminder_mails()), 1)

    def test_opted_out_before_the_reminder_left_gets_the_email(self):
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.env["calendar.event"]._cron_duret_appointment_reminder()
            self.env["phone.blacklist"].sudo()._add([MOBILE], message="STOP")
            self.run_queue()
        attendee = self.attendee(event)
        self.assertEqual(attendee.duret_reminder_sms_id.state, "canceled")
        self.assertEqual(attendee.duret_reminder_fallback, "email")
        self.assertEqual(len(self.reminder_mails()), 1)
        self.assertFalse(self.simulator.messages)

    def test_refused_reminder_without_email_asks_the_office(self):
        self.partner.email = False
        self.simulator.fail_number(MOBILE, 21211)  # invalid number: refused at once
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.remind()
        attendee = self.attendee(event)
        self.assertEqual(attendee.duret_reminder_sms_id.state, "error")
        self.assertEqual(attendee.duret_reminder_fallback, "activity")
        activity = self.partner.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.technician)
        self.assertIn("06 12 34 56 78", activity.note)

    def test_office_activity_escapes_the_customer_name(self):
        # The to-do's note is HTML: a contact's name is never markup (a link, a tracking pixel).
        self.partner.write({"email": False, "name": 'Camille <img src="https://t.example/p.gif">'})
        self.simulator.fail_number(MOBILE, 21211)
        self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.remind()
        note = str(self.partner.activity_ids.note)
        self.assertNotIn("<img", note)
        self.assertIn("&lt;img", note)

    def test_failed_reminder_of_cancelled_appointment_does_nothing(self):
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.remind()
            sms = self.attendee(event).duret_reminder_sms_id
            event.action_archive()
            sms._duret_apply_twilio_status("undelivered", 30003)
        self.assertFalse(self.attendee(event).duret_reminder_fallback)
        self.assertFalse(self.reminder_mails())
        self.assertFalse(self.partner.activity_ids)

    # -- moved appointment -------------------------------------------------------------------

    def test_moved_after_reminder_gets_a_new_reminder_now(self):
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.remind()
        attendee = self.attendee(event)
        token = attendee.duret_rdv_token
        attendee._duret_customer_confirm("web")
        with freeze_time(TUESDAY_17H + timedelta(hours=1)):
            event.write(
                {
                    "start": WEDNESDAY_9H + timedelta(hours=5),
                    "stop": WEDNESDAY_9H + timedelta(hours=6),
                }
            )
            self.assertEqual(attendee.duret_customer_answer, "none")  # to confirm again
            self.remind()
        sms = self.env["sms.sms"].sudo().search([("number", "=", MOBILE)], order="id")
        self.assertEqual(len(sms), 2)
        self.assertIn("votre RDV a été déplacé au mercredi 02/12 à 14h00", sms[1].body)
        self.assertIn(f"/rdv/{token}", sms[1].body)
        self.assertEqual(attendee.duret_reminder_sms_id, sms[1])
        # The old link shows the new time.
        with freeze_time(TUESDAY_17H + timedelta(hours=1)):
            page = self.env["calendar.attendee"]._duret_rdv_page(token)
        self.assertEqual(page["hour_text"], "14h00")

    def test_moved_to_next_week_is_reminded_the_day_before(self):
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.remind()
        next_wednesday = paris(date(2026, 12, 9), 9)
        with freeze_time(TUESDAY_17H + timedelta(hours=1)):
            event.write({"start": next_wednesday, "stop": next_wednesday + timedelta(hours=1)})
            self.remind()
        self.assertEqual(self.attendee(event).duret_reminder_status, "scheduled")
        with freeze_time(paris(date(2026, 12, 8), 17)):
            self.remind()
        sms = self.attendee(event).duret_reminder_sms_id
        self.assertIn("déplacé au mercredi 09/12 à 9h00", sms.body)

    def test_small_move_keeps_the_reminder(self):
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(TUESDAY_17H):
            self.remind()
            first = self.attendee(event).duret_reminder_sms_id
            event.write(
                {
                    "start": WEDNESDAY_9H + timedelta(minutes=30),
                    "stop": WEDNESDAY_9H + timedelta(minutes=90),
                }
            )
            self.remind()
        self.assertEqual(self.attendee(event).duret_reminder_sms_id, first)
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)

    def test_moved_while_reminder_waits_replaces_it(self):
        """The reminder is still in the queue when the appointment moves."""
        monday = paris(date(2026, 12, 7), 9)
        event = self.make_event(monday)
        attendee = self.attendee(event)
        with freeze_time(paris(date(2026, 12, 5), 17)):  # Saturday 17:00, window open
            self.env["calendar.event"]._cron_duret_appointment_reminder()
            old = attendee.duret_reminder_sms_id
            self.assertEqual(old.state, "outgoing")
            event.write(
                {"start": monday + timedelta(days=1), "stop": monday + timedelta(days=1, hours=1)}
            )
        self.assertEqual(old.state, "canceled")
        self.assertIn("moved", old.duret_failure_reason)

    # -- cancelled appointment ---------------------------------------------------------------

    def test_cancelled_appointment_sends_nothing_more(self):
        event = self.make_event(WEDNESDAY_9H)
        with freeze_time(paris(date(2026, 12, 1), 17)):
            self.env["calendar.event"]._cron_duret_appointment_reminder()
            waiting = self.attendee(event).duret_reminder_sms_id
            event.action_archive()
            self.run_queue()
        self.assertEqual(waiting.state, "canceled")
        self.assertFalse(self.simulator.messages)
        with freeze_time(TUESDAY_17H + timedelta(hours=1)):
            event.write({"start": WEDNESDAY_9H + timedelta(hours=4)})
            self.remind()
        self.assertFalse(self.simulator.messages)
