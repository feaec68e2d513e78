from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.public_url import PUBLIC_URL_PARAM

# The time zones of France and its overseas departments and territories, in a short list; any
# other zone remains available under "Other time zone".
FRENCH_TIME_ZONES = [
    ("Europe/Paris", "Metropolitan France (Paris)"),
    ("America/Guadeloupe", "Guadeloupe, Saint-Martin, Saint-Barthélemy"),
    ("America/Martinique", "Martinique"),
    ("America/Cayenne", "French Guiana"),
    ("Indian/Reunion", "Réunion"),
    ("Indian/Mayotte", "Mayotte"),
    ("America/Miquelon", "Saint Pierre and Miquelon"),
    ("Pacific/Noumea", "New Caledonia"),
    ("Pacific/Tahiti", "French Polynesia (Tahiti)"),
    ("Pacific/Wallis", "Wallis and Futuna"),
]


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Prefixed: mail already has twilio_account_sid/twilio_account_token settings (Discuss
    # ICE servers, stored as system parameters); reusing the names would override them.

    duret_sms_provider = fields.Selection(
        related="company_id.duret_sms_provider", readonly=False, required=True
    )
    duret_twilio_account_sid = fields.Char(
        "SMS Twilio Account SID", related="company_id.twilio_account_sid", readonly=False
    )
    duret_twilio_auth_token = fields.Char(
        related="company_id.twilio_auth_token", readonly=False, groups="base.group_system"
    )
    duret_twilio_from_number = fields.Char(related="company_id.twilio_from_number", readonly=False)
    duret_twilio_messaging_service_sid = fields.Char(
        related="company_id.twilio_messaging_service_sid", readonly=False
    )
    duret_sms_can_receive = fields.Boolean(related="company_id.duret_sms_can_receive")
    duret_sms_cron_error = fields.Text(related="company_id.duret_sms_cron_error")
    duret_sms_cron_error_at = fields.Datetime(related="company_id.duret_sms_cron_error_at")
    duret_sms_tz = fields.Selection(related="company_id.duret_sms_tz", readonly=False)
    duret_sms_tz_zone = fields.Selection(
        [*FRENCH_TIME_ZONES, ("other", "Other time zone")],
        "Time Zone",
        compute="_compute_duret_sms_tz_zone",
        readonly=False,
        help="Sending hours, reminders and briefings follow this time zone.",
    )
    duret_sms_weekday_start = fields.Float(
        related="company_id.duret_sms_weekday_start", readonly=False
    )
    duret_sms_weekday_end = fields.Float(related="company_id.duret_sms_weekday_end", readonly=False)
    duret_sms_saturday_start = fields.Float(
        related="company_id.duret_sms_saturday_start", readonly=False
    )
    duret_sms_saturday_end = fields.Float(
        related="company_id.duret_sms_saturday_end", readonly=False
    )
    duret_sms_allow_sunday = fields.Boolean(
        related="company_id.duret_sms_allow_sunday", readonly=False
    )
    duret_sms_allow_holidays = fields.Boolean(
        related="company_id.duret_sms_allow_holidays", readonly=False
    )
    duret_sms_alsace_moselle = fields.Boolean(
        related="company_id.duret_sms_alsace_moselle", readonly=False
    )
    duret_sms_cap_commercial = fields.Integer(
        related="company_id.duret_sms_cap_commercial", readonly=False
    )
    duret_sms_cap_dunning = fields.Integer(
        related="company_id.duret_sms_cap_dunning", readonly=False
    )
    duret_sms_dispatch_horizon = fields.Integer(
        related="company_id.duret_sms_dispatch_horizon", readonly=False
    )
    duret_sms_retention_months = fields.Integer(
        related="company_id.duret_sms_retention_months", readonly=False
    )
    duret_sms_reminder_hour = fields.Float(
        related="company_id.duret_sms_reminder_hour", readonly=False
    )
    duret_sms_cancel_alert = fields.Boolean(
        related="company_id.duret_sms_cancel_alert", readonly=False
    )
    duret_sms_reschedule = fields.Boolean(related="company_id.duret_sms_reschedule", readonly=False)
    duret_sms_reschedule_delay = fields.Integer(
        related="company_id.duret_sms_reschedule_delay", readonly=False
    )
    duret_sms_reschedule_slots = fields.Integer(
        related="company_id.duret_sms_reschedule_slots", readonly=False
    )
    duret_sms_reschedule_buffer = fields.Integer(
        related="company_id.duret_sms_reschedule_buffer", readonly=False
    )
    duret_sms_public_url = fields.Char(
        "Public URL",
        config_parameter=PUBLIC_URL_PARAM,
        help="The address Twilio and your customers reach Odoo at (https://...). Delivery "
        "reports, replies, reminder and unsubscribe links use it; unlike web.base.url, it does "
        "not change when an administrator logs in through another address.",
    )
    duret_sms_public_url_insecure = fields.Boolean(
        "Public URL Not Secure", compute="_compute_duret_sms_public_url_insecure"
    )
    duret_sms_webhook_refused_at = fields.Datetime(
        related="company_id.duret_sms_webhook_refused_at"
    )
    duret_sms_webhook_refused_reason = fields.Char(
        related="company_id.duret_sms_webhook_refused_reason"
    )

    # The visit by SMS (services/visit_messages.py, en_route.py, ratings.py).
    duret_sms_booking_confirmation = fields.Boolean(
        related="company_id.duret_sms_booking_confirmation", readonly=False
    )
    duret_sms_same_day_reminder = fields.Boolean(
        related="company_id.duret_sms_same_day_reminder", readonly=False
    )
    duret_sms_thank_you = fields.Boolean(related="company_id.duret_sms_thank_you", readonly=False)
    duret_sms_same_day_hour = fields.Float(
        "Same-Morning Reminder At",
        config_parameter="duret_sms.same_day_hour",
        default=8.0,
        help="The second reminder goes at this time on the day of the visit...",
    )
    duret_sms_same_day_from = fields.Float(
        "For Visits From",
        config_parameter="duret_sms.same_day_from",
        default=10.0,
        help="...to the customers whose visit starts at or after this time.",
    )
    duret_sms_road_factor = fields.Float(
        "Road Factor",
        config_parameter="duret_sms.road_factor",
        default=1.3,
        help="En route: the road distance is the straight-line distance times this factor.",
    )
    duret_sms_road_speed = fields.Float(
        "Average Speed (km/h)",
        config_parameter="duret_sms.road_speed",
        default=30.0,
        help="En route: the technician's average speed, to compute the arrival time.",
    )
    duret_sms_review_url = fields.Char(
        "Public Review Page",
        config_parameter="duret_sms.review_url",
        help="Customers who rate a visit 4 or 5 are invited to leave a review there (e.g. your "
        "Google Business page). Empty: no invitation.",
    )

    # Reporting (SMS > Reporting) and the Twilio balance alert.
    duret_sms_reminder_template_id = fields.Many2one(
        related="company_id.duret_sms_reminder_template_id", readonly=False
    )
    duret_sms_noshow_baseline = fields.Float(
        related="company_id.duret_sms_noshow_baseline", readonly=False
    )
    # Own name: Invoicing adds a currency_id of its own to the settings.
    duret_sms_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Reporting Currency"
    )
    duret_sms_number_cost = fields.Monetary(
        related="company_id.duret_sms_number_cost",
        readonly=False,
        currency_field="duret_sms_currency_id",
    )
    duret_sms_wasted_trip_cost = fields.Monetary(
        related="company_id.duret_sms_wasted_trip_cost",
        readonly=False,
        currency_field="duret_sms_currency_id",
    )
    duret_sms_balance_threshold = fields.Float(
        related="company_id.duret_sms_balance_threshold", readonly=False
    )

    @api.depends("duret_sms_tz")
    def _compute_duret_sms_tz_zone(self):
        french = dict(FRENCH_TIME_ZONES)
        for settings in self:
            settings.duret_sms_tz_zone = (
                settings.duret_sms_tz if settings.duret_sms_tz in french else "other"
            )

    @api.depends("duret_sms_public_url")
    def _compute_duret_sms_public_url_insecure(self):
        for settings in self:
            url = settings.duret_sms_public_url or ""
            settings.duret_sms_public_url_insecure = bool(url) and urlsplit(url).scheme != "https"

    @api.onchange("duret_sms_tz_zone")
    def _onchange_duret_sms_tz_zone(self):
        if self.duret_sms_tz_zone and self.duret_sms_tz_zone != "other":
            self.duret_sms_tz = self.duret_sms_tz_zone

    @api.model
    def get_values(self):
        values = super().get_values()
        if not values.get("duret_sms_public_url"):
            # Filled from web.base.url: saving the settings then makes it deliberate.
            values["duret_sms_public_url"] = self.env["res.company"]._duret_public_url()
        return values

    def _duret_check_twilio_complete(self):
        """Twilio cannot send without its credentials and a sender: say which are missing
        rather than save a provider that fails on the first SMS."""
        for settings in self.filtered(lambda s: s.duret_sms_provider == "twilio"):
            missing = []
            if not (settings.duret_twilio_account_sid or "").strip():
                missing.append(_("the Account SID"))
            if not (settings.sudo().duret_twilio_auth_token or "").strip():
                missing.append(_("the Auth Token"))
            if not (
                (settings.duret_twilio_from_number or "").strip()
                or (settings.duret_twilio_messaging_service_sid or "").strip()
            ):
                missing.append(_("a sender (number or Messaging Service SID)"))
            if missing:
                raise UserError(
                    _(
                        "Twilio cannot send SMS without %(missing)s. Copy them from the Twilio "
                        "Console (Account Info), or choose another SMS provider.",
                        missing=", ".join(missing),
                    )
                )

    def set_values(self):
        self._duret_check_twilio_complete()
        for settings in self:
            settings.duret_sms_public_url = self.env["res.company"]._duret_check_public_url(
                settings.duret_sms_public_url
            )
        return super().set_values()

    def action_duret_sms_open_test_wizard(self):
        self.ensure_one()
        # The button says so ("Save and send a test SMS"): the test uses the settings shown.
        self.execute()
        return {
            "type": "ir.actions.act_window",
            "name": _("Send a test SMS"),
            "res_model": "duret.sms.test.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_company_id": self.company_id.id},
        }
