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

    def record(self, params, signed, received):
        """Record on the Twilio company named by ``AccountSid`` that its webhook was refused.

        :param signed: whether the request had a signature (then it did not match);
        :param received: the address the request reached (scheme and host).
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
                    "duret_sms_webhook_refused_reason": in_lang.reason(signed, received),
                }
            )

    def reason(self, signed, received):
        """Why the request was refused, in the language of this service's environment."""
        if not signed:
            return _("The request had no Twilio signature (X-Twilio-Signature header).")
        return _(
            "Twilio's signature did not match the public URL %(url)s (the request reached "
            "%(received)s). Check the Public URL of the SMS settings and, behind a reverse "
            "proxy, Odoo's proxy_mode.",
            url=self.env["res.company"]._duret_public_url(),
            received=received,
        )
