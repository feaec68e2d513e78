"""A company's Twilio account as the ORM sees it: the gateway and its settings, the sender.
``res.company._duret_twilio_gateway`` and its siblings are the entry points; the Auth Token is
read here, on one company, and never returned or logged (webhook signatures:
``twilio_webhooks.py``)."""

import re
from dataclasses import dataclass

from odoo import _
from odoo.exceptions import UserError, ValidationError

from ..core import gateway

ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
MESSAGING_SERVICE_SID_RE = re.compile(r"^MG[0-9a-fA-F]{32}$")
E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
# AF2M / Twilio alphanumeric sender IDs: at most 11 letters or digits, not only digits.
ALPHANUMERIC_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$")
# What people paste from the Twilio Console, often with spaces around it.
TWILIO_FIELDS = (
    "twilio_account_sid",
    "twilio_auth_token",
    "twilio_from_number",
    "twilio_messaging_service_sid",
)


@dataclass(frozen=True)
class TwilioLink:
    """What a queue run needs to talk to Twilio, read from the database before it commits."""

    gateway: gateway.TwilioGateway
    concurrency: int
    backoff: float


def clean_twilio_vals(vals):
    """Strip the spaces people paste around identifiers copied from the Twilio Console."""
    return {
        key: value.strip() if key in TWILIO_FIELDS and isinstance(value, str) else value
        for key, value in vals.items()
    }


class TwilioAccount:
    """The Twilio account of one company (``res.company`` record)."""

    def __init__(self, company):
        company.ensure_one()
        self.company = company
        self.env = company.env

    def check_identifiers(self):
        """Raise ValidationError when an identifier set on the company is not one Twilio
        gives (Account SID, sender, Messaging Service SID)."""
        company = self.company
        if company.twilio_account_sid and not ACCOUNT_SID_RE.match(company.twilio_account_sid):
            raise ValidationError(
                _(
                    "The Twilio Account SID of %(company)s is not valid: it starts with AC "
                    "followed by 32 hexadecimal characters (see the Twilio Console).",
                    company=company.name,
                )
            )
        sender = company.twilio_from_number
        if sender and not (E164_RE.match(sender) or ALPHANUMERIC_SENDER_RE.match(sender)):
            raise ValidationError(
                _(
                    "The Twilio sender of %(company)s must be a phone number in "
                    "international format (e.g. +33939000000) or an alphanumeric sender of "
                    "at most 11 letters and digits, without spaces, not only digits "
                    "(e.g. DURET).",
                    company=company.name,
                )
            )
        service_sid = company.twilio_messaging_service_sid
        if service_sid and not MESSAGING_SERVICE_SID_RE.match(service_sid):
            raise ValidationError(
                _(
                    "The Twilio Messaging Service SID of %(company)s is not valid: it starts "
                    "with MG followed by 32 hexadecimal characters.",
                    company=company.name,
                )
            )

    def can_receive(self):
        """Whether replies reach Odoo: from a phone number or a Messaging Service, never from
        an alphanumeric sender."""
        company = self.company
        return bool(
            company.twilio_messaging_service_sid or E164_RE.match(company.twilio_from_number or "")
        )

    def gateway(self):
        """Return a core ``TwilioGateway`` for this company.

        :raise UserError: when the Account SID, Auth Token or sender is missing.
        """
        # The Auth Token is readable by administrators only; sending on behalf of any user
        # needs it, so it is read here, on this single company, and never returned or logged.
        company_sudo = self.company.sudo()
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
                    company=self.company.name,
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

    def link(self):
        """Return the ``TwilioLink`` of this company, or None when it does not use Twilio.

        :raise UserError: when Twilio is chosen but not fully configured.
        """
        if self.company.duret_sms_provider != "twilio":
            return None
        icp_sudo = self.env["ir.config_parameter"].sudo()
        return TwilioLink(
            gateway=self.gateway(),
            concurrency=max(1, int(icp_sudo.get_param("duret_sms.twilio_concurrency", 16))),
            backoff=float(icp_sudo.get_param("duret_sms.twilio_retry_backoff", 0.5)),
        )

    def sender(self):
        """Return ``(from_, messaging_service_sid)``; the Messaging Service wins when set."""
        company = self.company
        if company.twilio_messaging_service_sid:
            return None, company.twilio_messaging_service_sid
        return company.twilio_from_number or None, None
