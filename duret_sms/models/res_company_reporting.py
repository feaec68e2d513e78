import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..core.gateway import GatewayError

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    duret_sms_reminder_template_id = fields.Many2one(
        "sms.template",
        "Reminder Text",
        domain="[('model', '=', 'calendar.attendee')]",
        help="The SMS sent the day before an appointment. The default fits one SMS (160 "
        "characters); a fuller text costs two.",
    )
    duret_sms_noshow_baseline = fields.Float(
        "No-show Rate Without Reminders (%)",
        default=15.0,
        help="The share of appointments customers missed before SMS reminders: the savings are "
        "measured against it.",
    )
    duret_sms_number_cost = fields.Monetary(
        "Twilio Number Cost per Month",
        default=1.0,
        help="What the Twilio phone number or sender costs each month.",
    )
    duret_sms_wasted_trip_cost = fields.Monetary(
        "Cost of a Wasted Trip",
        default=150.0,
        help="What a technician's trip to an absent customer costs (time, travel, lost slot).",
    )

    duret_sms_balance_threshold = fields.Float(
        "Alert Below Twilio Balance",
        default=10.0,
        help="Administrators get an activity when the Twilio balance falls below this amount "
        "(in the account's currency): Twilio stops sending at zero.",
    )
    # Twilio's own figures, fetched by a cron and by the dashboard's refresh button.
    duret_twilio_balance = fields.Float("Twilio Balance", readonly=True, copy=False)
    duret_twilio_currency = fields.Char("Twilio Currency", readonly=True, copy=False)
    duret_twilio_usage_count = fields.Integer(
        "SMS Billed by Twilio This Month", readonly=True, copy=False
    )
    duret_twilio_usage_price = fields.Float(
        "Twilio SMS Usage This Month", readonly=True, copy=False
    )
    duret_twilio_figures_at = fields.Datetime("Twilio Figures On", readonly=True, copy=False)
    duret_twilio_figures_error = fields.Char(
        "Twilio Figures Not Fetched", readonly=True, copy=False
    )

    @api.constrains("duret_sms_noshow_baseline")
    def _check_duret_sms_noshow_baseline(self):
        for company in self:
            if not 0 <= company.duret_sms_noshow_baseline <= 100:
                raise ValidationError(_("The no-show rate is a percentage, from 0 to 100."))

    def _duret_sms_reminder_template(self):
        """The SMS template of this company's appointment reminders."""
        self.ensure_one()
        return self.duret_sms_reminder_template_id or self.env.ref(
            "duret_sms.sms_template_appointment_reminder"
        )

    # ------------------------------------------------------------------
    # Twilio's own figures: balance and this month's usage
    # ------------------------------------------------------------------

    @api.model
    def _cron_duret_twilio_figures(self):
        """Fetch every Twilio company's balance and usage; warn administrators of a low balance."""
        self.search([("duret_sms_provider", "=", "twilio")])._duret_fetch_twilio_figures()

    def _duret_fetch_twilio_figures(self):
        """Fetch the balance and this month's SMS usage from Twilio and keep them on the company.

        A failure is kept, in words, on the company (the dashboard shows it) and never raised.
        """
        for company in self:
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
                company._duret_warn_low_balance()

    def _duret_warn_low_balance(self):
        """One open to-do per administrator on the company's contact (no duplicates)."""
        self.ensure_one()
        admins = self.env.ref("base.group_system").users.filtered(
            lambda user: self in user.company_ids and not user.share
        )
        # Activities live on the company's contact: res.company has no chatter of its own.
        partner = self.partner_id
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
                    company=self.name,
                    balance=self.duret_twilio_balance,
                    currency=self.duret_twilio_currency or "",
                    threshold=self.duret_sms_balance_threshold,
                ),
            )
