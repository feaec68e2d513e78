from odoo import fields, models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    failure_type = fields.Selection(selection_add=[("sms_no_consent", "No SMS Consent")])
