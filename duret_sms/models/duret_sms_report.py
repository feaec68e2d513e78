from odoo import api, fields, models

from ..services.sms_cost import CALLING_CODE_RE, last_segment_price_sql
from .sms_sms import CATEGORIES, KINDS


class DuretSmsReport(models.Model):
    """SMS analysis: one row per SMS of the history, with its cost in the company's currency.

    The cost is Twilio's price once known (fetched after sending), converted at the rate of the
    SMS's date; until then it is estimated as segments x the price per segment of
    ``services/sms_cost.py`` (the one estimate, shared with the composer), and the row says so.
    """

    _name = "duret.sms.report"
    _description = "SMS Analysis"
    _auto = False
    _rec_name = "date"
    _order = "date desc"

    date = fields.Datetime("Date", readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Currency", readonly=True)
    user_id = fields.Many2one("res.users", "Sent By", readonly=True)
    partner_id = fields.Many2one("res.partner", "Recipient", readonly=True)
    category = fields.Selection(CATEGORIES, "Category", readonly=True)
    kind = fields.Selection(
        KINDS, "Visit Message", readonly=True, help="Which of the visit's SMS this one is."
    )
    state = fields.Selection(selection="_selection_state", string="Status", readonly=True)
    failure_type = fields.Selection(
        selection="_selection_failure_type", string="Failure Type", readonly=True
    )
    provider = fields.Selection(
        [("twilio", "Twilio"), ("sandbox", "Sandbox")], "Sent Through", readonly=True
    )
    is_reminder = fields.Boolean("Appointment Reminder", readonly=True)
    cost_estimated = fields.Boolean(
        "Cost Estimated",
        readonly=True,
        help="Twilio has not told the price yet: segments x the last price per segment for "
        "this country.",
    )
    sms_count = fields.Integer("SMS", readonly=True)
    segments = fields.Integer("Segments", readonly=True)
    cost = fields.Monetary("Cost", readonly=True)
    estimated_cost = fields.Monetary(
        "Of Which Estimated", readonly=True, help="The part of the cost Twilio has not priced yet."
    )
    delivered_count = fields.Integer("Delivered", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True)
    delivery_rate = fields.Float(
        "Delivery Rate (%)",
        readonly=True,
        group_operator="avg",
        help="Delivered SMS among those handed to the provider that reached a final status "
        "(delivered, or failed after hand-over).",
    )

    @api.model
    def _selection_state(self):
        return self.env["sms.sms"]._fields["state"]._description_selection(self.env)

    @api.model
    def _selection_failure_type(self):
        return self.env["sms.sms"]._fields["failure_type"]._description_selection(self.env)

    @property
    def _table_query(self):
        # Twilio answers prices in its own currency (price_unit), converted at the SMS's date
        # the way res.currency._get_rates picks a rate (company's first, latest before the
        # date, 1.0 when none).
        rate = """COALESCE((SELECT r.rate FROM res_currency_rate r
                WHERE r.currency_id = {currency} AND r.name <= c.create_date::date
                    AND (r.company_id IS NULL OR r.company_id = c.company_id)
                ORDER BY r.company_id, r.name DESC LIMIT 1), 1.0)"""
        to_rate = rate.format(currency="company.currency_id")
        from_rate = rate.format(currency="from_currency.id")
        last_price = last_segment_price_sql("p.company_id", "p.calling_code", "p.create_date")
        return f"""
            WITH priced AS (
                SELECT s.*,
                    substring(s.number from '{CALLING_CODE_RE}') AS calling_code,
                    (s.duret_provider = 'twilio' AND s.twilio_sid IS NOT NULL
                        AND NOT COALESCE(s.duret_price_known, FALSE)
                        AND COALESCE(s.twilio_status, '') NOT IN ('failed', 'canceled')
                        AND s.state IN ('process', 'pending', 'sent', 'error')) AS to_estimate
                FROM sms_sms s
                WHERE NOT COALESCE(s.to_delete, FALSE)
            ),
            costed AS (
                SELECT p.*,
                    CASE WHEN p.to_estimate
                        THEN GREATEST(p.duret_segments, 1) * last.unit_price
                        WHEN p.duret_price_known THEN p.duret_price
                        ELSE 0 END AS price,
                    CASE WHEN p.to_estimate THEN last.unit ELSE p.duret_price_unit END AS unit,
                    p.to_estimate AND last.unit_price IS NOT NULL AS estimated
                FROM priced p
                -- only the rows to estimate run the look-up (a one-time filter per row)
                LEFT JOIN LATERAL (
                    SELECT * FROM ({last_price}) price WHERE p.to_estimate
                ) last ON TRUE
            )
            SELECT c.id,
                c.create_date AS date,
                c.company_id,
                company.currency_id,
                c.create_uid AS user_id,
                c.partner_id,
                c.duret_category AS category,
                COALESCE(c.duret_kind,
                    CASE WHEN c.duret_is_reminder THEN 'reminder' END) AS kind,
                c.state,
                c.failure_type,
                c.duret_provider AS provider,
                COALESCE(c.duret_is_reminder, FALSE) AS is_reminder,
                COALESCE(c.estimated, FALSE) AS cost_estimated,
                1 AS sms_count,
                c.duret_segments AS segments,
                COALESCE(c.price, 0) * conversion.factor AS cost,
                CASE WHEN c.estimated THEN c.price * conversion.factor ELSE 0 END
                    AS estimated_cost,
                CASE WHEN c.state = 'sent' THEN 1 ELSE 0 END AS delivered_count,
                CASE WHEN c.state = 'error' THEN 1 ELSE 0 END AS failed_count,
                CASE WHEN c.state = 'sent' THEN 100.0
                    WHEN c.state = 'error' AND c.duret_handover_at IS NOT NULL THEN 0.0
                    END AS delivery_rate
            FROM costed c
            JOIN res_company company ON company.id = c.company_id
            LEFT JOIN res_currency from_currency ON from_currency.name = upper(c.unit)
            CROSS JOIN LATERAL (
                SELECT CASE WHEN from_currency.id IS NULL
                        OR from_currency.id = company.currency_id THEN 1.0
                    ELSE {to_rate} / {from_rate} END AS factor
            ) conversion
        """
