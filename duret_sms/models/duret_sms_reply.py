from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..core import keywords, phone
from ..services.inbound import InboundSms

INTENTS = [
    (keywords.OPT_OUT, "Opt-out (STOP)"),
    (keywords.OPT_IN, "Opt-in (START)"),
    (keywords.CANCEL, "Cancel appointment"),
    (keywords.CONFIRM, "Confirm appointment"),
    (keywords.HELP, "Help"),
    (keywords.OTHER, "Other"),
]
ACTIONS = [
    ("opted_out", "Opted out"),
    ("opted_in", "Opted in"),
    ("cancelled", "Appointment cancelled"),
    ("confirmed", "Appointment confirmed"),
    ("help_sent", "Help sent"),
    ("office", "Sent to office"),
    ("none", "None"),
]
# The handling status is the only thing people change on a reply (through the buttons).
USER_WRITABLE_FIELDS = {"state"}


class DuretSmsReply(models.Model):
    _name = "duret.sms.reply"
    _description = "SMS Reply"
    _order = "received_at desc, id desc"
    _rec_name = "number_from"

    number_from = fields.Char("From", required=True, readonly=True, index=True)
    number_to = fields.Char("To", readonly=True)
    body = fields.Text("Message", readonly=True)
    received_at = fields.Datetime(
        "Received On", required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index="btree_not_null")
    candidate_partner_ids = fields.Many2many(
        "res.partner",
        string="Possible Customers",
        readonly=True,
        help="Contacts sharing this number, when the sender could not be told apart.",
    )
    intent = fields.Selection(INTENTS, "Detected Intent", required=True, readonly=True)
    calendar_event_id = fields.Many2one(
        "calendar.event", "Appointment", readonly=True, index="btree_not_null"
    )
    action_taken = fields.Selection(ACTIONS, "Action Taken", default="none", readonly=True)
    action_note = fields.Text("What Was Done", readonly=True)
    state = fields.Selection(
        [("needs_attention", "Needs Attention"), ("done", "Done")],
        "Status",
        default="done",
        required=True,
        index=True,
    )
    message_sid = fields.Char("Twilio Message SID", required=True, readonly=True, copy=False)
    twilio_opt_out_type = fields.Char(
        "Twilio Opt-out Type",
        readonly=True,
        help="STOP, START or HELP when Twilio's Advanced Opt-Out handled the keyword and "
        "answered the customer itself.",
    )
    num_media = fields.Integer("Attachments", readonly=True)
    company_id = fields.Many2one("res.company", "Company", required=True, readonly=True)
    conversation_id = fields.Many2one(
        "duret.sms.conversation",
        "Conversation",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The SMS thread with this number: answering there sends an SMS.",
    )
    # The reply's text is also shown where staff work (chatter notes, to-dos): those copies
    # are deleted with the reply when the history retention purges it.
    duret_copy_message_ids = fields.Many2many(
        "mail.message", string="Copies in Chatter", readonly=True, copy=False
    )
    duret_copy_activity_ids = fields.Many2many(
        "mail.activity", string="Copies in Activities", readonly=True, copy=False
    )
    duret_title = fields.Char("Sender", compute="_compute_duret_title")

    _sql_constraints = [
        (
            "message_sid_unique",
            "unique(message_sid)",
            "This Twilio message (MessageSid) is already recorded.",
        )
    ]

    @api.depends("number_from", "received_at", "partner_id")
    def _compute_display_name(self):
        for reply in self:
            reply.display_name = _(
                "Reply from %(sender)s",
                sender=reply.partner_id.name or reply.number_from or "?",
            )

    @api.depends("partner_id", "number_from")
    def _compute_duret_title(self):
        for reply in self:
            reply.duret_title = reply.partner_id.name or reply.number_from

    @api.constrains("partner_id", "company_id")
    def _check_partner_company(self):
        # A reply to company A's number is never filed on a contact of company B.
        for reply in self:
            partner_company = reply.partner_id.sudo().company_id
            if partner_company and partner_company != reply.company_id:
                raise ValidationError(
                    _(
                        "This SMS reply was received by %(company)s: it can only be linked to a "
                        "contact of %(company)s or a contact shared by every company, not to "
                        "%(partner)s (%(other)s).",
                        company=reply.company_id.name,
                        partner=reply.partner_id.display_name,
                        other=partner_company.name,
                    )
                )

    def write(self, vals):
        """What the customer sent and what Odoo did about it is evidence (an opt-out, a
        cancellation): only the system writes it. People only change the handling status."""
        # Putting a name on an unknown number (the inbox's "create or link a contact") is not
        # rewriting evidence: allowed while the reply has no contact yet, never to change one.
        linking = "partner_id" in vals and not any(self.mapped("partner_id"))
        writable = USER_WRITABLE_FIELDS | ({"partner_id"} if linking else set())
        if not self.env.su and set(vals) - writable:
            raise AccessError(
                _(
                    "An SMS reply is a record of what the customer sent and of what was done: "
                    "it cannot be changed. Only its status (Done / Needs Attention) can."
                )
            )
        result = super().write(vals)
        if vals.get("partner_id"):
            # A number linked to a contact once is that contact on its other replies too.
            self._duret_link_same_number()
        return result

    def unlink(self):
        """Delete the copies of the replies' text with them (history retention)."""
        # Chatter notes and to-dos of any author: only the ones these replies created.
        messages_sudo = self.sudo().duret_copy_message_ids
        activities_sudo = self.sudo().duret_copy_activity_ids.exists()
        result = super().unlink()
        activities_sudo.unlink()
        messages_sudo.exists().unlink()
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_mark_done(self):
        self.write({"state": "done"})

    def action_mark_needs_attention(self):
        self.write({"state": "needs_attention"})

    def action_duret_open_conversation(self):
        """Open the conversation of this reply's number (where answering sends an SMS)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Conversation"),
            "res_model": "duret.sms.conversation",
            "res_id": self.conversation_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_duret_reply(self):
        """Open Odoo's SMS composer addressed to the sender of this reply: on the contact's
        chatter when the number is the contact's, to the bare number otherwise."""
        self.ensure_one()
        context = {"default_body": ""}
        field = self._duret_partner_number_field()
        if field:
            context.update(
                default_composition_mode="comment",
                default_res_model="res.partner",
                default_res_id=self.partner_id.id,
                default_number_field_name=field,
            )
        else:
            context.update(default_composition_mode="numbers", default_numbers=self.number_from)
        return {
            "type": "ir.actions.act_window",
            "name": _("Reply by SMS"),
            "res_model": "sms.composer",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------

    def _duret_link_same_number(self):
        for reply in self.filtered("partner_id"):
            self._duret_link_number(reply.number_from, reply.company_id, reply.partner_id)

    @api.model
    def _duret_link_number(self, number, company, partner):
        """Link the replies of ``number`` at ``company`` that have no contact to ``partner``,
        and its conversation when it has none."""
        others = self.search(
            [
                ("number_from", "=", number),
                ("partner_id", "=", False),
                ("company_id", "=", company.id),
            ]
        )
        if others:
            others.write({"partner_id": partner.id})
        conversation_sudo = (
            self.env["duret.sms.conversation"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("number", "=", number),
                    ("partner_id", "=", False),
                ]
            )
        )
        if conversation_sudo:
            # Naming the number's sender is not answering it: no tracking, no access needed.
            conversation_sudo.with_context(tracking_disable=True).write({"partner_id": partner.id})

    def _duret_partner_number_field(self):
        """The field of the linked contact that holds the number of this reply, if any."""
        self.ensure_one()
        partner = self.partner_id
        if not partner:
            return False
        region = (self.company_id.country_id.code or "FR").upper()
        for field in ("mobile", "phone"):
            number = partner[field]
            if number and phone.try_normalize(number, region=region) == self.number_from:
                return field
        return False

    # ------------------------------------------------------------------
    # Webhook entry points (called by controllers/inbound.py with sudo)
    # ------------------------------------------------------------------

    @api.model
    def _duret_inbound_company(self, url, params, signature):
        """Return the Twilio company that signed this inbound request, or an empty recordset.

        Candidates are companies using Twilio, the owner of ``AccountSid`` first, then the one
        whose Messaging Service or number received the SMS; the first whose Auth Token
        validates ``signature`` for ``url`` and ``params`` wins.
        """
        companies = self.env["res.company"].search([("duret_sms_provider", "=", "twilio")])
        account_sid = params.get("AccountSid") or ""
        service_sid = params.get("MessagingServiceSid") or ""
        to = params.get("To") or ""

        def rank(company):
            return (
                company.twilio_account_sid != account_sid,
                not service_sid or company.twilio_messaging_service_sid != service_sid,
                not to or company.twilio_from_number != to,
                company.id,
            )

        for company in companies.sorted(rank):
            if company._duret_twilio_signature_valid(url, params, signature):
                return company
        return self.env["res.company"]

    @api.model
    def _duret_receive(self, params, company):
        """Record one inbound SMS of ``company`` and act on it (STOP, START, ANNULE, OUI, AIDE,
        anything else for the office); return the reply record. The inbound webhook's entry
        point; the work is done by ``services/inbound.py``.

        Idempotent on ``MessageSid``: a request Twilio repeats returns the first record and does
        nothing else. Every valid request is recorded even when acting on it fails (the reply is
        then left for staff, with the reason).

        :param params: the webhook's POST parameters (signature already checked);
        :raise ValueError: when ``MessageSid`` or ``From`` is missing or malformed.
        """
        return InboundSms(self).receive(params, company)
