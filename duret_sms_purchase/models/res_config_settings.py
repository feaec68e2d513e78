from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    duret_sms_purchase_urgent = fields.Boolean(
        related="company_id.duret_sms_purchase_urgent", readonly=False
    )
