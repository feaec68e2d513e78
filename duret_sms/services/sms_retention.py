"""The retention of SMS history: SMS and replies older than each company's retention go."""

import logging

from dateutil.relativedelta import relativedelta

from odoo import fields

_logger = logging.getLogger(__name__)


class SmsRetention:
    """``SmsRetention(env)``: purges in ``env`` (the cron's)."""

    def __init__(self, env):
        self.env = env
        self.sms = env["sms.sms"]

    def purge_history(self):
        """Delete SMS and replies older than each company's retention (months); opt-outs and
        consents stay (they are the proof the rules need). One company at a time, isolated.

        Only finished SMS go: queued, deferred or in-flight ones are kept whatever their age.
        """
        companies = self.env["res.company"].sudo().search([("duret_sms_retention_months", ">", 0)])
        companies._duret_sms_run_isolated("retention", self.purge_company)

    def purge_company(self, company):
        limit = fields.Datetime.now() - relativedelta(months=company.duret_sms_retention_months)
        old_sudo = self.sms.sudo().search(
            [
                ("company_id", "=", company.id),
                ("create_date", "<", limit),
                ("state", "in", ("pending", "sent", "error", "canceled")),
            ]
        )
        replies_sudo = (
            self.env["duret.sms.reply"]
            .sudo()
            .search([("company_id", "=", company.id), ("received_at", "<", limit)])
        )
        _logger.info(
            "SMS retention: deleting %s SMS and %s replies of company %s",
            len(old_sudo),
            len(replies_sudo),
            company.id,
        )
        old_sudo.unlink()
        replies_sudo.unlink()
