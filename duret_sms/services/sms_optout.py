"""Opting out of SMS without replying: the mention commercial SMS carry, and the choice made
on the unsubscribe page its link opens."""

from odoo import _


class SmsOptout:
    """``SmsOptout(env)``: reads and writes in ``env`` (the public page's: sudo where said)."""

    def __init__(self, env):
        self.env = env
        self.sms = env["sms.sms"]

    def mention(self, company, sms_uuid):
        """The text appended to commercial SMS: "STOP au <number>" where replies reach Odoo,
        otherwise a short unsubscribe link (alphanumeric senders cannot receive)."""
        sender = company.twilio_from_number or ""
        if company.duret_sms_can_receive and sender.startswith("+"):
            return f"\nSTOP au {sender}"
        return f"\nStop SMS : {company._duret_public_url(f'/sms/optout/{sms_uuid}')}"

    def from_link(self, sms_uuid, choice="all"):
        """Apply the choice made on the unsubscribe page of SMS ``sms_uuid``.

        ``commercial``: commercial consent is withdrawn for the SMS's contact and every
        contact of its company with that number; service SMS (reminders, invoices) go on.
        ``all``: the same, and the number is blacklisted for every SMS.
        Returns the SMS (sudo) or an empty recordset for an unknown token.
        """
        # Public page: the 128-bit uuid is the proof; only this one SMS is read.
        sms_sudo = self.sms.sudo().search([("uuid", "=", sms_uuid)], limit=1)
        if not sms_sudo or not sms_sudo.number:
            return self.sms.browse()
        company = sms_sudo._duret_company()
        # Contacts with this number: their consent is the customer's, whoever holds it.
        partners_sudo = sms_sudo.partner_id | self.env["res.partner"].sudo()._duret_find_by_number(
            sms_sudo.number, company
        )
        # The withdrawal is recorded even without a consent on file: it is the customer's
        # word, and a later plain grant must not override it.
        # The SMS's id, not its uuid: the uuid is the page's token, not for the chatter.
        note = _("Unsubscribe link of SMS #%(id)s", id=sms_sudo.id)
        partners_sudo._duret_sms_set_consent(False, "web", note=note, channel="link")
        if not partners_sudo:
            self.env["duret.sms.consent.event"]._duret_record(
                partners_sudo, "withdraw", "link", numbers=[sms_sudo.number], company=company
            )
        if choice == "all":
            self.env["phone.blacklist"].sudo()._add(
                [sms_sudo.number],
                message=_("Unsubscribed with the link of SMS %(uuid)s.", uuid=sms_uuid),
            )
            self.env["duret.sms.consent.event"]._duret_record(
                partners_sudo, "opt_out", "link", numbers=[sms_sudo.number], company=company
            )
        return sms_sudo
