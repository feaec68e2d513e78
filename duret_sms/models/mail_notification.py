from odoo import fields, models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    # SMS refused before hand-over by the sending rules (opt-out list, opt-in, caps) show the
    # same reasons on the message as on the SMS itself.
    failure_type = fields.Selection(
        selection_add=[
            ("sms_blacklist", "Blacklisted"),
            ("sms_optout", "Opted Out"),
            ("sms_duplicate", "Duplicate"),
        ]
    )
