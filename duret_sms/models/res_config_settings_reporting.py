from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    duret_sms_reminder_template_id = fields.Many2one(
        related="company_id.duret_sms_reminder_template_id", readonly=False
    )
    duret_sms_noshow_baseline = fields.Float(
        related="company_id.duret_sms_noshow_baseline", readonly=False
    )
    # Own name: Invoicing adds a currency_id of its own to the settings.
    duret_sms_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Reporting Currency"
    )
    duret_sms_number_cost = fields.Monetary(
        related="company_id.duret_sms_number_cost",
        readonly=False,
        currency_field="duret_sms_currency_id",
    )
    duret_sms_wasted_trip_cost = fields.Monetary(
        related="company_id.duret_sms_wasted_trip_cost",
        readonly=False,
        currency_field="duret_sms_currency_id",
    )
    duret_sms_balance_threshold = fields.Float(
        related="company_id.duret_sms_balance_threshold", readonly=False
    )
