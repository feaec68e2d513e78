from odoo import fields, models

from .sms_sms import CATEGORIES


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    duret_category = fields.Selection(
        CATEGORIES,
        "SMS Category",
        default="transactional",
        required=True,
        help="Decides the rules applied to SMS from this template: commercial SMS need consent "
        "and carry an opt-out mention; commercial and dunning SMS are capped per week; internal "
        "urgent alerts to staff may go at any hour.",
    )
