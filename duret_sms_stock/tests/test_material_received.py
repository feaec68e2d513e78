from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.duret_sms.tests.common import DuretTwilioCase

MANAGER_NUMBER = "+33655555555"


@tagged("post_install", "-at_install")
class TestMaterialReceived(DuretTwilioCase):
    # Real sending hours: these tests are about when SMS may go.
    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.duret_sms_tz = "Europe/Paris"
        cls.manager = cls.env["res.users"].create({"name": "Marc Chantier", "login": "marc_rcpt"})
        cls.manager.partner_id.write(
            {"mobile": "06 55 55 55 55", "duret_sms_urgent_mobile": "06 55 55 55 55"}
        )
        cls.supplier = cls.env["res.partner"].create({"name": "Rexel Strasbourg"})
        cls.product = cls.env["product.product"].create(
            {"name": "Tableau électrique", "type": "product", "standard_price": 300.0}
        )

    def _received_order(self, urgent=False):
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.supplier.id,
                "duret_urgent": urgent,
                "duret_site_manager_id": self.manager.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_qty": 2, "price_unit": 300.0}
                    )
                ],
            }
        )
        order.button_confirm()
        picking = order.picking_ids
        self.assertEqual(picking.picking_type_code, "incoming")
        picking.move_ids.quantity = 2
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return order, picking

    def _sms(self, picking):
        return (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "stock.picking"),
                    ("mail_message_id.res_id", "=", picking.id),
                ]
            )
        )

    @freeze_time("2025-01-14 09:00:00")  # 10:00 in Paris, a Tuesday
    def test_validated_receipt_tells_site_manager(self):
        order, picking = self._received_order()
        sms = self._sms(picking)
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number, MANAGER_NUMBER)
        self.assertEqual(sms.duret_category, "transactional")
        self.assertEqual(
            sms.body, f"Matériel reçu pour {order.name} ({picking.name}), disponible au dépôt."
        )
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MANAGER_NUMBER)), 1)

    @freeze_time("2025-01-14 20:30:00")  # 21:30 in Paris: after the sending hours
    def test_receipt_in_the_evening_waits_for_the_morning(self):
        _order, picking = self._received_order()
        self.run_queue()
        self.assertFalse(self.sim_messages_to(MANAGER_NUMBER))
        sms = self._sms(picking)
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(sms.duret_not_before, datetime(2025, 1, 15, 7, 0))  # 8:00 Paris

    def test_setting_never_or_urgent_only(self):
        self.company.duret_sms_receipt_alert = "never"
        _order, picking = self._received_order(urgent=True)
        self.assertFalse(self._sms(picking))
        self.company.duret_sms_receipt_alert = "urgent"
        _order, picking = self._received_order()
        self.assertFalse(self._sms(picking))
        _order, picking = self._received_order(urgent=True)
        self.assertEqual(len(self._sms(picking)), 1)

    def test_missing_mobile_does_not_block_the_receipt_and_is_noted(self):
        self.manager.partner_id.mobile = False
        _order, picking = self._received_order()
        self.assertFalse(self._sms(picking))
        notes = picking.message_ids.filtered(lambda m: "was not told by SMS" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertIn("Marc Chantier", notes.body)
