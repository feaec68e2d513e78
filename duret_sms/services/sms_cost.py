"""What an SMS costs a company, from the prices Twilio reported (the composer's estimate)."""

from datetime import timedelta

from odoo import fields

# Prices older than this no longer say much about today's tariff.
PRICE_HISTORY = timedelta(days=90)


class SmsCost:
    """``SmsCost(env)``: reads the company's priced SMS in ``env``."""

    def __init__(self, env):
        self.env = env
        self.sms = env["sms.sms"]

    def average_segment_price(self, company):
        """What one SMS segment cost ``company`` lately, from Twilio's own prices.

        Returns ``(amount, res.currency)`` averaged over the priced SMS of the last 90 days,
        or None when none is known yet (a new account, the Sandbox): no guess is shown then.
        """
        # sms.sms has a system-only ACL; only sums are read, for the composer's estimate.
        groups = self.sms.sudo()._read_group(
            [
                ("company_id", "=", company.id),
                ("duret_price_known", "=", True),
                ("duret_price", ">", 0),
                ("duret_segments", ">", 0),
                ("duret_handover_at", ">", fields.Datetime.now() - PRICE_HISTORY),
            ],
            ["duret_price_unit"],
            ["duret_price:sum", "duret_segments:sum"],
        )
        if not groups:
            return None
        unit, price, segments = max(groups, key=lambda g: g[2])  # the usual currency
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", (unit or "EUR").upper())], limit=1)
        )
        if not currency or not segments:
            return None
        return price / segments, currency
