import logging
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

PUBLIC_URL_PARAM = "duret_sms.public_url"
# A refused webhook is written at most this often per company: a flood of forged requests
# must not turn into a flood of writes on the company row.
REFUSAL_WRITE_EVERY = timedelta(minutes=1)


class ResCompany(models.Model):
    _inherit = "res.company"

    duret_sms_webhook_refused_at = fields.Datetime(
        "Last Refused Twilio Webhook", readonly=True, copy=False
    )
    duret_sms_webhook_refused_reason = fields.Char("Why It Was Refused", readonly=True, copy=False)

    @api.model
    def _duret_public_url(self):
        """The address Twilio and customers reach Odoo at, without trailing slash.

        The SMS setting *Public URL* (``duret_sms.public_url``), filled from ``web.base.url``
        at installation: unlike ``web.base.url``, which Odoo rewrites whenever an administrator
        logs in through another host name, it only changes when someone saves it. Status
        callbacks, reminder and unsubscribe links and webhook signatures all use it.
        """
        icp_sudo = self.env["ir.config_parameter"].sudo()  # system parameters: admin ACL
        url = icp_sudo.get_param(PUBLIC_URL_PARAM) or icp_sudo.get_param("web.base.url") or ""
        return url.strip().rstrip("/")

    @api.model
    def _duret_init_public_url(self):
        """Installation: freeze the current ``web.base.url`` as the public URL."""
        icp_sudo = self.env["ir.config_parameter"].sudo()  # system parameters: admin ACL
        if not icp_sudo.get_param(PUBLIC_URL_PARAM):
            icp_sudo.set_param(PUBLIC_URL_PARAM, self._duret_public_url())

    @api.model
    def _duret_check_public_url(self, url):
        """Return ``url`` cleaned (no trailing slash); raise UserError when unusable."""
        url = (url or "").strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise UserError(
                _(
                    "The SMS public URL %(url)s is not valid: enter the address Twilio and "
                    "your customers reach Odoo at, e.g. https://odoo.example.com",
                    url=url or '""',
                )
            )
        return url

    @api.model
    def _duret_webhook_refused(self, params, signed, received):
        """Record on the Twilio company named by ``AccountSid`` that its webhook was refused.

        :param signed: whether the request had a signature (then it did not match);
        :param received: the address the request reached (scheme and host).
        Requests naming no known account (scanners) are only logged by the caller.
        """
        account_sid = params.get("AccountSid") or ""
        if not account_sid:
            return
        # Public webhook: the refusal is shown to the company's administrators in Settings.
        company_sudo = self.sudo().search(
            [("duret_sms_provider", "=", "twilio"), ("twilio_account_sid", "=", account_sid)],
            limit=1,
        )
        now = fields.Datetime.now()
        last = company_sudo.duret_sms_webhook_refused_at
        if company_sudo and (not last or now - last >= REFUSAL_WRITE_EVERY):
            # Written for the company's administrators, in the company's language (a webhook
            # has no user).
            lang = company_sudo.partner_id.lang or self.env.ref("base.user_admin").lang
            company_sudo.write(
                {
                    "duret_sms_webhook_refused_at": now,
                    "duret_sms_webhook_refused_reason": company_sudo.with_context(
                        lang=lang
                    )._duret_webhook_refusal_reason(signed, received),
                }
            )

    def _duret_webhook_refusal_reason(self, signed, received):
        if not signed:
            return _("The request had no Twilio signature (X-Twilio-Signature header).")
        return _(
            "Twilio's signature did not match the public URL %(url)s (the request reached "
            "%(received)s). Check the Public URL of the SMS settings and, behind a reverse "
            "proxy, Odoo's proxy_mode.",
            url=self._duret_public_url(),
            received=received,
        )
