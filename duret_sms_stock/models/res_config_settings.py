from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    duret_sms_receipt_alert = fields.Selection(
        related="company_id.duret_sms_receipt_alert", readonly=False, required=True
    )
