"""sms.sms: the retention cron (history older than each company's retention)."""

import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    @api.model
    def _cron_duret_purge_history(self):
        """Delete SMS and replies older than each company's retention (months); opt-outs and
        consents stay (they are the proof the rules need).

        Only finished SMS go: queued, deferred or in-flight ones are kept whatever their age.
        """
        companies = self.env["res.company"].sudo().search([("duret_sms_retention_months", ">", 0)])
        companies._duret_sms_run_isolated("retention", self._duret_purge_company_history)

    @api.model
    def _duret_purge_company_history(self, company):
        limit = fields.Datetime.now() - relativedelta(months=company.duret_sms_retention_months)
        old_sudo = self.sudo().search(
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
