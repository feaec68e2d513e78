"""Twilio webhooks refused for their signature, recorded on the company they name and shown to
its administrators in Settings (a wrong Public URL or proxy set-up is the usual cause).
``res.company._duret_webhook_refused`` is the entry point (the controllers call it)."""

from datetime import timedelta

from odoo import _, fields

# A refused webhook is written at most this often per company: a flood of forged requests
# must not turn into a flood of writes on the company row.
REFUSAL_WRITE_EVERY = timedelta(minutes=1)


class WebhookRefusals:
    def __init__(self, env):
        self.env = env

    def record(self, params, signed, public_host):
        """Record on the Twilio company named by ``AccountSid`` that its webhook was refused.

        :param signed: whether the request had a signature (then it did not match);
        :param public_host: whether the request named the Public URL's host (the host it
            named is the sender's word, so it is never shown).
        Requests naming no known account (scanners) are only logged by the caller.
        """
        account_sid = params.get("AccountSid") or ""
        if not account_sid:
            return
        # Public webhook: the refusal is shown to the company's administrators in Settings.
        company_sudo = (
            self.env["res.company"]
            .sudo()
            .search(
                [("duret_sms_provider", "=", "twilio"), ("twilio_account_sid", "=", account_sid)],
                limit=1,
            )
        )
        now = fields.Datetime.now()
        last = company_sudo.duret_sms_webhook_refused_at
        if company_sudo and (not last or now - last >= REFUSAL_WRITE_EVERY):
            # Written for the company's administrators, in the company's language (a webhook
            # has no user).
            lang = company_sudo.partner_id.lang or self.env.ref("base.user_admin").lang
            in_lang = WebhookRefusals(company_sudo.with_context(lang=lang).env)
            company_sudo.write(
                {
                    "duret_sms_webhook_refused_at": now,
                    "duret_sms_webhook_refused_reason": in_lang.reason(signed, public_host),
                }
            )

    def reason(self, signed, public_host):
        """Why the request was refused, in the language of this service's environment."""
        if not signed:
            return _("The request had no Twilio signature (X-Twilio-Signature header).")
        url = self.env["res.company"]._duret_public_url()
        if public_host:
            return _(
                "Twilio's signature did not match the public URL %(url)s. Check the Public URL "
                "of the SMS settings, the Auth Token and, behind a reverse proxy, Odoo's "
                "proxy_mode.",
                url=url,
            )
        return _(
            "Twilio's signature did not match the public URL %(url)s, and the request named "
            "another host (which anyone can write, so it is not shown). If Twilio calls Odoo "
            "at another address, make it the Public URL of the SMS settings; behind a reverse "
            "proxy, check Odoo's proxy_mode.",
            url=url,
        )
