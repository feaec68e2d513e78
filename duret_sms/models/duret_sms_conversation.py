from odoo import _, api, fields, models

from ..services.conversations import Conversations

STATES = [("waiting", "Waiting"), ("answered", "Answered"), ("done", "Done")]


class DuretSmsConversation(models.Model):
    """One SMS thread per customer number and company: what the customer sent, what we sent
    (reminders, confirmations, answers) and what staff answer from it.

    Our own model rather than a ``discuss.channel``: access follows the appointment's technician
    and the company (record rules on plain fields), the SMS composer and the compliance gate fit
    a record with a chatter, and Discuss 17 has no extensible sidebar category for a new channel
    type (see the README).
    """

    _name = "duret.sms.conversation"
    _description = "SMS Conversation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "last_message_at desc, id desc"
    _rec_name = "name"
    # Technicians read the conversations of their appointments and answer them from their phone
    # without the right to change the record itself.
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        "Company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    number = fields.Char("Number", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Contact", index="btree_not_null")
    event_id = fields.Many2one(
        "calendar.event",
        "Appointment",
        index="btree_not_null",
        help="The appointment the customer's latest reply is about.",
    )
    user_id = fields.Many2one(
        "res.users",
        "Assigned to",
        tracking=True,
        index="btree_not_null",
        domain=[("share", "=", False)],
    )
    technician_id = fields.Many2one(
        "res.users",
        "Technician",
        index="btree_not_null",
        help="The appointment's technician: they may read and answer this conversation.",
    )
    state = fields.Selection(
        STATES, "Status", default="waiting", required=True, tracking=True, index=True
    )
    last_message_at = fields.Datetime("Last Message", index=True, readonly=True)
    last_inbound_at = fields.Datetime("Last Customer Message", readonly=True)
    auto_answer_at = fields.Datetime(
        "Last Automatic Answer",
        readonly=True,
        help="When the out-of-hours automatic answer was last sent (at most one per 12 hours).",
    )
    last_message_preview = fields.Char("Last Message Text", readonly=True)
    reply_ids = fields.One2many("duret.sms.reply", "conversation_id", "Received SMS", readonly=True)
    reply_count = fields.Integer("Received SMS Count", compute="_compute_reply_count")
    duret_next_opening_text = fields.Char(
        "Next Opening",
        compute="_compute_duret_next_opening_text",
        help='When the office sends SMS again, in words ("demain dès 8 h"), for the '
        "out-of-hours automatic answer.",
    )

    _sql_constraints = [
        (
            "company_number_unique",
            "unique(company_id, number)",
            "There is already a conversation with this number in this company.",
        )
    ]

    @api.depends("partner_id.name", "number")
    def _compute_name(self):
        for conversation in self:
            conversation.name = conversation.partner_id.name or conversation.number

    def _compute_reply_count(self):
        # Technicians see the conversation, not the evidence list: a count only.
        counts = dict(
            self.env["duret.sms.reply"]
            .sudo()
            ._read_group([("conversation_id", "in", self.ids)], ["conversation_id"], ["__count"])
        )
        for conversation in self:
            conversation.reply_count = counts.get(conversation, 0)

    def _compute_duret_next_opening_text(self):
        for conversation in self:
            conversation.duret_next_opening_text = Conversations(self.env).next_opening_text(
                conversation.company_id
            )

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def message_post(self, **kwargs):
        """A comment an internal user posts here leaves as an SMS to the conversation's number
        (through the compliance gate, shown with its delivery status); notes stay internal."""
        return Conversations(self.env).post(self, self._duret_message_post, **kwargs)

    def _duret_message_post(self, records, **kwargs):
        # mail.thread's message_post, for the records (and context) the service gives.
        return super(DuretSmsConversation, records).message_post(**kwargs)

    def _message_get_suggested_recipients(self):
        # The customer is answered by SMS, never by e-mail: suggest no recipient.
        return {conversation.id: [] for conversation in self}

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_done(self):
        self.write({"state": "done"})

    def action_reopen(self):
        self.write({"state": "waiting"})

    def action_assign_to_me(self):
        self.write({"user_id": self.env.user.id})

    def action_view_replies(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Received SMS"),
            "res_model": "duret.sms.reply",
            "view_mode": "tree,form",
            "domain": [("conversation_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------

    @api.model
    def _duret_waiting_count(self):
        """How many conversations visible to the current user wait for an answer."""
        return self.search_count([("state", "=", "waiting")])
