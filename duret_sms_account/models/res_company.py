from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # Off by default: installing the module must not start texting every overdue customer.
    duret_sms_dunning = fields.Boolean(
        "Dunning SMS",
        help="Customer invoices still unpaid some days after their due date get a polite SMS "
        "(Twilio or Sandbox provider only: they follow the sending hours and weekly limit).",
    )
    duret_sms_dunning_delay = fields.Integer(
        "Days After Due Date",
        default=30,
        help="The first dunning SMS goes this many days after the invoice's due date.",
    )
    duret_sms_dunning_max = fields.Integer(
        "Dunning SMS per Invoice",
        default=3,
        help="At most this many dunning SMS for one invoice, one a week at most.",
    )
