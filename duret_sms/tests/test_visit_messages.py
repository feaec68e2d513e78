"""The whole visit by SMS (issue 19): booking confirmation, same-morning reminder, technician en
route, thank-you; each once, through the compliance gate, each its own kind in the analysis."""

from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.duret_sms.core import encoding, windows

from .common import DuretTwilioCase

PARIS = "Europe/Paris"
CUSTOMER_NUMBER = "+33612345678"
# A Tuesday in June: sending hours 8:00-20:00.
DAY = date(2026, 6, 9)


def paris(day, hour, minute=0):
    """Naive UTC instant of a Paris wall-clock time."""
    return windows.local_to_utc(day, time(hour, minute), PARIS)


@tagged("post_install", "-at_install")
class TestVisitMessages(DuretTwilioCase):
    # The gate's sending hours are part of these texts' rules: the company's real ones.
    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"name": "Duret Électricité", "phone": "04 72 00 00 00"})
        cls.env["ir.config_parameter"].sudo().set_param(
            "duret_sms.public_url", "https://erp.duret.fr"
        )
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Karim Benali",
                "login": "karim.benali",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        cls.partner.write(
            {
                "street": "12 rue des Lilas",
                "zip": "69003",
                "city": "Lyon",
                # Place Bellecour area; the base is in Villeurbanne (about 4.8 km).
                "partner_latitude": 45.7578,
                "partner_longitude": 4.8320,
            }
        )

    def setUp(self):
        super().setUp()
        self.company.write(
            {
                "duret_sms_booking_confirmation": True,
                "duret_sms_same_day_reminder": False,
                "duret_sms_thank_you": False,
            }
        )

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

    def customer_attendee(self, event):
        return event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)

    def sms_of(self, kind, number=CUSTOMER_NUMBER):
        return (
            self.env["sms.sms"]
            .sudo()
            .search([("number", "=", number), ("duret_kind", "=", kind)], order="id")
        )

    def assert_one_segment(self, body):
        analysis = encoding.analyze(body)
        self.assertEqual((analysis.encoding, analysis.segments), ("GSM-7", 1), body)

    # ------------------------------------------------------------------
    # Booking confirmation
    # ------------------------------------------------------------------

    def test_confirmation_for_a_later_day(self):
        with freeze_time(paris(DAY, 10)):
            event = self.make_event(paris(DAY + timedelta(days=1), 10, 30))
            sms = self.sms_of("confirmation")
            self.assertEqual(len(sms), 1)
            self.assertEqual(sms.duret_category, "transactional")
            attendee = self.customer_attendee(event)
            self.assertEqual(
                sms.body,
                "Duret Électricité : RDV confirmé le mer. 10/06 à 10h30, 12 rue des Lilas, Lyon. "
                f"Détails, modifier ou annuler : https://erp.duret.fr/v/{attendee.duret_short_token}",
            )
            self.assert_one_segment(sms.body)
            self.assertEqual(attendee.duret_confirmation_at, paris(DAY, 10))
            self.run_queue()
            self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 1)

    def test_confirmation_never_twice(self):
        with freeze_time(paris(DAY, 10)):
            event = self.make_event(paris(DAY + timedelta(days=2), 9))
            other = self.env["res.partner"].create({"name": "Léa Roux", "mobile": "0611223344"})
            # Another customer added later gets theirs; the first one is not told again.
            event.write({"partner_ids": [Command.link(other.id)]})
            self.assertEqual(len(self.sms_of("confirmation")), 1)
            self.assertEqual(len(self.sms_of("confirmation", "+33611223344")), 1)
            event.write({"name": "Dépannage (tableau)"})
            self.assertEqual(len(self.sms_of("confirmation")), 1)

    def test_no_confirmation_for_today_past_urgent_recurring_or_import(self):
        with freeze_time(paris(DAY, 10)):
            self.make_event(paris(DAY, 15))  # later today: the J-1 logic and the visit itself
            self.make_event(paris(DAY - timedelta(days=3), 15))  # created in the past
            self.make_event(paris(DAY + timedelta(days=1), 9), duret_is_urgent=True)
            self.make_event(
                paris(DAY + timedelta(days=1), 9), recurrency=True, rrule_type="daily", count=3
            )
            self.env["calendar.event"].with_context(import_file=True).create(
                {
                    "name": "Import",
                    "start": paris(DAY + timedelta(days=5), 9),
                    "stop": paris(DAY + timedelta(days=5), 10),
                    "partner_ids": [Command.set(self.partner.ids)],
                }
            )
            self.assertFalse(self.sms_of("confirmation"))

    def test_no_confirmation_for_bulk_creation(self):
        with freeze_time(paris(DAY, 10)):
            start = paris(DAY + timedelta(days=3), 9)
            self.env["calendar.event"].create(
                [
                    {
                        "name": f"Import {i}",
                        "start": start + timedelta(hours=i),
                        "stop": start + timedelta(hours=i, minutes=30),
                        "partner_ids": [Command.set(self.partner.ids)],
                    }
                    for i in range(11)
                ]
            )
            self.assertFalse(self.sms_of("confirmation"))

    def test_confirmation_setting_off(self):
        self.company.duret_sms_booking_confirmation = False
        with freeze_time(paris(DAY, 10)):
            self.make_event(paris(DAY + timedelta(days=1), 9))
        self.assertFalse(self.sms_of("confirmation"))

    def test_confirmation_booked_at_night_is_deferred_by_the_gate(self):
        with freeze_time(paris(DAY, 21, 30)):
            self.make_event(paris(DAY + timedelta(days=2), 9))
            self.run_queue()
            sms = self.sms_of("confirmation")
            self.assertEqual(sms.state, "outgoing")
            self.assertEqual(sms.duret_not_before, paris(DAY + timedelta(days=1), 8))
            self.assertFalse(self.sim_messages_to(CUSTOMER_NUMBER))
        with freeze_time(paris(DAY + timedelta(days=1), 8, 1)):
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 1)

    def test_confirmation_to_opted_out_number_is_cancelled(self):
        self.env["phone.blacklist"].sudo().add(CUSTOMER_NUMBER)
        with freeze_time(paris(DAY, 10)):
            self.make_event(paris(DAY + timedelta(days=1), 9))
            self.run_queue()
        sms = self.sms_of("confirmation")
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_blacklist"))
        self.assertFalse(self.sim_messages_to(CUSTOMER_NUMBER))

    # ------------------------------------------------------------------
    # Same-morning reminder
    # ------------------------------------------------------------------

    def run_reminder_cron(self):
        self.assert_clock_independent()
        self.env["calendar.event"]._cron_duret_appointment_reminder()

    def test_same_day_reminder_at_8_for_visits_from_10(self):
        self.company.duret_sms_same_day_reminder = True
        late = self.make_event(paris(DAY, 10, 30))
        early = self.make_event(paris(DAY, 9))
        with freeze_time(paris(DAY, 7, 59)):
            self.run_reminder_cron()
            self.assertFalse(self.sms_of("same_day"))
        with freeze_time(paris(DAY, 8)):
            self.run_reminder_cron()
            self.run_reminder_cron()  # never twice
        sms = self.sms_of("same_day")
        self.assertEqual(len(sms), 1, "only the 10:30 visit, once")
        self.assertEqual(self.customer_attendee(late).duret_same_day_at, paris(DAY, 8))
        self.assertFalse(self.customer_attendee(early).duret_same_day_at)
        self.assertEqual(sms.duret_expires_at, paris(DAY, 10, 30))
        self.assertIn("aujourd'hui à 10h30", sms.body)
        self.assert_one_segment(sms.body)

    def test_same_day_reminder_off_by_default_and_not_for_answered(self):
        event = self.make_event(paris(DAY, 11))
        with freeze_time(paris(DAY, 8)):
            self.run_reminder_cron()
        self.assertFalse(self.sms_of("same_day"), "off by default")
        self.company.duret_sms_same_day_reminder = True
        cancelled = self.make_event(paris(DAY, 14))
        with freeze_time(paris(DAY, 7)):
            self.customer_attendee(event)._duret_customer_confirm("web")
            self.customer_attendee(cancelled)._duret_customer_cancel("web")
        urgent = self.make_event(paris(DAY, 15), duret_is_urgent=True)
        with freeze_time(paris(DAY, 8, 5)):
            self.run_reminder_cron()
        self.assertFalse(self.sms_of("same_day"))
        self.assertFalse(self.customer_attendee(urgent).duret_same_day_at)

    def test_same_day_reminder_held_past_the_visit_is_cancelled(self):
        self.company.write({"duret_sms_same_day_reminder": True, "duret_sms_weekday_start": 11})
        self.make_event(paris(DAY, 10, 30))
        with freeze_time(paris(DAY, 8)):
            self.run_reminder_cron()
            self.run_queue()
        sms = self.sms_of("same_day")
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_expired"))
        self.assertIn("10:30", sms.duret_failure_reason)

    # ------------------------------------------------------------------
    # Technician en route
    # ------------------------------------------------------------------

    def test_en_route_with_picked_time_and_30_minute_rule(self):
        event = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 9, 2)):
            result = event._duret_send_en_route(eta_minutes=30)
            self.assertTrue(result["sent"], result["reason"])
            self.assertEqual(result["eta"], paris(DAY, 9, 35))
            sms = self.sms_of("en_route")
            self.assertEqual(
                sms.body,
                "Duret Électricité : votre technicien Karim est en route, arrivée vers 9h35.",
            )
            self.assert_one_segment(sms.body)
            self.assertEqual(sms.duret_expires_at, paris(DAY, 9, 35))
            self.assertIn("9h35", event.message_ids[0].body)
        with freeze_time(paris(DAY, 9, 20)):
            again = event._duret_send_en_route(eta_minutes=15)
            self.assertFalse(again["sent"])
            self.assertIn("9h32", again["reason"])
            self.assertEqual(len(self.sms_of("en_route")), 1)
        with freeze_time(paris(DAY, 9, 33)):
            update = event._duret_send_en_route(eta_minutes=15)
        self.assertTrue(update["sent"], update["reason"])
        sms = self.sms_of("en_route")
        self.assertEqual(len(sms), 2)
        self.assertEqual(
            sms[1].body,
            "Duret Électricité : nouvelle heure d'arrivée de votre technicien Karim : vers 9h50.",
        )
        self.assert_one_segment(sms[1].body)

    def test_en_route_from_the_base_and_from_the_phone(self):
        self.technician.sudo().write(
            {"duret_base_latitude": 45.7719, "duret_base_longitude": 4.8902}
        )
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.road_factor", "1.3")
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.road_speed", "30")
        event = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 9)):
            # About 4.8 km x 1.3 at 30 km/h: 12.5 minutes, announced at 9:15.
            result = event._duret_send_en_route()
        self.assertTrue(result["sent"], result["reason"])
        self.assertEqual(result["eta"], paris(DAY, 9, 15))
        self.assertIn("base", event.message_ids[0].body)
        other = self.make_event(paris(DAY, 11))
        with freeze_time(paris(DAY, 10, 30)):
            # The phone is two streets away: the minimum, 5 minutes.
            result = other._duret_send_en_route(position=(45.7590, 4.8330))
        self.assertEqual(result["eta"], paris(DAY, 10, 35))
        self.assertIn("phone", other.message_ids[0].body)

    def test_en_route_without_any_position_asks_for_a_time(self):
        self.partner.write({"partner_latitude": 0.0, "partner_longitude": 0.0})
        event = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 9)):
            result = event._duret_send_en_route()
        self.assertEqual((result["sent"], result["eta"]), (False, False))
        self.assertIn("15, 30 or 45", result["reason"])
        self.assertFalse(self.sms_of("en_route"))
        self.assertFalse(event.duret_en_route_at)

    def test_en_route_past_the_sending_hours_is_cancelled(self):
        """At 7:40 the hours open at 8:00, after the 7:55 arrival: cancelled, with the reason."""
        event = self.make_event(paris(DAY, 8))
        with freeze_time(paris(DAY, 7, 40)):
            result = event._duret_send_en_route(eta_minutes=15)
        self.assertFalse(result["sent"])
        self.assertIn("7:55", result["reason"])
        sms = self.sms_of("en_route")
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_expired"))
        self.assertFalse(event.duret_en_route_at, "a later tap may try again")
        self.assertIn("7:55", event.message_ids[0].body)

    def test_en_route_queued_then_late_is_cancelled_by_the_gate(self):
        event = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 9)):
            self.assertTrue(event._duret_send_en_route(eta_minutes=15)["sent"])
        with freeze_time(paris(DAY, 9, 20)):  # the queue was stuck past the arrival
            self.run_queue()
        sms = self.sms_of("en_route")
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_expired"))
        self.assertFalse(self.sim_messages_to(CUSTOMER_NUMBER))

    def test_en_route_refused_for_a_recorded_or_cancelled_visit(self):
        event = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 9)):
            self.customer_attendee(event)._duret_customer_cancel("web")
            result = event._duret_send_en_route(eta_minutes=15)
        self.assertFalse(result["sent"])
        self.assertFalse(self.sms_of("en_route"))

    def test_en_route_button_answers_json(self):
        event = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 9)):
            result = event.action_duret_en_route(eta_minutes=45)
        self.assertEqual(result["eta"], "2026-06-09 07:45:00")
        self.assertTrue(result["sent"])

    def test_en_route_button_needs_the_right_to_change_the_appointment(self):
        event = self.make_event(paris(DAY, 10))
        portal = self.env["res.users"].create(
            {
                "name": "Client Portail",
                "login": "client.portail",
                "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )
        with freeze_time(paris(DAY, 9)), self.assertRaises(AccessError):
            event.with_user(portal).action_duret_en_route(eta_minutes=15)
        self.assertFalse(self.sms_of("en_route"))

    # ------------------------------------------------------------------
    # Thank-you
    # ------------------------------------------------------------------

    def test_thank_you_when_done_once(self):
        self.company.duret_sms_thank_you = True
        event = self.make_event(paris(DAY, 10))
        attendee = self.customer_attendee(event)
        with freeze_time(paris(DAY, 11)):
            event.action_duret_mark_done()
            attendee.action_duret_attendance_reset()
            event.action_duret_mark_done()
        sms = self.sms_of("thank_you")
        self.assertEqual(len(sms), 1)
        self.assertEqual(
            sms.body,
            "Duret Électricité : merci de votre confiance. Votre avis en 1 clic : "
            f"https://erp.duret.fr/avis/{attendee.duret_short_token}",
        )
        self.assert_one_segment(sms.body)

    def test_no_thank_you_by_default_nor_for_absent(self):
        event = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 11)):
            event.action_duret_mark_done()
        self.assertFalse(self.sms_of("thank_you"))
        self.company.duret_sms_thank_you = True
        other = self.make_event(paris(DAY, 10))
        with freeze_time(paris(DAY, 11)):
            other.action_duret_mark_absent()
        self.assertFalse(self.sms_of("thank_you"))

    # ------------------------------------------------------------------
    # Reporting
    # ------------------------------------------------------------------

    def test_each_kind_in_the_analysis_and_the_roi(self):
        self.company.duret_sms_thank_you = True
        with freeze_time(paris(DAY, 9)):
            event = self.make_event(paris(DAY + timedelta(days=1), 10))
        with freeze_time(paris(DAY + timedelta(days=1), 9, 30)):
            event._duret_send_en_route(eta_minutes=15)
        with freeze_time(paris(DAY + timedelta(days=1), 11)):
            event.action_duret_mark_done()
            self.env["sms.sms"].flush_model()
            report = self.env["duret.sms.report"].search([("partner_id", "=", self.partner.id)])
            self.assertEqual(
                sorted(report.mapped("kind")), ["confirmation", "en_route", "thank_you"]
            )
            # The month of the SMS's record (create_date is the database's clock).
            roi = self.env["duret.sms.roi"].create({"date": report[0].date.date()})
            self.assertGreaterEqual(roi.month_sms_count, 3)

    def test_ratings_in_the_visits_report(self):
        first = self.make_event(datetime(2026, 5, 5, 8))
        second = self.make_event(datetime(2026, 5, 12, 8))
        self.make_event(datetime(2026, 5, 19, 8))  # not rated
        self.customer_attendee(first).sudo().write({"duret_rating": 5})
        self.customer_attendee(second).sudo().write({"duret_rating": 2})
        self.env["calendar.attendee"].flush_model()
        groups = self.env["duret.sms.reminder.report"]._read_group(
            [("user_id", "=", self.technician.id)],
            ["date:month", "user_id"],
            ["rating:avg", "rated_count:sum", "appointment_count:sum"],
        )
        self.assertEqual(len(groups), 1)
        _month, _user, average, rated, count = groups[0]
        self.assertEqual((average, rated, count), (3.5, 2, 3))


@tagged("post_install", "-at_install")
class TestVisitDemo(TransactionCase):
    """demo/duret_sms_visit_demo.xml shows each of the visit's SMS and both kinds of rating."""

    def test_each_message_and_ratings_in_the_demo(self):
        camille = self.env.ref("duret_sms.sms_sms_visit_confirmation_camille_demo", False)
        if not camille:
            self.skipTest("database without demo data")
        sms = self.env["sms.sms"].search([("duret_kind", "!=", False)])
        self.assertLessEqual(
            {"confirmation", "reminder", "same_day", "en_route", "thank_you"},
            set(sms.mapped("duret_kind")) | {"reminder"},
        )
        for record in sms.filtered(lambda s: s.duret_kind != "reminder"):
            analysis = encoding.analyze(record.body)
            self.assertEqual((analysis.encoding, analysis.segments), ("GSM-7", 1), record.body)
        rated = self.env["calendar.attendee"].search([("duret_rating", ">", 0)])
        self.assertEqual(set(rated.mapped("duret_rating")) & {2, 5}, {2, 5})
        self.assertFalse(sms.filtered(lambda s: s.state in ("outgoing", "process")))
