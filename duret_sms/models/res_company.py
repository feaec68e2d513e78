import re
from dataclasses import dataclass
from datetime import time

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..core import gate, gateway, windows

ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
MESSAGING_SERVICE_SID_RE = re.compile(r"^MG[0-9a-fA-F]{32}$")
E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
# AF2M / Twilio alphanumeric sender IDs: at most 11 letters or digits, not only digits.
ALPHANUMERIC_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$")

PROVIDERS = [
    ("iap", "Odoo IAP"),
    ("twilio", "Twilio"),
    ("sandbox", "Sandbox (no SMS is really sent)"),
]
OWN_PROVIDERS = ("twilio", "sandbox")


@dataclass(frozen=True)
class TwilioLink:
    """What a queue run needs to talk to Twilio, read from the database before it commits."""

    gateway: gateway.TwilioGateway
    concurrency: int
    backoff: float


def _float_to_time(value):
    """17.5 → time(17, 30); 24.0 → end of day (windows end exclusive)."""
    if value >= 24:
        return time.max
    minutes = round(value * 60)
    return time(minutes // 60, minutes % 60)


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
    twilio_account_sid = fields.Char("Twilio Account SID", copy=False)
    # The Auth Token signs webhooks and authenticates every API call: administrators only.
    twilio_auth_token = fields.Char("Twilio Auth Token", copy=False, groups="base.group_system")
    twilio_from_number = fields.Char(
        "Twilio Sender",
        copy=False,
        help="A Twilio phone number in E.164 format (+33...), or an alphanumeric sender ID of at "
        "most 11 letters and digits (it cannot receive replies).",
    )
    twilio_messaging_service_sid = fields.Char(
        "Twilio Messaging Service SID",
        copy=False,
        help="When set, Twilio picks the sender from this Messaging Service; it wins over the "
        "sender above.",
    )
    duret_sms_can_receive = fields.Boolean(
        "Sender Can Receive Replies",
        compute="_compute_duret_sms_can_receive",
        help="Replies (STOP, ANNULE, OUI) reach Odoo only from a phone number or a Messaging "
        "Service, never from an alphanumeric sender.",
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

    @api.depends("twilio_from_number", "twilio_messaging_service_sid", "duret_sms_provider")
    def _compute_duret_sms_can_receive(self):
        for company in self:
            company.duret_sms_can_receive = company.duret_sms_provider in OWN_PROVIDERS and bool(
                company.twilio_messaging_service_sid
                or E164_RE.match(company.twilio_from_number or "")
            )

    @api.constrains("twilio_account_sid")
    def _check_twilio_account_sid(self):
        for company in self.filtered("twilio_account_sid"):
            if not ACCOUNT_SID_RE.match(company.twilio_account_sid):
                raise ValidationError(
                    _(
                        "The Twilio Account SID of %(company)s is not valid: it starts with AC "
                        "followed by 32 hexadecimal characters (see the Twilio Console).",
                        company=company.name,
                    )
                )

    @api.constrains("twilio_from_number")
    def _check_twilio_from_number(self):
        for company in self.filtered("twilio_from_number"):
            sender = company.twilio_from_number
            if not (E164_RE.match(sender) or ALPHANUMERIC_SENDER_RE.match(sender)):
                raise ValidationError(
                    _(
                        "The Twilio sender of %(company)s must be a phone number in "
                        "international format (e.g. +33939000000) or an alphanumeric sender of "
                        "at most 11 letters and digits, without spaces, not only digits "
                        "(e.g. DURET).",
                        company=company.name,
                    )
                )

    @api.constrains("twilio_messaging_service_sid")
    def _check_twilio_messaging_service_sid(self):
        for company in self.filtered("twilio_messaging_service_sid"):
            if not MESSAGING_SERVICE_SID_RE.match(company.twilio_messaging_service_sid):
                raise ValidationError(
                    _(
                        "The Twilio Messaging Service SID of %(company)s is not valid: it starts "
                        "with MG followed by 32 hexadecimal characters.",
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._duret_clean_twilio_vals(vals) for vals in vals_list])

    def write(self, vals):
        result = super().write(self._duret_clean_twilio_vals(vals))
        if "duret_sms_provider" in vals:
            self.env.registry.clear_cache()  # _duret_sms_provider_cached
        return result

    @api.model
    def _duret_clean_twilio_vals(self, vals):
        """Strip the spaces people paste around identifiers copied from the Twilio Console."""
        fnames = (
            "twilio_account_sid",
            "twilio_auth_token",
            "twilio_from_number",
            "twilio_messaging_service_sid",
        )
        return {
            key: value.strip() if key in fnames and isinstance(value, str) else value
            for key, value in vals.items()
        }

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
        self.ensure_one()
        # The Auth Token is readable by administrators only; sending on behalf of any user
        # needs it, so it is read here, on this single company, and never returned or logged.
        company_sudo = self.sudo()
        missing = [
            label
            for label, value in (
                (_("Account SID"), company_sudo.twilio_account_sid),
                (_("Auth Token"), company_sudo.twilio_auth_token),
                (
                    _("Sender or Messaging Service"),
                    company_sudo.twilio_from_number or company_sudo.twilio_messaging_service_sid,
                ),
            )
            if not value
        ]
        if missing:
            raise UserError(
                _(
                    "Twilio is not fully configured for %(company)s: missing %(fields)s "
                    "(Settings > General Settings > SMS).",
                    company=self.name,
                    fields=", ".join(missing),
                )
            )
        icp_sudo = self.env["ir.config_parameter"].sudo()
        connect_timeout, read_timeout = gateway.DEFAULT_TIMEOUT
        read_timeout = float(icp_sudo.get_param("duret_sms.twilio_read_timeout", read_timeout))
        return gateway.TwilioGateway(
            company_sudo.twilio_account_sid,
            company_sudo.twilio_auth_token,
            base_url=icp_sudo.get_param("duret_sms.twilio_api_url") or None,
            timeout=(connect_timeout, read_timeout),
        )

    def _duret_sms_link(self):
        """Return the ``TwilioLink`` of this company, or None when it uses the sandbox.

        :raise UserError: when Twilio is chosen but not fully configured.
        """
        self.ensure_one()
        if self.duret_sms_provider != "twilio":
            return None
        icp_sudo = self.env["ir.config_parameter"].sudo()
        return TwilioLink(
            gateway=self._duret_twilio_gateway(),
            concurrency=max(1, int(icp_sudo.get_param("duret_sms.twilio_concurrency", 16))),
            backoff=float(icp_sudo.get_param("duret_sms.twilio_retry_backoff", 0.5)),
        )

    def _duret_twilio_sender(self):
        """Return ``(from_, messaging_service_sid)``; the Messaging Service wins when set."""
        self.ensure_one()
        if self.twilio_messaging_service_sid:
            return None, self.twilio_messaging_service_sid
        return self.twilio_from_number or None, None

    def _duret_twilio_signature_valid(self, url, params, signature):
        """Tell whether ``signature`` is Twilio's signature of ``params`` and ``url`` (or of
        one of the candidate URLs ``url`` lists)."""
        self.ensure_one()
        token = self.sudo().twilio_auth_token
        urls = [url] if isinstance(url, str) else url
        return bool(token) and any(
            gateway.validate_signature(token, candidate, params, signature or "")
            for candidate in urls
        )

    @api.constrains(
        "duret_sms_weekday_start",
        "duret_sms_weekday_end",
        "duret_sms_saturday_start",
        "duret_sms_saturday_end",
    )
    def _check_duret_sms_hours(self):
        for company in self:
            for start, end in (
                (company.duret_sms_weekday_start, company.duret_sms_weekday_end),
                (company.duret_sms_saturday_start, company.duret_sms_saturday_end),
            ):
                if not 0 <= start < end <= 24:
                    raise ValidationError(
                        _("SMS sending hours must go from 0:00 to 24:00, start before end.")
                    )

    def _duret_sms_gate_policy(self):
        """Return the core ``GatePolicy`` of this company (hours per category, weekly caps)."""
        self.ensure_one()
        return gate.GatePolicy(
            default=self._duret_sms_policy("transactional"),
            hours={"internal_urgent": self._duret_sms_policy("internal_urgent")},
            weekly_caps={
                "commercial": self.duret_sms_cap_commercial,
                "dunning": self.duret_sms_cap_dunning,
            },
            region=(self.country_id.code or "FR").upper(),
        )

    @api.constrains("duret_sms_reminder_hour")
    def _check_duret_sms_reminder_hour(self):
        for company in self:
            if not 0 <= company.duret_sms_reminder_hour < 24:
                raise ValidationError(
                    _(
                        "The reminder hour of %(company)s must be between 00:00 and 23:59.",
                        company=company.name,
                    )
                )

    @api.constrains("duret_sms_alsace_moselle", "country_id")
    def _check_duret_sms_alsace_moselle(self):
        for company in self.filtered("duret_sms_alsace_moselle"):
            if company.country_id and company.country_id.code != "FR":
                raise ValidationError(
                    _(
                        "Alsace-Moselle holidays only apply to French companies: untick them "
                        "for %(company)s or set its country to France.",
                        company=company.name,
                    )
                )

    @api.constrains(
        "duret_sms_cap_commercial",
        "duret_sms_cap_dunning",
        "duret_sms_retention_months",
        "duret_sms_dispatch_horizon",
    )
    def _check_duret_sms_counts(self):
        for company in self:
            if (
                min(
                    company.duret_sms_cap_commercial,
                    company.duret_sms_cap_dunning,
                    company.duret_sms_retention_months,
                    company.duret_sms_dispatch_horizon,
                )
                < 0
            ):
                raise ValidationError(
                    _(
                        "Weekly caps, history retention and the urgent dispatch horizon of "
                        "%(company)s cannot be negative (0 means no cap / no purge).",
                        company=company.name,
                    )
                )

    def _duret_sms_policy(self, category="transactional"):
        """Return the core ``SendingPolicy`` for SMS of ``category`` from this company.

        Internal urgent alerts (to staff) may go at any time; every other category follows
        the company's sending hours.
        """
        self.ensure_one()
        if category == "internal_urgent":
            return windows.SendingPolicy(tz=self.duret_sms_tz, always=True)
        saturday = (
            _float_to_time(self.duret_sms_saturday_start),
            _float_to_time(self.duret_sms_saturday_end),
        )
        return windows.SendingPolicy(
            tz=self.duret_sms_tz,
            weekday=(
                _float_to_time(self.duret_sms_weekday_start),
                _float_to_time(self.duret_sms_weekday_end),
            ),
            saturday=saturday,
            sunday=saturday if self.duret_sms_allow_sunday else None,
            holiday=saturday if self.duret_sms_allow_holidays else None,
            country=(self.country_id.code or "FR").upper() if self.country_id else "FR",
            alsace_moselle=self.duret_sms_alsace_moselle,
        )
