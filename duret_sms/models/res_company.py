from odoo import api, fields, models, tools

from odoo.addons.base.models.res_partner import _tz_get

from ..services.company_crons import CompanyCronRunner
from ..services.company_settings import CompanySmsSettings
from ..services.public_url import PublicUrl
from ..services.sending_policy import SendingPolicies
from ..services.twilio_account import TwilioAccount, clean_twilio_vals
from ..services.twilio_figures import TwilioFigures
from ..services.twilio_webhooks import SIGNER_FIELDS, load_signers
from ..services.webhook_refusals import WebhookRefusals

PROVIDERS = [
    ("iap", "Odoo IAP"),
    ("twilio", "Twilio"),
    ("sandbox", "Sandbox (no SMS is really sent)"),
]
OWN_PROVIDERS = ("twilio", "sandbox")


class ResCompany(models.Model):
    _inherit = "res.company"

    duret_sms_provider = fields.Selection(
        PROVIDERS,
        string="SMS Provider",
        default="iap",
        required=True,
        help="Odoo IAP: Odoo's own SMS service, untouched. Twilio: every SMS of this company goes "
        "through your Twilio account. Sandbox: nothing leaves Odoo; each SMS is marked delivered "
        "(trials and demos).",
    )
    # Identifiers, figures and refusals are the company's business, not its customers':
    # internal users only (portal users can read their company).
    twilio_account_sid = fields.Char("Twilio Account SID", copy=False, groups="base.group_user")
    # The Auth Token signs webhooks and authenticates every API call: administrators only.
    twilio_auth_token = fields.Char("Twilio Auth Token", copy=False, groups="base.group_system")
    twilio_from_number = fields.Char(
        "Twilio Sender",
        copy=False,
        groups="base.group_user",
        help="A Twilio phone number in E.164 format (+33...), or an alphanumeric sender ID of at "
        "most 11 letters and digits (it cannot receive replies).",
    )
    twilio_messaging_service_sid = fields.Char(
        "Twilio Messaging Service SID",
        copy=False,
        groups="base.group_user",
        help="When set, Twilio picks the sender from this Messaging Service; it wins over the "
        "sender above.",
    )
    duret_sms_can_receive = fields.Boolean(
        "Sender Can Receive Replies",
        compute="_compute_duret_sms_can_receive",
        help="Replies (STOP, ANNULE, OUI) reach Odoo only from a phone number or a Messaging "
        "Service, never from an alphanumeric sender.",
    )

    # Stored: read by every SMS and inbound SMS (holidays, number region) with the company's
    # row, where Odoo's country_id is computed from the address at two queries a request.
    duret_sms_country_code = fields.Char(
        "SMS Country Code", related="partner_id.country_id.code", store=True, readonly=True
    )
    duret_sms_tz = fields.Selection(
        _tz_get,
        "SMS Time Zone",
        default="Europe/Paris",
        required=True,
        help="Sending hours, reminders and briefings follow this time zone.",
    )
    duret_sms_weekday_start = fields.Float("Weekdays From", default=8.0)
    duret_sms_weekday_end = fields.Float("Weekdays Until", default=20.0)
    duret_sms_saturday_start = fields.Float("Saturday From", default=9.0)
    duret_sms_saturday_end = fields.Float("Saturday Until", default=18.0)
    duret_sms_allow_sunday = fields.Boolean(
        "Send on Sundays", help="With Saturday's hours. Off by default (AF2M charter)."
    )
    duret_sms_allow_holidays = fields.Boolean(
        "Send on Public Holidays", help="With Saturday's hours. Off by default."
    )
    duret_sms_alsace_moselle = fields.Boolean(
        "Alsace-Moselle Holidays", help="Good Friday and 26 December are public holidays too."
    )
    duret_sms_cap_commercial = fields.Integer(
        "Commercial SMS per Week",
        default=1,
        help="At most this many commercial SMS per number over 7 days (0: no cap).",
    )
    duret_sms_cap_dunning = fields.Integer(
        "Dunning SMS per Week",
        default=1,
        help="At most this many dunning SMS per number over 7 days (0: no cap).",
    )
    duret_sms_dispatch_horizon = fields.Integer(
        "Technician Busy Within (Hours)",
        default=3,
        help="Urgent dispatch: a technician with an appointment within this many hours from "
        "now is ranked as busy.",
    )
    duret_sms_retention_months = fields.Integer(
        "Keep SMS History (Months)",
        default=24,
        help="SMS and replies older than this are deleted; opt-outs and consents are kept.",
    )
    duret_sms_reminder_hour = fields.Float(
        "Reminder Hour",
        default=17.0,
        help="Appointment reminders and technician briefings go at this time, in the SMS time "
        "zone, on the last open day before the appointment.",
    )
    duret_sms_cancel_alert = fields.Boolean(
        "Text the Technician on Cancellation",
        help="When a customer cancels from the reminder, the technician also gets an SMS.",
    )
    # The visit's other texts (services/visit_messages.py): sending hours and opt-outs apply.
    duret_sms_booking_confirmation = fields.Boolean(
        "Booking Confirmation SMS",
        default=True,
        help="An SMS when an appointment is booked for a later day (not urgent ones).",
    )
    duret_sms_same_day_reminder = fields.Boolean(
        "Same-Morning Reminder", help="A second reminder the morning of the visit."
    )
    duret_sms_thank_you = fields.Boolean(
        "Thank-You SMS", help="When the visit is marked done: thanks, and a 1-5 rating page."
    )
    # Self-service rescheduling from the reminder's page (services/reschedule.py).
    duret_sms_reschedule = fields.Boolean("Customers Reschedule Online", default=True)
    duret_sms_reschedule_delay = fields.Integer("Online Until (Hours Before)", default=24)
    duret_sms_reschedule_slots = fields.Integer("Slots Offered", default=8)
    duret_sms_reschedule_buffer = fields.Integer("Travel Buffer (Minutes)", default=30)

    # Appointment reminders and the savings report.
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
    duret_twilio_balance = fields.Float(
        "Twilio Balance", readonly=True, copy=False, groups="base.group_user"
    )
    duret_twilio_currency = fields.Char(
        "Twilio Currency", readonly=True, copy=False, groups="base.group_user"
    )
    duret_twilio_usage_count = fields.Integer(
        "SMS Billed by Twilio This Month", readonly=True, copy=False, groups="base.group_user"
    )
    duret_twilio_usage_price = fields.Float(
        "Twilio SMS Usage This Month", readonly=True, copy=False, groups="base.group_user"
    )
    duret_twilio_figures_at = fields.Datetime(
        "Twilio Figures On", readonly=True, copy=False, groups="base.group_user"
    )
    duret_twilio_figures_error = fields.Char(
        "Twilio Figures Not Fetched", readonly=True, copy=False, groups="base.group_user"
    )

    # Administrators only: a technical error's text may show internals.
    duret_sms_cron_error = fields.Text(
        "Last SMS Automation Error",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="Why an automatic SMS task (sending queue, reminders, prices, retention, dunning) "
        "failed for this company the last time it ran. Cleared when that task runs again "
        "without error.",
    )
    duret_sms_cron_error_task = fields.Char(
        "Failed SMS Task", readonly=True, copy=False, groups="base.group_system"
    )
    duret_sms_cron_error_at = fields.Datetime(
        "SMS Automation Error On", readonly=True, copy=False, groups="base.group_system"
    )
    duret_sms_webhook_refused_at = fields.Datetime(
        "Last Refused Twilio Webhook", readonly=True, copy=False, groups="base.group_user"
    )
    duret_sms_webhook_refused_reason = fields.Char(
        "Why It Was Refused", readonly=True, copy=False, groups="base.group_user"
    )

    # ------------------------------------------------------------------
    # Computes and constraints (settings checks: services/company_settings.py)
    # ------------------------------------------------------------------

    @api.depends("twilio_from_number", "twilio_messaging_service_sid", "duret_sms_provider")
    def _compute_duret_sms_can_receive(self):
        for company in self:
            company.duret_sms_can_receive = (
                company.duret_sms_provider in OWN_PROVIDERS
                # The identifiers are for internal users; whether replies arrive is not secret.
                and TwilioAccount(company.sudo()).can_receive()
            )

    @api.constrains("twilio_account_sid", "twilio_from_number", "twilio_messaging_service_sid")
    def _check_duret_twilio_identifiers(self):
        for company in self:
            TwilioAccount(company).check_identifiers()

    @api.constrains(
        "duret_sms_weekday_start",
        "duret_sms_weekday_end",
        "duret_sms_saturday_start",
        "duret_sms_saturday_end",
    )
    def _check_duret_sms_hours(self):
        CompanySmsSettings(self.env).check_hours(self)

    @api.constrains("duret_sms_reminder_hour")
    def _check_duret_sms_reminder_hour(self):
        CompanySmsSettings(self.env).check_reminder_hour(self)

    @api.constrains("duret_sms_alsace_moselle", "country_id")
    def _check_duret_sms_alsace_moselle(self):
        CompanySmsSettings(self.env).check_alsace_moselle(self)

    @api.constrains(
        "duret_sms_cap_commercial",
        "duret_sms_cap_dunning",
        "duret_sms_retention_months",
        "duret_sms_dispatch_horizon",
    )
    def _check_duret_sms_counts(self):
        CompanySmsSettings(self.env).check_counts(self)

    @api.constrains("duret_sms_noshow_baseline")
    def _check_duret_sms_noshow_baseline(self):
        CompanySmsSettings(self.env).check_noshow_baseline(self)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create([clean_twilio_vals(vals) for vals in vals_list])
        self.env.registry.clear_cache()  # _duret_webhook_signers
        return companies

    def write(self, vals):
        result = super().write(clean_twilio_vals(vals))
        if SIGNER_FIELDS.intersection(vals):
            # _duret_sms_provider_cached, _duret_webhook_signers (every worker: signalled)
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # _duret_webhook_signers
        return result

    # ------------------------------------------------------------------
    # Provider and Twilio account (services/twilio_account.py)
    # ------------------------------------------------------------------

    def _duret_sms_uses_own_provider(self):
        self.ensure_one()
        return self._duret_sms_provider_cached(self.id) in OWN_PROVIDERS

    @api.model
    @tools.ormcache("company_id")
    def _duret_sms_provider_cached(self, company_id):
        """The SMS provider of a company, cached for the registry: ``sms.sms._send`` asks it
        for every SMS Odoo sends, and must not add a query to Odoo's own SMS paths."""
        return self.sudo().browse(company_id).duret_sms_provider

    def _duret_twilio_gateway(self):
        """Return a core ``TwilioGateway`` for this company.

        :raise UserError: when the Account SID, Auth Token or sender is missing.
        """
        return TwilioAccount(self).gateway()

    def _duret_sms_link(self):
        """Return the ``TwilioLink`` of this company, or None when it uses the sandbox.

        :raise UserError: when Twilio is chosen but not fully configured.
        """
        return TwilioAccount(self).link()

    def _duret_twilio_sender(self):
        """Return ``(from_, messaging_service_sid)``; the Messaging Service wins when set."""
        return TwilioAccount(self).sender()

    @api.model
    @tools.ormcache()
    def _duret_webhook_signers(self):
        """Each company's webhook identity and Auth Token (``services/twilio_webhooks.py``),
        cached for the registry: every webhook request checks a signature."""
        return load_signers(self.sudo())  # Auth Tokens: administrators only

    # ------------------------------------------------------------------
    # Sending rules (services/sending_policy.py)
    # ------------------------------------------------------------------

    def _duret_sms_policy(self, category="transactional"):
        """Return the core ``SendingPolicy`` for SMS of ``category`` from this company (staff
        alerts at any time, everything else within the sending hours)."""
        return SendingPolicies(self).policy(category)

    def _duret_sms_gate_policy(self):
        """Return the core ``GatePolicy`` of this company (hours per category, weekly caps)."""
        return SendingPolicies(self).gate_policy()

    def _duret_sms_reminder_template(self):
        """The SMS template of this company's appointment reminders."""
        self.ensure_one()
        return self.duret_sms_reminder_template_id or self.env.ref(
            "duret_sms.sms_template_appointment_reminder"
        )

    # ------------------------------------------------------------------
    # Automatic tasks (services/company_crons.py, services/twilio_figures.py)
    # ------------------------------------------------------------------

    def _duret_sms_run_isolated(self, task, func, on_error=None):
        """Run ``func(company)`` for each company of ``self``, each in its own unit of work;
        one company's error is recorded on it (Settings) and never stops the others.

        Returns ``{company: func's result}`` for the companies that did not fail; see
        ``CompanyCronRunner.run``.
        """
        return CompanyCronRunner(self.env).run(self, task, func, on_error)

    @api.model
    def _cron_duret_twilio_figures(self):
        """Fetch every Twilio company's balance and usage (simulated for Sandbox companies);
        warn administrators of a low balance."""
        companies = self.search([("duret_sms_provider", "in", ("twilio", "sandbox"))])
        companies._duret_fetch_twilio_figures()

    def _duret_fetch_twilio_figures(self):
        """Fetch the balance and this month's SMS usage from Twilio and keep them on the company.

        A failure is kept, in words, on the company (the dashboard shows it) and never raised.
        """
        TwilioFigures(self.env).fetch(self)

    # ------------------------------------------------------------------
    # Public URL and public pages (services/public_url.py)
    # ------------------------------------------------------------------

    @api.model
    def _duret_public_url(self, path=""):
        """Return the absolute URL of ``path`` at the address Twilio and customers reach Odoo
        at: the SMS setting *Public URL* (see ``PublicUrl.url``)."""
        return PublicUrl(self.env).url(path)

    @api.model
    def _duret_init_public_url(self):
        """Installation: freeze the current ``web.base.url`` as the public URL."""
        PublicUrl(self.env).init()

    @api.model
    def _duret_check_public_url(self, url):
        """Return ``url`` cleaned (no trailing slash); raise UserError when unusable."""
        return PublicUrl(self.env).check(url)

    @api.model
    def _duret_webhook_refused(self, params, signed, public_host):
        """Record on the Twilio company named by ``AccountSid`` that its webhook was refused
        (shown in Settings); see ``WebhookRefusals.record``."""
        WebhookRefusals(self.env).record(params, signed, public_host)

    def _duret_public_contact(self):
        """Return what the customer pages show of this company: its name and phone (see
        ``PublicUrl.public_contact``)."""
        return PublicUrl(self.env).public_contact(self)
