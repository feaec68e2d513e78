"""What an SMS segment costs before Twilio prices it: one definition, two readers.

The estimate is the last price per segment Twilio charged the company for the same destination
country (the number's calling code), among the SMS priced in the 90 days before the moment of
the estimate. The SMS analysis (``duret.sms.report``, a SQL view) embeds it per row, the moment
being the SMS's creation; the composer and the template counter ask it for now.
"""

from datetime import timedelta

from odoo import fields

# Prices older than this no longer say much about today's tariff.
PRICE_HISTORY = timedelta(days=90)

# The ITU calling code of an E.164 number (+33..., +1..., +212...): 1 and 7 have one digit, the
# two-digit codes are listed, every other one has three. Prices are per destination country.
# The alternatives never share a prefix: PostgreSQL's regex takes the longest match, so a
# catch-all three-digit branch would read +33 6... as "336".
CALLING_CODE_RE = (
    r"^\+(1|7|2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]"
    r"|2[1-689]\d|3[578]\d|42\d|5[09]\d|6[7-9]\d|8[035789]\d|9[679]\d)"
)

# {company}, {calling_code} and {at} are SQL expressions: columns of the analysis view, or %s
# parameters for the composer. {days} is PRICE_HISTORY, a constant.
_LAST_SEGMENT_PRICE_SQL = """
    SELECT k.duret_price / k.duret_segments AS unit_price, k.duret_price_unit AS unit
    FROM sms_sms k
    WHERE k.duret_price_known AND k.duret_price > 0 AND k.duret_segments > 0
        AND k.company_id = {company}
        AND substring(k.number from '{calling_code_re}') = {calling_code}
        AND COALESCE(k.duret_handover_at, k.create_date) >= {at} - interval '{days} days'
    ORDER BY k.duret_status_at DESC NULLS LAST, k.id DESC
    LIMIT 1
"""


def last_segment_price_sql(company, calling_code, at):
    """The SELECT giving ``(unit_price, unit)`` for the estimate, on the given SQL expressions.

    Only constants and the caller's own SQL expressions go in: values come as %s parameters.
    """
    return _LAST_SEGMENT_PRICE_SQL.format(
        company=company,
        calling_code=calling_code,
        at=at,
        calling_code_re=CALLING_CODE_RE,
        days=PRICE_HISTORY.days,
    )


class SmsCost:
    """``SmsCost(env)``: the estimate for a company and a destination, as of now."""

    def __init__(self, env):
        self.env = env

    def segment_price(self, company, number=None):
        """What one SMS segment to ``number`` costs ``company`` today (see the module's rule).

        ``number`` is an E.164 number; without one, the company's own country is assumed.
        Returns ``(amount, res.currency)``, or None when no price is known yet (a new account,
        the Sandbox, a new destination): no guess is shown then.
        """
        calling_code = self._calling_code(company, number)
        if not calling_code:
            return None
        # sms.sms has a system-only ACL: only the last price of this company is read.
        self.env.flush_all()
        self.env.cr.execute(
            last_segment_price_sql("%s", "%s", "%s"),
            (company.id, calling_code, fields.Datetime.now()),
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        unit_price, unit = row
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", (unit or "EUR").upper())], limit=1)
        )
        return (unit_price, currency) if currency else None

    def _calling_code(self, company, number):
        if number and number.startswith("+"):
            self.env.cr.execute("SELECT substring(%s from %s)", (number, CALLING_CODE_RE))
            return self.env.cr.fetchone()[0]
        country = company.country_id or company.partner_id.country_id
        return str(country.phone_code) if country.phone_code else None
