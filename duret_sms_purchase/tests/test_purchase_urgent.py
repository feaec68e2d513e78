import importlib.util
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import file_path, mute_logger

from odoo.addons.duret_sms.tests.common import DuretTwilioCase

MANAGER_NUMBER = "+33655555555"


@tagged("post_install", "-at_install")
class TestPurchaseUrgent(DuretTwilioCase):
    # Real sending hours: these tests are about when SMS may go.
    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.duret_sms_tz = "Europe/Paris"
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Marc Chantier",
                "login": "marc_chantier",
                "groups_id": [Command.set(cls.env.ref("purchase.group_purchase_user").ids)],
            }
        )
        cls.manager.partner_id.write(
            {"mobile": "06 55 55 55 55", "duret_sms_urgent_mobile": "06 55 55 55 55"}
        )
        cls.supplier = cls.env["res.partner"].create({"name": "Rexel Strasbourg"})
        cls.product = cls.env["product.product"].create(
            {"name": "Câble R2V 3G2,5", "type": "consu", "standard_price": 100.0}
        )

    def _order(self, **vals):
        return self.env["purchase.order"].create(
            {
                "partner_id": self.supplier.id,
                "duret_urgent": True,
                "duret_site_manager_id": self.manager.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_qty": 10,
                            "price_unit": 100.0,
                            # 14:30 in Paris (winter)
                            "date_planned": datetime(2025, 1, 20, 13, 30),
                        }
                    )
                ],
                **vals,
            }
        )

    def _sms(self, order):
        return (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "purchase.order"),
                    ("mail_message_id.res_id", "=", order.id),
                ]
            )
        )

    @freeze_time("2025-01-17 22:15:00")  # 23:15 in Paris: staff alerts go at any hour
    def test_urgent_order_confirmed_sends_sms_to_site_manager(self):
        order = self._order()
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        sms = self._sms(order)
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number, MANAGER_NUMBER)
        self.assertEqual(sms.duret_category, "internal_urgent")
        self.assertEqual(
            sms.body,
            f"URGENT Cde {order.name} confirmée : Rexel Strasbourg, "
            "livraison prévue le 20/01/2025 à 14h30",
        )
        self.run_queue()
        sent = self.sim_messages_to(MANAGER_NUMBER)
        self.assertEqual([m["body"] for m in sent], [sms.body])

    def test_not_urgent_or_switched_off_sends_nothing(self):
        order = self._order(duret_urgent=False)
        order.button_confirm()
        self.assertFalse(self._sms(order))
        self.company.duret_sms_purchase_urgent = False
        order = self._order()
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertFalse(self._sms(order))

    def test_site_manager_defaults_to_buyer_and_is_kept(self):
        order = self.env["purchase.order"].create({"partner_id": self.supplier.id})
        self.assertEqual(order.user_id, self.env.user)
        self.assertEqual(order.duret_site_manager_id, self.env.user)
        order.duret_site_manager_id = self.manager
        order.user_id = self.env.ref("base.user_admin")
        self.assertEqual(order.duret_site_manager_id, self.manager)

    def test_missing_mobile_blocks_confirmation_with_clear_error(self):
        self.manager.partner_id.write({"duret_sms_urgent_mobile": False})
        order = self._order()
        with self.assertRaisesRegex(
            UserError, "Marc Chantier, site manager of .* no Urgent SMS Mobile"
        ):
            order.button_confirm()
        self.assertEqual(order.state, "draft")
        order.duret_site_manager_id = False
        with self.assertRaisesRegex(UserError, "has no site manager"):
            order.button_confirm()

    def test_sms_goes_at_approval_when_approval_is_required(self):
        self.company.write({"po_double_validation": "two_step", "po_double_validation_amount": 10})
        buyer = self.env["res.users"].create(
            {
                "name": "Acheteur",
                "login": "acheteur_duret",
                "groups_id": [Command.set(self.env.ref("purchase.group_purchase_user").ids)],
            }
        )
        order = self._order().with_user(buyer)
        order.button_confirm()
        self.assertEqual(order.state, "to approve")
        self.assertFalse(self._sms(order))
        order.with_user(self.env.user).button_approve()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(len(self._sms(order)), 1)

    # Issue 17 #1: the alert text is edited by SMS Officers; placeholders only read fields.

    def test_alert_text_reads_a_ready_made_date_as_before(self):
        path = file_path("duret_sms_purchase/migrations/17.0.1.1.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("duret_sms_purchase_migrate_1_1", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        template = self.env.ref("duret_sms_purchase.sms_template_purchase_urgent_confirmed")
        orders = self._order() | self._order()
        orders[1].order_line.date_planned = False
        orders[1].date_planned = False
        before = self.env["sms.template"]._render_template(
            migration.OLD_BODY, "purchase.order", orders.ids
        )
        after = template.with_context(duret_restricted_render=True)._render_field(
            "body", orders.ids
        )
        self.assertEqual(after, before)
        template.write({"body": migration.OLD_BODY})
        template.flush_recordset()
        migration.migrate(self.env.cr, "17.0.1.0.0")
        self.assertIn("duret_sms_date_planned_text", template.body)

    @freeze_time("2025-01-17 22:15:00")
    def test_officer_code_in_the_alert_never_runs(self):
        officer = new_test_user(
            self.env,
            login="duret_officer_purchase",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )
        template = self.env.ref("duret_sms_purchase.sms_template_purchase_urgent_confirmed")
        payload = (
            "{{ object.env.ref('base.group_system').sudo().write({'users': [(4, "
            + str(officer.id)
            + ")]}) }} {{ object.company_id.twilio_auth_token }}"
        )
        with self.assertRaises(UserError):
            template.with_user(officer).body = payload
        template.with_user(officer).body = "Cde {{ object.name }} : {{ object.partner_id.name }}"
        order = self._order()
        order.button_confirm()
        self.assertEqual(self._sms(order).body, f"Cde {order.name} : Rexel Strasbourg")
        # stored before the check existed
        template.sudo().write({"body": payload, "duret_restricted": True})
        order = self._order()
        with mute_logger("odoo.addons.duret_sms.models.mail_thread"):
            order.button_confirm()
        sms = self._sms(order)
        self.assertEqual(sms.body, f"URGENT Cde {order.name} confirmée : Rexel Strasbourg")
        self.env.invalidate_all()
        self.assertFalse(officer.has_group("base.group_system"))

    @freeze_time("2025-01-19 02:00:00")  # Sunday 03:00 in Paris
    def test_portal_site_manager_is_refused_and_never_marked_staff(self):
        customer = self.env["res.partner"].create(
            {"name": "Client Portail", "mobile": "06 44 44 44 44"}
        )
        portal = self.env["res.users"].create(
            {
                "name": "Client Portail",
                "login": "client_portail_po",
                "partner_id": customer.id,
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        with self.assertRaisesRegex(ValidationError, "only the company's internal users"):
            self._order(duret_site_manager_id=portal.id)
        with self.assertRaisesRegex(ValidationError, "only the company's internal users"):
            self._order().duret_site_manager_id = portal
        order = self._order()
        order.button_confirm()
        self.assertFalse(customer._duret_is_staff())
        self.assertFalse(self._sms(order).filtered(lambda sms: sms.partner_id == customer))

    @freeze_time("2025-01-19 02:00:00")  # Sunday 03:00 in Paris
    def test_site_manager_mobile_set_to_a_customer_number_gets_no_night_alert(self):
        # Any employee may edit a contact's Mobile; the alert goes to the Urgent SMS Mobile.
        customer = self.env["res.partner"].create({"name": "Client", "mobile": "06 44 44 44 44"})
        self.manager.partner_id.mobile = customer.mobile
        order = self._order()
        order.button_confirm()
        self.run_queue()
        self.assertFalse(self.sim_messages_to("+33644444444"))
        self.assertEqual(self._sms(order).number, MANAGER_NUMBER)
