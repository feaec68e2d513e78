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
        # The traces are read by the office: in the company's language, not the public
        # visitor's, and signed by the customer rather than Odoo's "Public user".
        self.env = self.env(context=dict(self.env.context, lang=company.partner_id.lang))
        author = _("the customer (unsubscribe link)")
        # Contacts with this number: their consent is the customer's, whoever holds it.
        partners_sudo = sms_sudo.partner_id | self.env["res.partner"].sudo()._duret_find_by_number(
            sms_sudo.number, company
        )
        # The withdrawal is recorded even without a consent on file: it is the customer's
        # word, and a later plain grant must not override it.
        # The SMS's id, not its uuid: the uuid is the page's token, not for the chatter.
        note = _("Unsubscribe link of SMS #%(id)s", id=sms_sudo.id)
        partners_sudo.with_context(lang=self.env.lang)._duret_sms_set_consent(
            False, "web", note=note, channel="link", author=author
        )
        if not partners_sudo:
            self.env["duret.sms.consent.event"]._duret_record(
                partners_sudo, "withdraw", "link", numbers=[sms_sudo.number], company=company
            )
        if choice == "all":
            # Posted here rather than by _add(): Odoo's post is signed by the current user.
            entries_sudo = (
                self.env["phone.blacklist"]
                .sudo()
                .with_context(mail_create_nolog=True)
                ._add([sms_sudo.number])
            )
            for entry_sudo in entries_sudo:
                entry_sudo.with_context(mail_create_nosubscribe=True).message_post(
                    body=_(
                        "Unsubscribed from all SMS by %(who)s, from SMS #%(id)s.",
                        who=author,
                        id=sms_sudo.id,
                    ),
                    subtype_xmlid="mail.mt_note",
                    author_id=False,
                    email_from=author,
                )
            self.env["duret.sms.consent.event"]._duret_record(
                partners_sudo, "opt_out", "link", numbers=[sms_sudo.number], company=company
            )
        return sms_sudo

    def previous_choice(self, sms_uuid):
        """What the customer already chose with the link of SMS ``sms_uuid``: ``"all"`` (the
        number is on the opt-out list), ``"commercial"`` (their last word on commercial SMS is
        a withdrawal through a link), ``""`` (nothing yet), or None for an unknown token."""
        # Public page: the 128-bit uuid is the proof; facts about this one number only.
        sms_sudo = self.sms.sudo().search([("uuid", "=", sms_uuid)], limit=1)
        if not sms_sudo:
            return None
        if not sms_sudo.number:
            return ""
        if self.env["phone.blacklist"].sudo().search_count([("number", "=", sms_sudo.number)]):
            return "all"
        last_sudo = (
            self.env["duret.sms.consent.event"]
            .sudo()
            .search(
                [("number", "=", sms_sudo.number), ("kind", "in", ("grant", "withdraw"))],
                order="id desc",
                limit=1,
            )
        )
        return "commercial" if (last_sudo.kind, last_sudo.channel) == ("withdraw", "link") else ""
