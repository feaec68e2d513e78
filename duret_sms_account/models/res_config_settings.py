from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    duret_sms_dunning = fields.Boolean(related="company_id.duret_sms_dunning", readonly=False)
    duret_sms_dunning_delay = fields.Integer(
        related="company_id.duret_sms_dunning_delay", readonly=False
    )
    duret_sms_dunning_max = fields.Integer(
        related="company_id.duret_sms_dunning_max", readonly=False
    )
