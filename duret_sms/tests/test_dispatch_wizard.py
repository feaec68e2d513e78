import json
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
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
        # Only this test's technicians (the demo data has its own).
        cls.group.write({"users": [Command.clear()]})
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
        user.partner_id.write({"mobile": mobile, "duret_sms_urgent_mobile": mobile})
        # The dispatch base the office set (issue 17, item 18), not the contact's address.
        user.write(
            {
                "duret_base_latitude": position[0] if position else 0.0,
                "duret_base_longitude": position[1] if position else 0.0,
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

    def _notifications(self, user):
        """The pop-up notifications sent to ``user``'s web client."""
        self.env.cr.precommit.run()  # the bus writes its messages just before commit
        messages = [
            json.loads(bus.message)
            for bus in self.env["bus.bus"].sudo().search([], order="id")
            if json.loads(bus.channel)[-1] == user.partner_id.id
        ]
        return [m["payload"] for m in messages if m["type"] == "simple_notification"]

    @freeze_time(NOW)
    def test_wizard_shows_customer_and_sms_preview(self):
        wizard = self._wizard()
        wizard.technician_id = self.bruno
        self.assertEqual(wizard.customer_address, "1 place Kléber, 67000 Strasbourg, France")
        self.assertEqual(wizard.customer_phone, "03 88 00 00 00")
        self.assertEqual(wizard.sms_preview, wizard._duret_sms_body())
        self.assertTrue(wizard.sms_preview.startswith("URGENT : Boulangerie Klein, 1 place"))
        self.assertEqual(wizard.sms_preview_info, "To Bruno, 06 22 22 22 22 (1 SMS)")
        wizard.description = False  # not typed yet: the preview has no dangling comma
        self.assertEqual(
            wizard.sms_preview,
            "URGENT : Boulangerie Klein, 1 place Kléber, 67000 Strasbourg, France, +33388000000",
        )
        self.bruno.partner_id.duret_sms_urgent_mobile = False
        wizard.invalidate_recordset(["sms_preview_info"])
        self.assertEqual(wizard.sms_preview_info, "Bruno has no Urgent SMS Mobile.")

    @freeze_time(NOW)
    def test_geolocate_customer_and_technicians_from_their_address(self):
        self.customer.write({"street": "2 place Kléber"})  # base_geolocalize resets 0, 0
        self.assertFalse(self.customer.partner_latitude)
        self.denis.duret_base_address = "3 rue du Dôme, Strasbourg"
        wizard = self._wizard()
        self.assertTrue(wizard.customer_without_coordinates)
        self.assertTrue(wizard.missing_coordinates)
        found = {"2 place Kléber": CUSTOMER, "3 rue du Dôme": NEAR}
        queries = []

        def openstreetmap(geocoder, address, **kw):
            queries.append(address)
            return next((pos for street, pos in found.items() if street in address), None)

        geocoder = type(self.env["base.geocoder"])
        with patch.object(geocoder, "_call_openstreetmap", openstreetmap, create=True):
            action = wizard.action_geolocate()
        self.assertEqual(len(queries), 2, "the customer and Denis, who have an address")
        self.assertEqual(self.customer.partner_latitude, CUSTOMER[0])
        self.assertEqual(self.denis.duret_base_longitude, NEAR[1])
        self.assertFalse(wizard.customer_without_coordinates)
        self.assertFalse(wizard.missing_coordinates)
        self.assertIn(("Denis", 1, "free, 1.3 km (from their base), tie"), self._lines(wizard))
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        with self.assertRaisesRegex(UserError, "Nothing to locate"):
            wizard.action_geolocate()

    @freeze_time(NOW)
    def test_technician_is_placed_at_the_base_never_at_home(self):
        """Issue 17, item 18: a technician's private address (their contact's) is neither
        sent to the geocoder nor used for the distance."""
        home = {"street": "5 rue Privée", "city": "Strasbourg"}
        self.denis.partner_id.write(dict(home, partner_latitude=NEAR[0], partner_longitude=NEAR[1]))
        self.chloe.partner_id.write(home)
        wizard = self._wizard()
        explained = {name: text for name, _rank, text in self._lines(wizard)}
        self.assertEqual(explained["Denis"], "free, no coordinates")
        self.assertFalse(wizard.missing_coordinates, "home addresses are nobody's business")
        queries = []
        geocoder = type(self.env["base.geocoder"])
        with (
            patch.object(
                geocoder, "_call_openstreetmap", lambda g, a, **kw: queries.append(a), create=True
            ),
            self.assertRaisesRegex(UserError, "Nothing to locate"),
        ):
            wizard.action_geolocate()
        self.assertEqual(queries, [])

    @freeze_time(datetime(2025, 1, 14, 22, 30))  # 23:30 in Paris: urgent SMS go at any hour
    def test_dispatch_books_and_sends_urgent_sms_at_night(self):
        dispatcher = self.env.ref("base.user_admin")
        wizard = self._wizard(duration=1.5).with_user(dispatcher)
        wizard.technician_id = self.bruno
        action = wizard.action_dispatch()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(
            "The SMS to Bruno (06 22 22 22 22) is being sent", action["params"]["message"]
        )
        event = self.env["calendar.event"].browse(action["params"]["next"]["res_id"])
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
        self.assertFalse(self._notifications(dispatcher))
        self.run_queue()
        sent = self.sim_messages_to("+33622222222")
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent[0]["body"].startswith("URGENT : Boulangerie Klein"))
        self.assertFalse(self._notifications(dispatcher), "handed to Twilio, not sent yet")
        # the dispatcher is told when the SMS has left (Twilio's status report)
        sms._duret_apply_twilio_status("sent")
        sms._duret_apply_twilio_status("delivered")
        self.assertEqual(
            [(n["type"], n["message"]) for n in self._notifications(dispatcher)],
            [("success", "The urgent SMS to Bruno has left.")],
        )

    @freeze_time(NOW)
    def test_dispatcher_is_told_when_the_urgent_sms_fails(self):
        dispatcher = self.env.ref("base.user_admin")
        wizard = self._wizard().with_user(dispatcher)
        wizard.technician_id = self.alice
        wizard.action_dispatch()
        sms = self.env["sms.sms"].sudo().search([("number", "=", "+33611111111")])
        sms.write({"state": "process"})  # handed over to Twilio
        sms.write(
            {"state": "error", "failure_type": "sms_server", "duret_failure_reason": "No network."}
        )
        self.assertEqual(
            [(n["type"], n["message"]) for n in self._notifications(dispatcher)],
            [("danger", "The urgent SMS to Alice was not sent: No network. Call them instead.")],
        )
        sms.write({"state": "canceled"})
        self.assertEqual(len(self._notifications(dispatcher)), 1, "told once")

    @freeze_time(NOW)
    def test_line_button_picks_the_technician_and_sends_nothing(self):
        wizard = self._wizard()
        line = wizard.line_ids.filtered(lambda line: line.user_id == self.denis)
        action = line.action_choose()
        self.assertEqual(wizard.technician_id, self.denis)
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        self.assertFalse(self.env["sms.sms"].sudo().search([("number", "=", "+33644444444")]))
        self.assertIn("To Denis, 06 44 44 44 44", wizard.sms_preview_info)

    @freeze_time(NOW)
    def test_technician_without_mobile_is_a_clear_error(self):
        self.alice.partner_id.write({"duret_sms_urgent_mobile": False})
        wizard = self._wizard()
        events_before = self.env["calendar.event"].search_count([])
        with self.assertRaisesRegex(UserError, "Alice has no Urgent SMS Mobile"):
            wizard.action_dispatch()
        self.assertEqual(self.env["calendar.event"].search_count([]), events_before)

    @freeze_time(NOW)
    def test_technician_must_be_a_technician_of_the_company(self):
        # The view's domain is a hint; an RPC write of any user is refused on the server.
        office = self.env["res.users"].create(
            {"name": "Secrétaire", "login": "secretaire_i17", "company_id": self.company.id}
        )
        office.partner_id.duret_sms_urgent_mobile = "06 12 34 56 78"
        with self.assertRaisesRegex(ValidationError, "is not a technician of"):
            self._wizard(technician_id=office.id)
        wizard = self._wizard()
        with self.assertRaisesRegex(ValidationError, "is not a technician of"):
            wizard.technician_id = office

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
