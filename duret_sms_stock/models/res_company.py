from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    duret_sms_receipt_alert = fields.Selection(
        [
            ("never", "Never"),
            ("urgent", "Urgent orders only"),
            ("all", "All purchase orders"),
        ],
        "SMS When Material Is Received",
        default="all",
        required=True,
        help="Tell the purchase order's site manager by SMS when a receipt of the order is "
        "validated (within sending hours).",
    )
