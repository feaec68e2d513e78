import logging

from odoo import _, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """Validate as usual, then tell each received order's site manager by SMS."""
        result = super()._action_done()
        self._duret_sms_material_received()
        return result

    def _duret_sms_receipt_to_notify(self):
        self.ensure_one()
        alert = self.company_id.duret_sms_receipt_alert
        order = self.purchase_id
        return (
            self.picking_type_code == "incoming"
            and self.state == "done"
            and order
            and (alert == "all" or (alert == "urgent" and order.duret_urgent))
        )

    def _duret_sms_material_received(self):
        """SMS "material received" for the done incoming receipts of purchase orders.

        A missing site manager or mobile never blocks the receipt (the goods are in the
        depot either way): it is written in the receipt's chatter for the staff to fix.
        """
        template = self.env.ref(
            "duret_sms_stock.sms_template_stock_material_received", raise_if_not_found=False
        )
        for picking in self.filtered(lambda p: p._duret_sms_receipt_to_notify()):
            order = picking.purchase_id
            try:
                number = order._duret_site_manager_number()
            except UserError as error:
                _logger.info("No receipt SMS for %s: %s", picking.name, error)
                picking.message_post(
                    body=_(
                        "The site manager was not told by SMS that this material was "
                        "received: %(reason)s",
                        reason=str(error),
                    )
                )
                continue
            manager_partner = order.duret_site_manager_id.partner_id
            # Transactional: follows the sending hours (a receipt at 21:00 is told at 8:00).
            picking.with_context(
                duret_sms_category="transactional", mail_notify_author=True
            )._message_sms_with_template(
                template=template,
                template_fallback="Matériel reçu pour {{ object.purchase_id.name }} "
                "({{ object.name }}), disponible au dépôt.",
                partner_ids=manager_partner.ids,
                sms_pid_to_number={manager_partner.id: number},
            )
