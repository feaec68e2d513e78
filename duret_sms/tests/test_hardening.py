"""Review findings of issue 10 that need no HTTP request (see test_hardening_http.py)."""

import logging

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.duret_sms.core import redact
from odoo.addons.duret_sms.services.sms_urgent import urgent_alert_context

from .common import DuretTwilioCase

MOBILE = "+33612345678"  # DuretTwilioCase's customer, Camille Martin
STAFF_MOBILE = "+33699887766"
SUNDAY_NIGHT = "2026-11-29 02:00:00"  # Sunday 03:00 in Paris


@tagged("post_install", "-at_install")
class TestInternalUrgentIsNoBackDoor(DuretTwilioCase):
    """Item 1: *internal urgent* skips the opt-out list, the hours and consent: it is decided
    on the server, for the company's own people, from the staff alert paths only."""

    all_hours = False  # Duret's real hours: Sunday 03:00 is closed

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = new_test_user(
            cls.env,
            login="office_i10",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_officer",
        )
        cls.technician = new_test_user(cls.env, login="tech_i10", name="Paul Durand")
        cls.technician.partner_id.write(
            {"mobile": STAFF_MOBILE, "duret_sms_urgent_mobile": STAFF_MOBILE}
        )

    def setUp(self):
        super().setUp()
        self.env["phone.blacklist"].sudo()._add([MOBILE])

    def customer_sms(self):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", self.partner.id)])

    def test_composer_does_not_offer_internal_urgent_for_customers(self):
        field = self.env["sms.composer"]._fields["duret_category"]
        self.assertNotIn("internal_urgent", dict(field._description_selection(self.env)))
        # The reviewer's probe: an office user asks for it through the composer's context.
        composer = Form(
            self.env["sms.composer"]
            .with_user(self.office)
            .with_context(
                active_model="res.partner",
                active_id=self.partner.id,
                duret_sms_category="internal_urgent",
            )
        )
        composer.body = "Promo du dimanche"
        self.assertEqual(composer.duret_category, "transactional")
        composer.save().action_send_sms()
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        sms = self.customer_sms()
        self.assertEqual(sms.duret_category, "transactional")
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_blacklist"))
        self.assertEqual(self.simulator.created_count, 0, "the opted-out customer got nothing")

    def test_composer_refuses_internal_urgent_written_by_rpc(self):
        with self.assertRaises(ValueError):
            self.env["sms.composer"].with_user(self.office).with_context(
                active_model="res.partner", active_id=self.partner.id
            ).create({"body": "x", "duret_category": "internal_urgent"})

    def test_context_or_values_alone_never_make_an_internal_urgent_sms(self):
        # What any RPC caller can send: the category in the values and in the context.
        sms = (
            self.env["sms.sms"]
            .with_context(duret_sms_category="internal_urgent")
            .create(
                [
                    {"number": MOBILE, "body": "a", "partner_id": self.partner.id},
                    {
                        "number": STAFF_MOBILE,
                        "body": "b",
                        "partner_id": self.technician.partner_id.id,
                        "duret_category": "internal_urgent",
                    },
                ]
            )
        )
        self.assertEqual(sms.mapped("duret_category"), ["transactional", "transactional"])
        sms[0].write({"duret_category": "internal_urgent"})
        self.assertEqual(sms[0].duret_category, "transactional")

    def test_staff_alert_path_to_a_customer_is_transactional(self):
        sms = (
            self.env["sms.sms"]
            .with_context(**urgent_alert_context())
            .create({"number": MOBILE, "body": "x", "partner_id": self.partner.id})
        )
        self.assertEqual(sms.duret_category, "transactional")
        sms.send()
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        self.assertEqual(sms.state, "canceled")

    def test_staff_alert_path_reaches_staff_at_any_hour(self):
        outsider = self.env["res.partner"].create({"name": "Chef de chantier sous-traitant"})
        self.assertFalse(outsider._duret_is_staff())
        outsider.write({"duret_sms_staff": True, "duret_sms_urgent_mobile": "06 99 88 77 55"})
        self.assertTrue(outsider._duret_is_staff())
        technician = self.technician.partner_id
        sms = (
            self.env["sms.sms"]
            .with_context(**urgent_alert_context())
            .create(
                [
                    {"number": STAFF_MOBILE, "body": "x", "partner_id": technician.id},
                    {"number": "+33699887755", "body": "x", "partner_id": outsider.id},
                ]
            )
        )
        self.assertEqual(sms.mapped("duret_category"), ["internal_urgent"] * 2)
        sms.send()
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        self.assertEqual(sms.mapped("state"), ["process"] * 2)

    def test_urgent_exemption_is_keyed_on_the_number(self):
        # Issue 17: the contact named staff is not enough; the number must be the Urgent SMS
        # Mobile an officer registered, and no customer may hold it.
        sms_model = self.env["sms.sms"].with_context(**urgent_alert_context())
        staff = self.technician.partner_id
        to_customer = sms_model.create({"number": MOBILE, "body": "x", "partner_id": staff.id})
        self.assertEqual(to_customer.duret_category, "transactional")
        # An officer's mistake (the customer's number as urgent mobile) is caught too.
        staff.duret_sms_urgent_mobile = "06 12 34 56 78"
        self.env["phone.blacklist"].sudo()._remove([MOBILE])
        again = sms_model.create({"number": MOBILE, "body": "x", "partner_id": staff.id})
        self.assertEqual(again.duret_category, "transactional")
        # Checked again at hand-over: an urgent SMS whose number became a customer's waits.
        staff.duret_sms_urgent_mobile = STAFF_MOBILE
        urgent = sms_model.create({"number": STAFF_MOBILE, "body": "x", "partner_id": staff.id})
        self.assertEqual(urgent.duret_category, "internal_urgent")
        self.partner.mobile = "06 99 88 77 66"
        urgent.send()
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        self.assertEqual(urgent.state, "outgoing", "deferred to the sending hours")
        self.assertEqual(self.simulator.created_count, 0)

    def test_only_officers_set_the_staff_flag_and_urgent_mobile(self):
        employee = new_test_user(
            self.env, login="employee_i17", groups="base.group_user,base.group_partner_manager"
        )
        customer = self.partner.with_user(employee)
        customer.mobile = "06 12 34 56 79"  # an employee edits contacts
        with self.assertRaises(AccessError):
            customer.write({"duret_sms_staff": True})
        with self.assertRaises(AccessError):
            self.technician.partner_id.with_user(employee).write(
                {"duret_sms_urgent_mobile": MOBILE}
            )
        self.partner.with_user(self.office).write({"duret_sms_staff": True})
        self.assertTrue(self.partner._duret_is_staff())
        with self.assertRaisesRegex(ValidationError, "not a valid mobile number"):
            self.partner.with_user(self.office).duret_sms_urgent_mobile = "03 88 00 00 00"


@tagged("post_install", "-at_install")
class TestSettingsConstraints(DuretTwilioCase):
    """Item 8: settings that used to crash the crons of every company are refused."""

    def test_reminder_hour_out_of_the_day_is_refused(self):
        for hour in (-1.0, 24.0, 25.5):
            with self.subTest(hour=hour), self.assertRaises(ValidationError) as caught:
                self.company.duret_sms_reminder_hour = hour
            self.assertIn("00:00", str(caught.exception))
        self.company.duret_sms_reminder_hour = 23.5
        self.company.duret_sms_reminder_hour = 0

    def test_alsace_moselle_only_for_french_companies(self):
        self.company.duret_sms_alsace_moselle = True
        with self.assertRaises(ValidationError):
            self.company.country_id = self.env.ref("base.be")
        self.company.duret_sms_alsace_moselle = False
        self.company.country_id = self.env.ref("base.be")
        with self.assertRaises(ValidationError):
            self.company.duret_sms_alsace_moselle = True

    def test_negative_caps_and_retention_are_refused(self):
        for fname in ("duret_sms_cap_commercial", "duret_sms_retention_months"):
            with self.subTest(fname=fname), self.assertRaises(ValidationError):
                self.company[fname] = -1


@tagged("post_install", "-at_install")
class TestCancelActivityIsEscaped(DuretTwilioCase):
    """Item 6: the cancellation to-do is HTML; a contact's name is not markup."""

    def test_partner_name_with_markup_is_escaped(self):
        self.partner.name = (
            '<a href="https://evil.example">Camille</a><img src="https://t.example/p.gif">'
        )
        technician = new_test_user(self.env, login="tech_escape_i10")
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage",
                    "start": "2030-01-10 09:00:00",
                    "stop": "2030-01-10 10:00:00",
                    "user_id": technician.id,
                    "partner_ids": [(6, 0, (self.partner | technician.partner_id).ids)],
                }
            )
        )
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        attendee._duret_customer_cancel("web")
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
        )
        self.assertEqual(len(activity), 1)
        note = str(activity.note)
        self.assertNotIn("<a ", note)
        self.assertNotIn("<img", note)
        self.assertIn("&lt;img", note)


@tagged("post_install", "-at_install")
class TestTokensOutOfTheAccessLog(DuretTwilioCase):
    """Item 13: the request lines Odoo logs at INFO carry no customer token."""

    def test_werkzeug_request_lines_are_redacted(self):
        token = "a" * 32
        logger = logging.getLogger("werkzeug")  # Odoo's HTTP server logs request lines there
        for path in (f"/rdv/{token}", f"/rdv/cancel/{token}", f"/sms/optout/{token}"):
            with self.subTest(path=path):
                record = logging.LogRecord(
                    "werkzeug",
                    logging.INFO,
                    __file__,
                    0,
                    '"%s" %s %s',
                    (f"GET {path} HTTP/1.1", 200, 0),
                    None,
                )
                self.assertTrue(logger.filter(record), "the line is still logged")
                self.assertNotIn(token, record.getMessage())
                self.assertIn("***", record.getMessage())
        self.assertEqual(redact.redact("GET /web/login HTTP/1.1"), "GET /web/login HTTP/1.1")
