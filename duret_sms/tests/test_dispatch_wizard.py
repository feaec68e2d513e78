from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import DuretTwilioCase

CUSTOMER = (48.5734, 7.7521)  # Strasbourg, place Kléber
NEAR = (48.5839, 7.7455)  # ~1.3 km north
FAR = (48.7440, 7.3620)  # ~34 km
# Tuesday 14 January 2025, 10:00 UTC = 11:00 in Paris
NOW = datetime(2025, 1, 14, 10, 0)


@tagged("post_install", "-at_install")
class TestDispatchWizard(DuretTwilioCase):
    # Real sending hours: these tests are about when SMS may go.
    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.duret_sms_tz = "Europe/Paris"
        cls.company.duret_sms_dispatch_horizon = 3
        cls.group = cls.env.ref("duret_sms.duret_sms_group_technician")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Boulangerie Klein",
                "street": "1 place Kléber",
                "zip": "67000",
                "city": "Strasbourg",
                "country_id": cls.env.ref("base.fr").id,
                "phone": "03 88 00 00 00",
                "partner_latitude": CUSTOMER[0],
                "partner_longitude": CUSTOMER[1],
            }
        )
        cls.neighbour = cls.env["res.partner"].create(
            {"name": "Voisin", "partner_latitude": NEAR[0], "partner_longitude": NEAR[1]}
        )
        cls.alice = cls._technician("Alice", "06 11 11 11 11", NEAR)
        cls.bruno = cls._technician("Bruno", "06 22 22 22 22", NEAR)
        cls.chloe = cls._technician("Chloé", "06 33 33 33 33", FAR)
        cls.denis = cls._technician("Denis", "06 44 44 44 44", None)
        # an office user who is not a technician is never proposed
        cls.office = cls.env["res.users"].create(
            {"name": "Office", "login": "office_dispatch", "groups_id": [Command.set([])]}
        )

    @classmethod
    def _technician(cls, name, mobile, position):
        user = cls.env["res.users"].create(
            {
                "name": name,
                "login": f"tech_{name.lower()}",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set(cls.group.ids)],
            }
        )
        user.partner_id.write(
            {
                "mobile": mobile,
                "partner_latitude": position[0] if position else 0.0,
                "partner_longitude": position[1] if position else 0.0,
            }
        )
        return user

    def _event(self, user, start, stop, partners=(), **vals):
        return self.env["calendar.event"].create(
            {
                "name": "RDV",
                "start": start,
                "stop": stop,
                "user_id": self.office.id,
                "partner_ids": [
                    Command.set((user.partner_id | self.env["res.partner"].concat(*partners)).ids)
                ],
                **vals,
            }
        )

    def _wizard(self, **vals):
        return self.env["duret.sms.dispatch.wizard"].create(
            {"partner_id": self.customer.id, "description": "Plus de courant", **vals}
        )

    def _lines(self, wizard):
        return [(line.user_id.name, line.rank, line.explanation) for line in wizard.line_ids]

    @freeze_time(NOW)
    def test_ranking_free_tie_busy_and_no_coordinates(self):
        # Chloé's current appointment (10:00-11:00 UTC) is next door to the customer
        self._event(
            self.chloe, NOW - timedelta(minutes=30), NOW + timedelta(hours=1), [self.neighbour]
        )
        wizard = self._wizard()
        self.assertEqual(
            self._lines(wizard),
            [
                ("Alice", 1, "free, 1.3 km (from their base), tie"),
                ("Bruno", 1, "free, 1.3 km (from their base), tie"),
                ("Denis", 3, "free, no coordinates"),
                # 11:00 UTC is noon in Paris; her appointment started at 10:30 Paris time
                ("Chloé", 4, "busy until 12h, 1.3 km (from their 10h30 appointment)"),
            ],
        )
        self.assertEqual(wizard.technician_id, self.alice, "the best-ranked is preselected")
        self.assertNotIn(self.office, wizard.line_ids.user_id)

    @freeze_time(NOW)
    def test_appointment_within_horizon_is_busy_and_later_is_free(self):
        self._event(self.alice, NOW + timedelta(hours=2), NOW + timedelta(hours=4))
        self._event(self.bruno, NOW + timedelta(hours=3), NOW + timedelta(hours=4))
        lines = {line.user_id: line for line in self._wizard().line_ids}
        self.assertFalse(lines[self.alice].free)
        self.assertIn("busy until 15h", lines[self.alice].explanation)
        self.assertTrue(lines[self.bruno].free, "starts exactly at the horizon's end")
        self.company.duret_sms_dispatch_horizon = 4
        lines = {line.user_id: line for line in self._wizard().line_ids}
        self.assertFalse(lines[self.bruno].free)

    @freeze_time(NOW)
    def test_declined_or_archived_appointments_do_not_count(self):
        event = self._event(self.alice, NOW, NOW + timedelta(hours=1))
        event.attendee_ids.filtered(lambda a: a.partner_id == self.alice.partner_id).do_decline()
        self._event(self.bruno, NOW, NOW + timedelta(hours=1)).active = False
        lines = {line.user_id: line for line in self._wizard().line_ids}
        self.assertTrue(lines[self.alice].free)
        self.assertTrue(lines[self.bruno].free)

    @freeze_time(NOW)
    def test_allday_event_blocks_the_day(self):
        self._event(
            self.alice,
            NOW.replace(hour=8),
            NOW.replace(hour=18),
            allday=True,
            start_date=NOW.date(),
            stop_date=NOW.date(),
        )
        lines = {line.user_id: line for line in self._wizard().line_ids}
        self.assertFalse(lines[self.alice].free)
        self.assertIn("busy until 0h", lines[self.alice].explanation)

    @freeze_time(NOW)
    def test_customer_without_coordinates(self):
        self.customer.write({"partner_latitude": 0.0, "partner_longitude": 0.0})
        wizard = self._wizard()
        self.assertTrue(wizard.customer_without_coordinates)
        self.assertEqual(
            [line.explanation for line in wizard.line_ids], ["free, no coordinates, tie"] * 4
        )

    @freeze_time(datetime(2025, 1, 14, 22, 30))  # 23:30 in Paris: urgent SMS go at any hour
    def test_dispatch_books_and_sends_urgent_sms_at_night(self):
        wizard = self._wizard(duration=1.5)
        wizard.technician_id = self.bruno
        action = wizard.action_dispatch()
        event = self.env["calendar.event"].browse(action["res_id"])
        self.assertEqual(event.start, datetime(2025, 1, 14, 22, 30))
        self.assertEqual(event.stop, datetime(2025, 1, 15, 0, 0))
        self.assertEqual(event.user_id, self.bruno)
        self.assertEqual(event.partner_ids, self.bruno.partner_id | self.customer)
        self.assertEqual(event.location, "1 place Kléber, 67000 Strasbourg, France")
        sms = self.env["sms.sms"].sudo().search([("number", "=", "+33622222222")])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.duret_category, "internal_urgent")
        self.assertEqual(
            sms.body,
            "URGENT : Boulangerie Klein, 1 place Kléber, 67000 Strasbourg, France, "
            "+33388000000, Plus de courant",
        )
        self.assertEqual(sms.mail_message_id.model, "calendar.event", "history on the event")
        self.run_queue()
        sent = self.sim_messages_to("+33622222222")
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent[0]["body"].startswith("URGENT : Boulangerie Klein"))

    @freeze_time(NOW)
    def test_line_button_sends_the_picked_technician(self):
        wizard = self._wizard()
        line = wizard.line_ids.filtered(lambda line: line.user_id == self.denis)
        line.action_dispatch()
        self.assertEqual(wizard.technician_id, self.denis)
        self.assertTrue(self.env["sms.sms"].sudo().search([("number", "=", "+33644444444")]))

    @freeze_time(NOW)
    def test_technician_without_mobile_is_a_clear_error(self):
        self.alice.partner_id.write({"mobile": False, "phone": "pas de numéro"})
        wizard = self._wizard()
        events_before = self.env["calendar.event"].search_count([])
        with self.assertRaisesRegex(UserError, "Alice has no valid mobile number"):
            wizard.action_dispatch()
        self.assertEqual(self.env["calendar.event"].search_count([]), events_before)

    @freeze_time(NOW)
    def test_opened_from_an_appointment(self):
        event = self._event(
            self.chloe,
            NOW - timedelta(days=1),
            NOW - timedelta(days=1, hours=-1),
            [self.customer],
            description="<p>Disjoncteur qui saute</p>",
        )
        form = Form(self.env["duret.sms.dispatch.wizard"].with_context(default_event_id=event.id))
        self.assertEqual(form.partner_id, self.customer)
        self.assertEqual(form.description, "Disjoncteur qui saute")
        self.assertEqual(len(form.line_ids), 4)
        wizard = form.save()
        self.assertEqual(wizard.technician_id, self.alice)
