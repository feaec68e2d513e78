"""Which Twilio company signed a webhook (delivery reports and inbound SMS).

Twilio signs each request with the Auth Token of the account it comes from (HMAC-SHA1 of the
URL and the POST parameters, ``X-Twilio-Signature``). The companies' webhook identities (Account
SID, Messaging Service, number, Auth Token) are read once per registry by
``res.company._duret_webhook_signers`` (ormcache, cleared when one of them changes): every
webhook request checks a signature, and reading every Twilio company each time cost a search
and two reads per request. The Auth Tokens stay in this process's memory, as Odoo's own caches
hold records; they are never returned or logged.
"""

from typing import NamedTuple

from ..core import gateway

# A change to one of these fields of a company changes who may sign its webhooks.
SIGNER_FIELDS = frozenset(
    {
        "active",
        "duret_sms_provider",
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_from_number",
        "twilio_messaging_service_sid",
    }
)


class Signer(NamedTuple):
    company_id: int
    receives: bool  # an active company on Twilio: inbound SMS may be its
    account_sid: str
    service_sid: str
    from_number: str
    auth_token: str


def load_signers(companies_sudo):
    """The ``Signer`` of each company of ``res.company`` (in sudo: the Auth Token is readable
    by administrators only) that has an Auth Token, archived ones and those that left Twilio
    included (Twilio still reports on the SMS they sent), by company id."""
    companies = companies_sudo.with_context(active_test=False).search_fetch(
        [("twilio_auth_token", "!=", False)],
        [
            "active",
            "duret_sms_provider",
            "twilio_account_sid",
            "twilio_messaging_service_sid",
            "twilio_from_number",
            "twilio_auth_token",
        ],
        order="id",
    )
    return tuple(
        Signer(
            company.id,
            company.active and company.duret_sms_provider == "twilio",
            company.twilio_account_sid or "",
            company.twilio_messaging_service_sid or "",
            company.twilio_from_number or "",
            company.twilio_auth_token,
        )
        for company in companies
    )


def signed_with(token, urls, params, signature):
    """Whether ``signature`` is the signature with ``token`` of ``params`` POSTed to one of
    ``urls`` (a URL or a list of candidate URLs)."""
    urls = [urls] if isinstance(urls, str) else urls
    return bool(token) and any(
        gateway.validate_signature(token, url, params, signature or "") for url in urls
    )


class WebhookSigners:
    """The Twilio companies that may sign webhooks, as the registry's cache knows them."""

    def __init__(self, env):
        self.env = env
        self.signers = env["res.company"]._duret_webhook_signers()

    def company(self, urls, params, signature):
        """The active Twilio company whose Auth Token signed the request, or an empty recordset.

        Candidates are tried the owner of ``AccountSid`` first, then the one whose Messaging
        Service or number received the SMS (each signature check is an HMAC: with several
        Twilio companies, the right one is usually the first tried).
        """
        empty = self.env["res.company"]
        if not signature:
            return empty
        account_sid = params.get("AccountSid") or ""
        service_sid = params.get("MessagingServiceSid") or ""
        to = params.get("To") or ""

        def rank(signer):
            return (
                signer.account_sid != account_sid,
                not service_sid or signer.service_sid != service_sid,
                not to or signer.from_number != to,
                signer.company_id,
            )

        for signer in sorted((s for s in self.signers if s.receives), key=rank):
            if signed_with(signer.auth_token, urls, params, signature):
                return empty.browse(signer.company_id)
        return empty

    def signed_by(self, company_id, urls, params, signature):
        """Whether company ``company_id`` signed the request with its Auth Token."""
        return any(
            signer.company_id == company_id
            and signed_with(signer.auth_token, urls, params, signature)
            for signer in self.signers
        )

    def signing_companies(self, urls, params, signature):
        """The ids of every company (active or not, on Twilio or not: Twilio still reports on
        the SMS they sent) whose Auth Token signed the request; one HMAC per distinct token."""
        if not signature:
            return []
        valid = {}
        for signer in self.signers:
            if signer.auth_token not in valid:
                valid[signer.auth_token] = signed_with(signer.auth_token, urls, params, signature)
        return [signer.company_id for signer in self.signers if valid[signer.auth_token]]
