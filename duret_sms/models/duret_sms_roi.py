from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools.misc import format_date

# The forecast extrapolates the last 30 days over what is left of the year.
RUN_RATE_DAYS = 30


class DuretSmsRoi(models.TransientModel):
    """The SMS return on investment on one screen: what SMS cost this month and this year,
    and what the no-shows they avoid save, from the database (nothing is typed in but the
    three settings: baseline no-show rate, number cost, cost of a wasted trip)."""

    _name = "duret.sms.roi"
    _description = "SMS Return on Investment"

    company_id = fields.Many2one(
        "res.company", "Company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("Month of", required=True, default=fields.Date.context_today)
    baseline_rate = fields.Float(related="company_id.duret_sms_noshow_baseline")
    wasted_trip_cost = fields.Monetary(related="company_id.duret_sms_wasted_trip_cost")

    month_label = fields.Char("Month", compute="_compute_month_label")
    year_label = fields.Char("Year", compute="_compute_month_label")
    month_sms_count = fields.Integer("SMS", compute="_compute_figures")
    month_sms_cost = fields.Monetary("SMS Cost", compute="_compute_figures")
    month_estimated_cost = fields.Monetary("Of Which Estimated", compute="_compute_figures")
    month_number_cost = fields.Monetary("Twilio Number", compute="_compute_figures")
    month_appointments = fields.Integer("Appointments Held", compute="_compute_figures")
    month_no_shows = fields.Integer("No-shows", compute="_compute_figures")
    month_no_show_rate = fields.Float("No-show Rate (%)", compute="_compute_figures")
    month_avoided = fields.Float("No-shows Avoided", compute="_compute_figures")
    month_savings = fields.Monetary("Savings", compute="_compute_figures")
    month_net = fields.Monetary("Net Result", compute="_compute_figures")

    year_sms_cost = fields.Monetary("SMS Cost (Forecast)", compute="_compute_figures")
    year_number_cost = fields.Monetary("Twilio Number (Year)", compute="_compute_figures")
    year_appointments = fields.Integer("Appointments (Forecast)", compute="_compute_figures")
    year_no_show_rate = fields.Float("No-show Rate This Year (%)", compute="_compute_figures")
    year_avoided = fields.Float("No-shows Avoided (Forecast)", compute="_compute_figures")
    year_savings = fields.Monetary("Savings (Forecast)", compute="_compute_figures")
    year_net = fields.Monetary("Net Result (Forecast)", compute="_compute_figures")
    reminded_no_show_rate = fields.Float("No-show Rate, Reminded (%)", compute="_compute_figures")
    not_reminded_no_show_rate = fields.Float(
        "No-show Rate, Not Reminded (%)", compute="_compute_figures"
    )

    twilio_used = fields.Boolean(compute="_compute_twilio")
    twilio_simulated = fields.Boolean(compute="_compute_twilio")
    twilio_balance = fields.Float(related="company_id.duret_twilio_balance")
    twilio_currency = fields.Char(related="company_id.duret_twilio_currency")
    twilio_usage_count = fields.Integer(related="company_id.duret_twilio_usage_count")
    twilio_usage_price = fields.Float(related="company_id.duret_twilio_usage_price")
    twilio_figures_at = fields.Datetime(related="company_id.duret_twilio_figures_at")
    twilio_figures_error = fields.Char(related="company_id.duret_twilio_figures_error")
    twilio_usage_company = fields.Monetary("Billed by Twilio This Month", compute="_compute_twilio")
    odoo_month_cost = fields.Monetary("Odoo's Total This Month", compute="_compute_twilio")
    twilio_difference = fields.Monetary("Difference", compute="_compute_twilio")
    twilio_balance_low = fields.Boolean(compute="_compute_twilio")

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    @api.depends("date")
    def _compute_display_name(self):
        for roi in self:
            roi.display_name = _("SMS Return on Investment")

    @api.depends("date")
    @api.depends_context("lang")
    def _compute_month_label(self):
        for roi in self:
            roi.month_label = format_date(self.env, roi.date, date_format="MMMM y").capitalize()
            roi.year_label = str(roi.date.year) if roi.date else False

    @api.depends("company_id", "date")
    @api.depends_context("uid")
    def _compute_figures(self):
        for roi in self:
            roi.update(roi._duret_figures())

    def _duret_figures(self):
        """All the dashboard's figures for ``date``'s month and year, as field values."""
        self.ensure_one()
        company = self.company_id
        now = fields.Datetime.now()
        month_start = datetime.combine(self.date.replace(day=1), time.min)
        month_end = month_start + relativedelta(months=1)
        year_start = month_start.replace(month=1)
        year_end = year_start + relativedelta(years=1)
        # A past year is known; the current one is what happened so far plus the last 30
        # days' pace over the days left.
        until = min(now, year_end)
        days_left = max((year_end - until).total_seconds() / 86400, 0)
        pace = days_left / RUN_RATE_DAYS
        recent = (until - timedelta(days=RUN_RATE_DAYS), until)

        sms = self._duret_sms_sums
        visits = self._duret_visit_sums
        month_sms = sms(month_start, month_end)
        month_visits = visits(month_start, min(month_end, now))
        year_sms_so_far = sms(year_start, until)["cost"]
        year_sms = year_sms_so_far + sms(*recent)["cost"] * pace
        year_visits = visits(year_start, until)
        recent_visits = visits(*recent)
        year_held = year_visits["held_count"] + recent_visits["held_count"] * pace

        month_rate = self._duret_rate(month_visits)
        year_rate = self._duret_rate(year_visits)
        baseline = company.duret_sms_noshow_baseline
        month_avoided = month_visits["held_count"] * (baseline - month_rate) / 100
        year_avoided = year_held * (baseline - year_rate) / 100
        trip = company.duret_sms_wasted_trip_cost
        number = company.duret_sms_number_cost
        reminded = visits(year_start, until, [("reminder", "!=", "none")])
        not_reminded = visits(year_start, until, [("reminder", "=", "none")])
        return {
            "month_sms_count": month_sms["sms_count"],
            "month_sms_cost": month_sms["cost"],
            "month_estimated_cost": month_sms["estimated_cost"],
            "month_number_cost": number,
            "month_appointments": month_visits["held_count"],
            "month_no_shows": month_visits["no_show_count"],
            "month_no_show_rate": month_rate,
            "month_avoided": month_avoided,
            "month_savings": month_avoided * trip,
            "month_net": month_avoided * trip - month_sms["cost"] - number,
            "year_sms_cost": year_sms,
            "year_number_cost": number * 12,
            "year_appointments": round(year_held),
            "year_no_show_rate": year_rate,
            "year_avoided": year_avoided,
            "year_savings": year_avoided * trip,
            "year_net": year_avoided * trip - year_sms - number * 12,
            "reminded_no_show_rate": self._duret_rate(reminded),
            "not_reminded_no_show_rate": self._duret_rate(not_reminded),
        }

    @api.model
    def _duret_rate(self, sums):
        held = sums["held_count"]
        return 100.0 * sums["no_show_count"] / held if held else 0.0

    def _duret_sms_sums(self, start, end):
        self.env["sms.sms"].flush_model()  # the report reads the table
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", start),
            ("date", "<", end),
        ]
        groups = self.env["duret.sms.report"]._read_group(
            domain, aggregates=["sms_count:sum", "cost:sum", "estimated_cost:sum"]
        )
        count, cost, estimated = groups[0]
        return {"sms_count": count or 0, "cost": cost or 0.0, "estimated_cost": estimated or 0.0}

    def _duret_visit_sums(self, start, end, extra=None):
        self.env["calendar.attendee"].flush_model()  # the report reads the tables
        self.env["calendar.event"].flush_model()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", start),
            ("date", "<", end),
            *(extra or []),
        ]
        groups = self.env["duret.sms.reminder.report"]._read_group(
            domain, aggregates=["held_count:sum", "no_show_count:sum"]
        )
        held, no_shows = groups[0]
        return {"held_count": held or 0, "no_show_count": no_shows or 0}

    @api.depends("company_id", "date")
    @api.depends_context("uid")
    def _compute_twilio(self):
        for roi in self:
            company = roi.company_id
            today = fields.Datetime.now()
            month_start = datetime.combine(today.date().replace(day=1), time.min)
            odoo_cost = roi._duret_sms_sums(month_start, month_start + relativedelta(months=1))
            # Twilio's currency may be inactive in Odoo (nothing else uses it).
            twilio_currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", (company.duret_twilio_currency or "").upper())], limit=1)
            )
            usage = company.duret_twilio_usage_price
            if twilio_currency and twilio_currency != company.currency_id:
                usage = twilio_currency._convert(usage, company.currency_id, company, today.date())
            roi.twilio_used = company.duret_sms_provider in ("twilio", "sandbox")
            roi.twilio_simulated = company.duret_sms_provider == "sandbox"
            roi.twilio_usage_company = usage
            roi.odoo_month_cost = odoo_cost["cost"]
            roi.twilio_difference = usage - odoo_cost["cost"]
            roi.twilio_balance_low = bool(company.duret_twilio_figures_at) and (
                company.duret_twilio_balance < company.duret_sms_balance_threshold
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def action_duret_open(self):
        """Open the dashboard for the current company and month."""
        roi = self.create({})
        return {
            "type": "ir.actions.act_window",
            "name": _("SMS Return on Investment"),
            "res_model": self._name,
            "res_id": roi.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_duret_refresh_twilio(self):
        self.ensure_one()
        # The figures are kept on the company, which only administrators may write; this
        # writes nothing else, and the Auth Token never leaves the gateway.
        company_sudo = self.company_id.sudo()
        company_sudo._duret_fetch_twilio_figures()
        return True

    def action_duret_open_sms_analysis(self):
        return self.env["ir.actions.act_window"]._for_xml_id("duret_sms.duret_sms_report_action")

    def action_duret_open_reminder_analysis(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "duret_sms.duret_sms_reminder_report_action"
        )
