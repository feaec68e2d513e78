"""Issue 18: the screens staff use, driven in a real browser (Chromium). Each tour fails on a
client error or a console error; see static/tests/tours/screens.js."""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import DuretTwilioMixin

UNKNOWN = "+33699000111"
MOBILE = "+33612345678"


@tagged("post_install", "-at_install")
class TestScreensTour(DuretTwilioMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.country_id = self.env.ref("base.fr")
        self.setup_twilio(self.company)  # sending hours opened round the clock

    def url(self, record):
        return f"/web#model={record._name}&id={record.id}&view_type=form"

    def action_url(self, xmlid):
        return f"/web#action={self.env.ref(xmlid).id}"

    def test_reply_inbox_call_reply_and_link_a_contact(self):
        contact = self.env["res.partner"].create({"name": "Léa Tournée", "mobile": UNKNOWN})
        reply = (
            self.env["duret.sms.reply"]
            .sudo()
            .create(
                {
                    "number_from": UNKNOWN,
                    "body": "Vous passez à quelle heure ?",
                    "intent": "other",
                    "state": "needs_attention",
                    "message_sid": "SM" + "7" * 32,
                    "company_id": self.company.id,
                }
            )
        )
        # The reply came in before the contact had this number: not linked yet.
        self.assertFalse(reply.partner_id)
        self.start_tour(self.url(reply), "duret_sms_reply_inbox", login="admin")
        self.assertEqual(reply.partner_id, contact)
        self.assertEqual(reply.state, "done")

    def test_settings_test_sms_with_unsaved_changes(self):
        self.start_tour(
            "/web#action=base_setup.action_general_configuration",
            "duret_sms_settings_test_sms_dirty",
            login="admin",
        )
        self.assertEqual(self.company.twilio_from_number, "+33939000001", "saved first")

    def test_composer_send_disabled_when_nothing_leaves(self):
        partner = self.env["res.partner"].create(
            {"name": "Marc Opposé", "mobile": MOBILE, "country_id": self.env.ref("base.fr").id}
        )
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="STOP")
        # The composer as Odoo's SMS buttons open it, for this contact's mobile.
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "SMS to an opted-out contact",
                "res_model": "sms.composer",
                "view_mode": "form",
                "target": "new",
                "context": repr(
                    {
                        "default_res_model": "res.partner",
                        "default_res_id": partner.id,
                        "default_number_field_name": "mobile",
                        "default_composition_mode": "comment",
                    }
                ),
            }
        )
        self.start_tour(f"/web#action={action.id}", "duret_sms_composer_blocked", login="admin")

    def test_composer_offers_each_special_character_alone(self):
        """Issue 18 #6: staff pick the characters to replace; accents are never lost unasked."""
        partner = self.env["res.partner"].create(
            {"name": "Anne Accent", "mobile": MOBILE, "country_id": self.env.ref("base.fr").id}
        )
        body = (
            "Bonjour, votre tableau sera prêt bientôt. L’équipe Duret passe demain matin "
            "entre 8h et 10h, merci de laisser l’accès libre."
        )
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "SMS with special characters",
                "res_model": "sms.composer",
                "view_mode": "form",
                "target": "new",
                "context": repr(
                    {
                        "default_res_model": "res.partner",
                        "default_res_id": partner.id,
                        "default_number_field_name": "mobile",
                        "default_composition_mode": "comment",
                        "default_body": body,
                    }
                ),
            }
        )
        self.start_tour(f"/web#action={action.id}", "duret_sms_composer_gsm_choice", login="admin")

    def test_sms_history_newest_first_cost_in_currency_and_cancel(self):
        sms_sudo = self.env["sms.sms"].sudo()
        sms_sudo.create(
            {
                "number": "+33611000999",
                "body": "Duret history priced",
                "state": "sent",
                "company_id": self.company.id,
                "duret_price": 0.076,
                "duret_price_unit": "EUR",
                "duret_price_known": True,
            }
        )
        deferred = sms_sudo.create(
            {
                "number": "+33611000998",
                "body": "Duret history newest",
                "company_id": self.company.id,
                "duret_not_before": fields.Datetime.now() + timedelta(days=2),
            }
        )
        self.assertEqual(deferred.state, "outgoing")
        self.start_tour(
            self.action_url("duret_sms.sms_sms_action"), "duret_sms_history", login="admin"
        )
        self.assertEqual(deferred.state, "canceled")

    def test_urgent_dispatch_from_the_header_button(self):
        customer = self.env["res.partner"].create(
            {"name": "Panne Tournée", "mobile": MOBILE, "city": "Lyon"}
        )
        self.start_tour(self.url(customer), "duret_sms_dispatch_header", login="admin")

    def test_reporting_views_open(self):
        self.start_tour(
            self.action_url("duret_sms.duret_sms_report_action"),
            "duret_sms_reporting",
            login="admin",
        )
        self.start_tour(
            self.action_url("duret_sms.duret_sms_reminder_report_action"),
            "duret_sms_reminder_reporting",
            login="admin",
        )

    def test_visit_buttons_wait_for_the_start_of_the_appointment(self):
        """Done / Customer absent on the SMS Reminders tab: only once the visit has started
        (the server refuses earlier; the buttons must not be offered)."""
        arch = self.env["calendar.event"].get_views([(False, "form")])["views"]["form"]["arch"]
        buttons = etree.fromstring(arch).xpath(
            "//field[@name='attendee_ids']//button[@name='action_duret_mark_done' or "
            "@name='action_duret_mark_absent']"
        )
        self.assertEqual(len(buttons), 2)
        for button in buttons:
            self.assertIn("not parent.duret_attendance_open", button.get("invisible"))
