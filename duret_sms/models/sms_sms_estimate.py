from datetime import timedelta

from odoo import _, api, fields, models

# Prices older than this no longer say much about today's tariff.
PRICE_HISTORY = timedelta(days=90)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    @api.model
    def _duret_average_segment_price(self, company):
        """What one SMS segment cost ``company`` lately, from Twilio's own prices.

        Returns ``(amount, res.currency)`` averaged over the priced SMS of the last 90 days,
        or None when none is known yet (a new account, the Sandbox): no guess is shown then.
        """
        # sms.sms has a system-only ACL; only sums are read, for the composer's estimate.
        groups = self.sudo()._read_group(
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

    def _duret_reason_in_user_lang(self):
        """Why the sending rules cancelled this SMS, said again in the reader's language (the
        stored reason is in the language of the queue's user); None when not one of those."""
        self.ensure_one()
        if self.state != "canceled":
            return None
        if self.failure_type == "sms_blacklist":
            # phone.blacklist has a system-only ACL: this number's entry, to say why.
            entry = self.env["phone.blacklist"].sudo().search([("number", "=", self.number)])
            return entry._duret_optout_reason() if len(entry) == 1 else None
        if self.failure_type == "sms_optout" and self.duret_category == "commercial":
            return _(
                "No consent to commercial SMS recorded for %(who)s: not sent.",
                who=self.partner_id.display_name or self.number,
            )
        return None
