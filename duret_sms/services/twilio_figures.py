"""Twilio's own figures of a company: balance and this month's SMS usage, with a to-do for the
administrators when the balance runs low (Twilio stops sending at zero)."""

import logging

from odoo import _, fields
from odoo.exceptions import UserError

from ..core.gateway import GatewayError

_logger = logging.getLogger(__name__)
# The credit a Sandbox company starts with: its simulated balance is this minus what its SMS
# of the month cost, so the dashboard shows Twilio's figures before anyone pays Twilio.
SANDBOX_CREDIT = 20.0


class TwilioFigures:
    """Fetches and keeps the figures on ``res.company`` (``duret_twilio_*`` fields)."""

    def __init__(self, env):
        self.env = env

    def fetch(self, companies):
        """Fetch the balance and this month's SMS usage of each of ``companies`` from Twilio.

        A failure is kept, in words, on the company (the dashboard shows it) and never raised.
        """
        for company in companies:
            if company.duret_sms_provider == "sandbox":
                self.simulate(company)
                continue
            try:
                with company._duret_twilio_gateway() as gateway:
                    figures = gateway.account_figures()
            except (UserError, GatewayError) as error:
                _logger.info("Twilio figures of company %s: %s", company.id, error)
                company.duret_twilio_figures_error = str(error)
                continue
            company.write(
                {
                    "duret_twilio_balance": figures.balance or 0.0,
                    "duret_twilio_currency": figures.currency or figures.sms_price_unit,
                    "duret_twilio_usage_count": figures.sms_count,
                    "duret_twilio_usage_price": figures.sms_price,
                    "duret_twilio_figures_at": fields.Datetime.now(),
                    "duret_twilio_figures_error": False,
                }
            )
            threshold = company.duret_sms_balance_threshold
            if figures.balance is not None and figures.balance < threshold:
                self.warn_low_balance(company)

    def simulate(self, company):
        """Sandbox: Twilio's figures as Twilio would give them for the SMS of this month
        (count and cost of those handed over), from a simulated credit; nothing is fetched."""
        now = fields.Datetime.now()
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        # sms.sms is a system model: the month's totals only.
        sms_sudo = self.env["sms.sms"].sudo()
        (count, price), *_rest = sms_sudo._read_group(
            [
                ("company_id", "in", (company.id, False)),
                ("duret_provider", "=", "sandbox"),
                ("duret_handover_at", ">=", month_start),
            ],
            aggregates=["__count", "duret_price:sum"],
        )
        company.write(
            {
                "duret_twilio_balance": SANDBOX_CREDIT - (price or 0.0),
                "duret_twilio_currency": company.currency_id.name,
                "duret_twilio_usage_count": count,
                "duret_twilio_usage_price": price or 0.0,
                "duret_twilio_figures_at": now,
                "duret_twilio_figures_error": False,
            }
        )

    def warn_low_balance(self, company):
        """One open to-do per administrator on the company's contact (no duplicates)."""
        company.ensure_one()
        admins = self.env.ref("base.group_system").users.filtered(
            lambda user: company in user.company_ids and not user.share
        )
        # Activities live on the company's contact: res.company has no chatter of its own.
        partner = company.partner_id
        todo = self.env.ref("mail.mail_activity_data_todo")
        open_activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("activity_type_id", "=", todo.id),
                ("summary", "=", _("Twilio balance low")),
            ]
        )
        for admin in admins - open_activities.user_id:
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=admin.id,
                summary=_("Twilio balance low"),
                note=_(
                    "The Twilio balance of %(company)s is %(balance).2f %(currency)s, below "
                    "%(threshold).2f. Twilio stops sending SMS at zero: top the account up in "
                    "the Twilio Console (Billing).",
                    company=company.name,
                    balance=company.duret_twilio_balance,
                    currency=company.duret_twilio_currency or "",
                    threshold=company.duret_sms_balance_threshold,
                ),
            )
