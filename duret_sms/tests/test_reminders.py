from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.duret_sms.core import encoding, windows
from odoo.addons.duret_sms.models.calendar_attendee import CalendarAttendee

from .common import DuretTwilioCase

PARIS = "Europe/Paris"


def paris(day, hour, minute=0):
    """Naive UTC instant of a Paris wall-clock time."""
    return windows.local_to_utc(day, time(hour, minute), PARIS)


@tagged("post_install", "-at_install")
class TestReminders(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"name": "Duret Électricité", "phone": "04 72 00 00 00", "duret_sms_tz": PARIS}
        )
        cls.env["ir.config_parameter"].sudo().set_param(
            "duret_sms.public_url", "https://erp.duret.fr"
        )
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.durand",
                "email": "paul@duret.example",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        cls.technician.partner_id.write(
            {"mobile": "06 99 88 77 66", "duret_sms_urgent_mobile": "06 99 88 77 66"}
        )
        cls.partner.write(
            {
                "street": "12 rue des Lilas",
                "zip": "69003",
                "city": "Lyon",
                "email": "camille@example.com",
            }
        )

    # Reminders are about sending hours: keep the company's real ones (Mon-Fri 8-20,
    # Saturday 9-18, closed on Sundays and public holidays).
    all_hours = False

    def make_event(self, start_utc, partners=None, **vals):
        partners = partners or self.partner
        values = {
            "name": "Dépannage tableau électrique",
            "start": start_utc,
            "stop": start_utc + timedelta(hours=1),
            "user_id": self.technician.id,
            "partner_ids": [Command.set((partners | self.technician.partner_id).ids)],
        }
        values.update(vals)
        return self.env["calendar.event"].with_context(no_mail_to_attendees=True).create(values)

    def customer_attendee(self, event, partner=None):
        return event.attendee_ids.filtered(lambda a: a.partner_id == (partner or self.partner))

    def run_reminders(self):
        # The cron's own method, so that an error fails the test (ir.cron would log it).
        self.assert_clock_independent()
        self.env["calendar.event"]._cron_duret_appointment_reminder()

    def reminder_sms(self, number="+33612345678"):
        return self.env["sms.sms"].sudo().search([("number", "=", number)])

    def assert_reminded_exactly_at(self, event, due_utc):
        """Nothing one minute before ``due_utc``, one SMS at ``due_utc``."""
        attendee = self.customer_attendee(event)
        with freeze_time(due_utc - timedelta(minutes=1)):
            self.run_reminders()
        self.assertFalse(attendee.duret_reminder_state, "reminded too early")
        with freeze_time(due_utc):
            self.run_reminders()
        self.assertEqual(attendee.duret_reminder_state, "done")
        self.assertEqual(attendee.duret_reminder_channel, "sms")
        self.assertEqual(attendee.duret_reminder_sent_at, due_utc)
        self.assertEqual(attendee.duret_reminder_sms_id.duret_category, "transactional")

    # ------------------------------------------------------------------
    # When
    # ------------------------------------------------------------------

    def test_spring_dst_week(self):
        """Week of 2026-03-29: 17:00 Paris is 16:00 UTC on Saturday, 15:00 UTC on Monday."""
        monday = self.make_event(paris(date(2026, 3, 30), 9))
        tuesday = self.make_event(paris(date(2026, 3, 31), 10))
        self.assert_reminded_exactly_at(monday, datetime(2026, 3, 28, 16, 0))  # Saturday CET
        self.assertFalse(self.customer_attendee(tuesday).duret_reminder_state)
        self.assert_reminded_exactly_at(tuesday, datetime(2026, 3, 30, 15, 0))  # Monday CEST

    def test_autumn_dst_week(self):
        """Week of 2026-10-25: 17:00 Paris is 15:00 UTC on Saturday, 16:00 UTC on Monday."""
        monday = self.make_event(paris(date(2026, 10, 26), 9))
        tuesday = self.make_event(paris(date(2026, 10, 27), 14, 30))
        self.assert_reminded_exactly_at(monday, datetime(2026, 10, 24, 15, 0))  # Saturday CEST
        self.assert_reminded_exactly_at(tuesday, datetime(2026, 10, 26, 16, 0))  # Monday CET

    def test_monday_appointment_reminded_on_saturday(self):
        event = self.make_event(paris(date(2026, 5, 18), 8, 30))
        with freeze_time(paris(date(2026, 5, 17), 17)):  # Sunday: closed
            self.run_reminders()
        self.assertFalse(self.customer_attendee(event).duret_reminder_state)
        with freeze_time(paris(date(2026, 5, 16), 17)):
            self.run_reminders()
        self.assertEqual(self.customer_attendee(event).duret_reminder_state, "done")

    def test_after_easter_monday(self):
        """2026-04-07 (after Easter Monday 04-06, Sunday 04-05): reminded Saturday 04-04."""
        event = self.make_event(paris(date(2026, 4, 7), 9))
        with freeze_time(paris(date(2026, 4, 3), 17)):  # Friday: too early
            self.run_reminders()
        self.assertFalse(self.customer_attendee(event).duret_reminder_state)
        self.assert_reminded_exactly_at(event, datetime(2026, 4, 4, 15, 0))

    def test_after_14_july(self):
        """2026-07-15 (14 July is a Tuesday): reminded Monday 07-13 at 17:00."""
        event = self.make_event(paris(date(2026, 7, 15), 9))
        self.assert_reminded_exactly_at(event, datetime(2026, 7, 13, 15, 0))

    def test_reminder_hour_setting(self):
        self.company.duret_sms_reminder_hour = 11.5
        event = self.make_event(paris(date(2026, 6, 10), 9))
        self.assert_reminded_exactly_at(event, paris(date(2026, 6, 9), 11, 30))

    def test_booked_after_the_slot_is_reminded_at_once(self):
        with freeze_time(paris(date(2026, 6, 9), 18, 10)):
            event = self.make_event(paris(date(2026, 6, 10), 9))
            triggers = (
                self.env["ir.cron.trigger"]
                .sudo()
                .search(
                    [("cron_id", "=", self.env.ref("duret_sms.ir_cron_appointment_reminder").id)]
                )
            )
            self.assertTrue(triggers, "booking must wake the reminder cron up")
            self.run_reminders()
        self.assertEqual(self.customer_attendee(event).duret_reminder_state, "done")

    def test_booked_after_hours_waits_for_the_window(self):
        """Booked at 21:00 for 10:00 next day: the reminder goes at 08:00, the opening."""
        event = self.make_event(paris(date(2026, 6, 10), 10))
        attendee = self.customer_attendee(event)
        with freeze_time(paris(date(2026, 6, 9), 21)):
            self.run_reminders()
            self.assertFalse(attendee.duret_reminder_state)
            cron = self.env.ref("duret_sms.ir_cron_appointment_reminder")
            wake = self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])
            self.assertIn(paris(date(2026, 6, 10), 8), wake.mapped("call_at"))
        with freeze_time(paris(date(2026, 6, 10), 8)):
            self.run_reminders()
        self.assertEqual(attendee.duret_reminder_state, "done")

    def test_past_appointment_is_not_reminded(self):
        event = self.make_event(paris(date(2026, 6, 10), 9))
        with freeze_time(paris(date(2026, 6, 10), 9, 30)):
            self.run_reminders()
        self.assertFalse(self.customer_attendee(event).duret_reminder_state)

    def test_cron_wakes_itself_at_next_reminder_hour(self):
        cron = self.env.ref("duret_sms.ir_cron_appointment_reminder")
        for now, expected in (
            (datetime(2026, 3, 28, 17, 0), datetime(2026, 3, 29, 15, 0)),  # across spring DST
            (datetime(2026, 10, 24, 10, 0), datetime(2026, 10, 24, 15, 0)),
            (datetime(2026, 10, 24, 16, 0), datetime(2026, 10, 25, 16, 0)),  # across autumn DST
        ):
            with freeze_time(now):
                self.run_reminders()
            calls = self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])
            self.assertIn(expected, calls.mapped("call_at"), now)

    # ------------------------------------------------------------------
    # Never twice
    # ------------------------------------------------------------------

    def test_cron_run_twice_sends_once(self):
        event = self.make_event(paris(date(2026, 6, 10), 9))
        for minutes in (0, 0, 15, 120):
            with freeze_time(paris(date(2026, 6, 9), 17) + timedelta(minutes=minutes)):
                self.run_reminders()
        # and once through ir.cron itself, as the scheduler runs it
        with freeze_time(paris(date(2026, 6, 9), 19)):
            self.env.ref("duret_sms.ir_cron_appointment_reminder").sudo().method_direct_trigger()
            # inside the sending hours whatever the hour CI runs (it failed at night)
            self.run_queue()
        self.assertEqual(len(self.reminder_sms()), 1)
        self.assertEqual(self.simulator.created_count, 1)
        self.assertEqual(self.customer_attendee(event).duret_reminder_status, "sent")

    def test_crash_mid_run_never_resends_committed_batches(self):
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.reminder_batch_size", 1)
        customers = self.env["res.partner"].create(
            [{"name": f"Client {i}", "mobile": f"06 12 34 56 7{i}"} for i in range(3)]
        )
        events = [
            self.make_event(paris(date(2026, 6, 10), 9 + i), c) for i, c in enumerate(customers)
        ]
        attendees = self.env["calendar.attendee"].concat(
            *(self.customer_attendee(e, c) for e, c in zip(events, customers, strict=True))
        )
        original = CalendarAttendee._duret_remind
        calls = []

        def crash_on_second_batch(records, *args, **kwargs):
            calls.append(records)
            result = original(records, *args, **kwargs)
            if len(calls) == 2:
                raise RuntimeError("simulated crash after the SMS were created")
            return result

        with freeze_time(paris(date(2026, 6, 9), 17)):
            with (
                patch.object(CalendarAttendee, "_duret_remind", crash_on_second_batch),
                mute_logger("odoo.addons.duret_sms.services.company_crons"),
            ):
                self.env["calendar.attendee"]._duret_send_due_reminders()
            # The crash is the company's, recorded where the administrator looks.
            self.assertIn("simulated crash", self.company.duret_sms_cron_error)
            self.assertEqual(self.company.duret_sms_cron_error_task, "reminders")
            # The first batch stays (committed by the cron); the second rolled back whole.
            self.assertEqual(attendees.mapped("duret_reminder_state"), ["done", False, False])
            self.assertEqual(
                len(self.env["sms.sms"].sudo().search([("partner_id", "in", customers.ids)])), 1
            )
            self.run_reminders()
        self.assertEqual(attendees.mapped("duret_reminder_state"), ["done"] * 3)
        self.assertFalse(self.company.duret_sms_cron_error, "a clean run clears the error")
        sms = self.env["sms.sms"].sudo().search([("partner_id", "in", customers.ids)])
        self.assertEqual(sorted(sms.partner_id.ids), sorted(customers.ids))

    # ------------------------------------------------------------------
    # Who
    # ------------------------------------------------------------------

    def test_only_external_attendees_not_declined(self):
        other = self.env["res.partner"].create({"name": "Déclinant", "mobile": "06 11 22 33 44"})
        event = self.make_event(paris(date(2026, 6, 10), 9), self.partner | other)
        self.customer_attendee(event, other).do_decline()
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        tech = self.customer_attendee(event, self.technician.partner_id)
        self.assertFalse(tech.duret_reminder_state)
        self.assertFalse(tech.duret_reminder_status)
        self.assertFalse(self.customer_attendee(event, other).duret_reminder_state)
        self.assertEqual(self.customer_attendee(event).duret_reminder_state, "done")
        self.assertFalse(self.reminder_sms("+33699887766"))

    def test_archived_event_is_not_reminded(self):
        event = self.make_event(paris(date(2026, 6, 10), 9))
        event.active = False
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        self.assertFalse(self.reminder_sms())

    def test_all_day_event(self):
        event = self.make_event(
            datetime(2026, 4, 14, 8),
            allday=True,
            start_date=date(2026, 4, 14),
            stop_date=date(2026, 4, 14),
        )
        self.assert_reminded_exactly_at(event, datetime(2026, 4, 13, 15, 0))
        body = self.customer_attendee(event).duret_reminder_sms_id.body
        self.assertIn("mar. 14/04,", body)  # no hour: all day
        self.assertNotIn("14/04 à", body)

    def test_recurring_event_each_occurrence(self):
        event = self.make_event(
            paris(date(2026, 4, 14), 10),
            recurrency=True,
            rrule_type="weekly",
            tue=True,
            interval=1,
            end_type="count",
            count=3,
            event_tz=PARIS,
        )
        occurrences = event.recurrence_id.calendar_event_ids.sorted("start")
        self.assertEqual(len(occurrences), 3)
        with freeze_time(datetime(2026, 4, 13, 15, 0)):
            self.run_reminders()
        states = [self.customer_attendee(e).duret_reminder_state for e in occurrences]
        self.assertEqual(states, ["done", False, False])
        with freeze_time(datetime(2026, 4, 20, 15, 0)):
            self.run_reminders()
        states = [self.customer_attendee(e).duret_reminder_state for e in occurrences]
        self.assertEqual(states, ["done", "done", False])

    def test_opted_out_customer_gets_email(self):
        self.env["phone.blacklist"].sudo().add("+33612345678")
        event = self.make_event(paris(date(2026, 6, 10), 9))
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        attendee = self.customer_attendee(event)
        self.assertEqual(attendee.duret_reminder_channel, "email")
        self.assertEqual(attendee.duret_reminder_status, "email")
        self.assertEqual(event.duret_reminder_status, "email")
        self.assertFalse(self.reminder_sms())
        mail = self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.partner.ids)])
        self.assertEqual(len(mail), 1)
        self.assertIn("Rappel", mail.subject)
        self.assertIn(f"/rdv/{attendee.duret_rdv_token}", mail.body_html)

    def test_no_mobile_no_email_is_skipped_with_reason(self):
        landline = self.env["res.partner"].create({"name": "Fixe", "phone": "04 78 00 00 00"})
        event = self.make_event(paris(date(2026, 6, 10), 9), landline)
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        attendee = self.customer_attendee(event, landline)
        self.assertEqual(attendee.duret_reminder_status, "skipped")
        self.assertIn("No mobile", attendee.duret_reminder_skip_reason)
        self.assertEqual(event.duret_reminder_status, "skipped")

    # ------------------------------------------------------------------
    # What
    # ------------------------------------------------------------------

    def test_sms_body(self):
        self.company.duret_sms_reminder_template_id = self.env.ref(
            "duret_sms.sms_template_appointment_reminder_full"
        )  # the fuller text; the default one-segment text: see test_short_link
        event = self.make_event(paris(date(2026, 6, 10), 14, 30))
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        attendee = self.customer_attendee(event)
        body = attendee.duret_reminder_sms_id.body
        for part in (
            "Camille Martin",
            "mercredi 10/06 à 14h30",
            "12 rue des Lilas, 69003 Lyon",
            "Paul Durand",
            "04 72 00 00 00",
            "Duret Électricité",
            f"https://erp.duret.fr/rdv/{attendee.duret_rdv_token}",
        ):
            self.assertIn(part, body)
        analysis = encoding.analyze(body)
        self.assertEqual(analysis.encoding, "GSM-7", analysis.non_gsm)
        self.assertLessEqual(analysis.segments, 2)
        self.assertGreaterEqual(len(attendee.duret_rdv_token), 32)  # 128 bits

    def test_sms_body_stays_gsm7_with_accented_names(self):
        self.company.duret_sms_reminder_template_id = self.env.ref(
            "duret_sms.sms_template_appointment_reminder_full"
        )
        customer = self.env["res.partner"].create(
            {
                "name": "François Lefèvre-Châtelet",
                "mobile": "06 11 22 33 55",
                "street": "3 place de l’Hôtel de Ville",
                "zip": "38000",
                "city": "Grenoble",
            }
        )
        event = self.make_event(paris(date(2026, 6, 10), 9), customer)
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        body = self.customer_attendee(event, customer).duret_reminder_sms_id.body
        analysis = encoding.analyze(body)
        self.assertEqual(analysis.encoding, "GSM-7", analysis.non_gsm)
        self.assertLessEqual(analysis.segments, 2)
        self.assertIn("Francois Lefèvre-Chatelet", body)

    def test_status_follows_the_sms(self):
        event = self.make_event(paris(date(2026, 6, 10), 9))
        attendee = self.customer_attendee(event)
        self.assertEqual(event.duret_reminder_status, "scheduled")
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
            self.run_queue()
        self.assertEqual(attendee.duret_reminder_status, "sent")
        attendee.duret_reminder_sms_id.sudo().state = "sent"
        self.assertEqual(event.duret_reminder_status, "delivered")
        attendee.duret_reminder_sms_id.sudo().state = "error"
        self.assertEqual(event.duret_reminder_status, "failed")
        failed = self.env["calendar.event"].search([("duret_reminder_status", "=", "failed")])
        self.assertIn(event, failed)

    # ------------------------------------------------------------------
    # Send now
    # ------------------------------------------------------------------

    def test_send_now_inside_hours(self):
        event = self.make_event(paris(date(2026, 6, 12), 9))
        with freeze_time(paris(date(2026, 6, 8), 10)):
            action = event.action_duret_send_reminder()
        sms = self.customer_attendee(event).duret_reminder_sms_id
        self.assertTrue(sms)
        self.assertFalse(sms.duret_not_before)
        self.assertIn("1", action["params"]["message"])
        with self.assertRaises(UserError), freeze_time(paris(date(2026, 6, 8), 10)):
            event.action_duret_send_reminder()
        with freeze_time(paris(date(2026, 6, 11), 17)):
            self.run_reminders()
        self.assertEqual(len(self.reminder_sms()), 1, "the cron must not remind again")

    def test_send_now_outside_hours_says_when(self):
        event = self.make_event(paris(date(2026, 6, 12), 9))
        with freeze_time(paris(date(2026, 6, 7), 11)):  # Sunday
            action = event.action_duret_send_reminder()
        sms = self.customer_attendee(event).duret_reminder_sms_id
        self.assertEqual(sms.duret_not_before, paris(date(2026, 6, 8), 8))
        self.assertIn("08/06/2026", action["params"]["message"])
        self.assertIn("08:00", action["params"]["message"])

    def test_send_now_after_a_failed_reminder_really_sends(self):
        event = self.make_event(paris(date(2026, 6, 12), 9))
        attendee = self.customer_attendee(event)
        with freeze_time(paris(date(2026, 6, 8), 10)):
            event.action_duret_send_reminder()
            self.run_queue()
            first = attendee.duret_reminder_sms_id
            first.sudo()._duret_apply_twilio_status("undelivered", 30003)
            self.assertEqual(event.duret_reminder_status, "failed")
            action = event.action_duret_send_reminder()
        second = attendee.duret_reminder_sms_id
        self.assertTrue(second and second != first, "a new SMS was created")
        self.assertEqual(attendee.duret_reminder_status, "sent")
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Reminder SMS sent to 1 customer(s).", action["params"]["message"])
        with freeze_time(paris(date(2026, 6, 8), 10)):
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to("+33612345678")), 2)

    def test_send_now_says_why_nothing_was_sent(self):
        self.partner.write({"mobile": False, "phone": False, "email": False})
        event = self.make_event(paris(date(2026, 6, 12), 9))
        with freeze_time(paris(date(2026, 6, 8), 10)):
            action = event.action_duret_send_reminder()
            self.assertEqual(event.duret_reminder_status, "skipped")
            self.assertEqual(action["params"]["type"], "warning")
            self.assertIn("Camille Martin not reminded", action["params"]["message"])
            self.assertIn("No mobile number and no email address", action["params"]["message"])
            self.assertNotIn("sent to", action["params"]["message"])
            # fixed by the office, then sent again: the skipped reminder really goes
            self.partner.mobile = "06 12 34 56 78"
            action = event.action_duret_send_reminder()
        self.assertEqual(self.customer_attendee(event).duret_reminder_channel, "sms")
        self.assertIn("Reminder SMS sent to 1 customer(s).", action["params"]["message"])

    def test_send_now_by_email_says_so(self):
        self.env["phone.blacklist"].sudo()._add(["+33612345678"])
        event = self.make_event(paris(date(2026, 6, 12), 9))
        with freeze_time(paris(date(2026, 6, 8), 10)):
            action = event.action_duret_send_reminder()
        self.assertIn("by email to Camille Martin", action["params"]["message"])
        self.assertEqual(action["params"]["type"], "success")

    # ------------------------------------------------------------------
    # Customer answers
    # ------------------------------------------------------------------

    @freeze_time(paris(date(2026, 6, 8), 10))  # before the visit: answers are still taken
    def test_confirm(self):
        event = self.make_event(paris(date(2026, 6, 10), 9))
        attendee = self.customer_attendee(event)
        self.assertTrue(attendee._duret_customer_confirm("web"))
        self.assertFalse(attendee._duret_customer_confirm("sms"))
        self.assertEqual(attendee.state, "accepted")
        self.assertEqual(event.duret_customer_answer, "confirmed")
        self.assertEqual(attendee.duret_answer_channel, "web")
        bodies = event.message_ids.mapped("body")
        self.assertTrue(any("confirmed the appointment" in body for body in bodies), bodies)

    @freeze_time(paris(date(2026, 6, 8), 10))  # before the visit: answers are still taken
    def test_cancel(self):
        self.company.duret_sms_cancel_alert = True
        event = self.make_event(paris(date(2026, 6, 10), 9))
        attendee = self.customer_attendee(event)
        self.assertTrue(attendee._duret_customer_cancel("sms"))
        self.assertFalse(attendee._duret_customer_cancel("web"))
        self.assertFalse(attendee._duret_customer_confirm("web"), "no confirm after a cancel")
        self.assertEqual(attendee.state, "declined")
        self.assertEqual(event.duret_customer_answer, "cancelled")
        cancelled = self.env["calendar.event"].search(
            [("duret_customer_answer", "=", "cancelled"), ("user_id", "=", self.technician.id)]
        )  # the technician's: demo data has cancelled appointments too
        self.assertEqual(cancelled, event)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
        )
        # The office calls the customer back, not the technician (who gets the SMS alert):
        # here nobody of the office booked it, so the company's first SMS officer.
        self.assertNotEqual(activity.user_id, self.technician)
        self.assertTrue(activity.user_id.has_group("duret_sms.duret_sms_group_officer"))
        alert = self.reminder_sms("+33699887766")
        self.assertEqual(alert.duret_category, "internal_urgent")
        self.assertIn("ANNULATION", alert.body)
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        self.assertFalse(attendee.duret_reminder_state, "no reminder after a cancellation")

    # ------------------------------------------------------------------
    # Technician briefing
    # ------------------------------------------------------------------

    def test_briefing_once_per_day(self):
        self.technician.duret_sms_briefing = True
        self.make_event(paris(date(2026, 6, 10), 14))
        self.make_event(paris(date(2026, 6, 10), 8, 30))
        self.make_event(paris(date(2026, 6, 11), 8, 30))  # the day after: not in this one
        with freeze_time(paris(date(2026, 6, 9), 16, 59)):
            self.run_reminders()
        self.assertFalse(self.reminder_sms("+33699887766"))
        for minutes in (0, 30):
            with freeze_time(paris(date(2026, 6, 9), 17, minutes)):
                self.run_reminders()
        briefing = self.reminder_sms("+33699887766")
        self.assertEqual(len(briefing), 1)
        self.assertEqual(briefing.duret_category, "transactional")
        lines = briefing.body.split("\n")
        self.assertIn("mercredi 10/06", lines[0])
        self.assertEqual(
            lines[1:], ["8h30 - Camille Martin - Lyon", "14h00 - Camille Martin - Lyon"]
        )
        self.assertEqual(self.technician.duret_briefing_last_date, date(2026, 6, 10))

    def test_briefing_truncated(self):
        self.technician.duret_sms_briefing = True
        customers = self.env["res.partner"].create(
            [{"name": f"Client numero {i:02d}", "city": "Villeurbanne"} for i in range(40)]
        )
        for i, customer in enumerate(customers):
            self.make_event(paris(date(2026, 6, 10), 8) + timedelta(minutes=10 * i), customer)
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        body = self.reminder_sms("+33699887766").body
        analysis = encoding.analyze(body)
        self.assertLessEqual(analysis.segments, 3)
        self.assertEqual(analysis.encoding, "GSM-7")
        shown = body.count("Villeurbanne")
        self.assertTrue(body.endswith(f"+{40 - shown} autres"), body)

    def test_briefing_not_opted_in(self):
        self.make_event(paris(date(2026, 6, 10), 14))
        with freeze_time(paris(date(2026, 6, 9), 17)):
            self.run_reminders()
        self.assertFalse(self.reminder_sms("+33699887766"))

    def test_cancel_call_back_goes_to_the_office_user_who_booked(self):
        office = new_test_user(self.env, login="office_booker", groups="base.group_user")
        event = self.make_event(paris(date(2026, 6, 10), 9))
        # Booked by the office (create_uid cannot be written through the ORM).
        self.env.cr.execute(
            "UPDATE calendar_event SET create_uid = %s WHERE id = %s", [office.id, event.id]
        )
        event.invalidate_recordset(["create_uid"])
        self.assertEqual(event.create_uid, office)
        with freeze_time(paris(date(2026, 6, 9), 12)):  # answers close once the visit started
            self.assertTrue(self.customer_attendee(event)._duret_customer_cancel("sms"))
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
        )
        self.assertEqual(activity.user_id, office)
