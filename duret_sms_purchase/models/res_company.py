from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    duret_sms_purchase_urgent = fields.Boolean(
        "SMS on Urgent Purchase Orders",
        default=True,
        help="When an urgent purchase order is confirmed, its site manager gets an SMS at once "
        "(at any hour).",
    )
