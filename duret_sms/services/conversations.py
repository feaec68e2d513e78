"""Conversations: one SMS thread per customer number and company (``duret.sms.conversation``).

The model delegates here: finding or creating the thread of an inbound SMS, writing the
customer's SMS in it (with its copies on the customer and the appointment, in one batch),
showing our outbound SMS in it, sending what staff write there as an SMS, and the out-of-hours
automatic answer.

Who is told, and how (in Odoo's inbox, never by e-mail: the text is the customer's):

- the appointment's technician, on every question about their reminded appointment;
- the user the conversation is assigned to, on every message that needs staff;
- the SMS Officers of the company, once, when a conversation that needs staff is new (not on
  every message: the *Conversations (N)* menu counter shows what waits).
"""

import logging
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import lxml.html
from markupsafe import Markup
from psycopg2 import errorcodes
from psycopg2 import errors as pg_errors

from odoo import Command, _, fields, tools
from odoo.exceptions import UserError
from odoo.tools import html2plaintext, mute_logger

from ..core import opening, phone, windows

_logger = logging.getLogger(__name__)

MODEL = "duret.sms.conversation"
PREVIEW_LENGTH = 120
AUTO_ANSWER_INTERVAL = timedelta(hours=12)
AUTO_ANSWER_TEMPLATE = "duret_sms.sms_template_reply_out_of_hours"
# The built-in text when the template is missing or broken (French: the customers are).
AUTO_ANSWER_FALLBACK = (
    "{company} : merci pour votre message. Nos bureaux sont fermés, nous vous répondrons {opening}."
)
# Read with the conversation when an SMS arrives (one query).
FIND_FIELDS = [
    "name",
    "company_id",
    "number",
    "partner_id",
    "state",
    "technician_id",
    "user_id",
    "event_id",
    "auto_answer_at",
    "last_inbound_at",
]


def answer_text(body):
    """The SMS text of an answer posted in the thread.

    The chatter posts HTML (Markup) and turns every URL typed into a link; Odoo's
    ``html2plaintext`` writes a link as ``text [1]`` plus a ``[1] url`` footnote, which would
    send the URL twice (and cost more than the counter showed). A link is written once: its
    text, or ``text (url)`` when the text is not the URL itself. A plain string is the text.
    """
    if not isinstance(body, Markup):
        return str(body).strip()
    if not str(body).strip():
        return ""
    tree = lxml.html.fragment_fromstring(str(body), create_parent="div")
    for link in tree.iter("a"):
        href = (link.attrib.pop("href", None) or "").strip()
        label = link.text_content().strip()
        for child in list(link):
            link.remove(child)
        bare = href.split(":", 1)[1] if href.startswith(("mailto:", "tel:")) else href
        if href and label and bare.rstrip("/") != label.rstrip("/"):
            label = f"{label} ({href})"
        link.text = label or href
    return html2plaintext(lxml.html.tostring(tree, encoding="unicode")).strip()


class ConversationRace(pg_errors.SerializationFailure):
    """Two first SMS from one number arrived together and the other request created the
    conversation first: its row is invisible to this transaction's snapshot (repeatable read),
    so the request is retried whole, as Odoo retries any serialization failure."""

    pgcode = errorcodes.SERIALIZATION_FAILURE


def preview(text):
    """The conversation list's one-line preview of ``text``."""
    line = " ".join((text or "").split())
    return line if len(line) <= PREVIEW_LENGTH else line[: PREVIEW_LENGTH - 1] + "…"


class Conversations:
    """``Conversations(env)``: the conversation logic in ``env`` (the webhook's is superuser)."""

    def __init__(self, env):
        self.env = env

    # ------------------------------------------------------------------
    # Finding the thread
    # ------------------------------------------------------------------

    def find(self, company, number):
        """The conversation of ``number`` (E.164) at ``company``, read in one query, or empty."""
        return (
            self.env[MODEL]
            .sudo()
            .search_fetch(
                [("company_id", "=", company.id), ("number", "=", number)], FIND_FIELDS, limit=1
            )
        )

    def start(self, company, number, partner):
        """Create the conversation of ``number`` at ``company``.

        Race-safe on the unique (company, number) index: when another request created it
        meanwhile, :class:`ConversationRace` makes Odoo retry this request, which then finds it.
        """
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return (
                    self.env[MODEL]
                    .sudo()
                    .with_context(tracking_disable=True)
                    .create(
                        {
                            "company_id": company.id,
                            "number": number,
                            "partner_id": partner and partner.id,
                        }
                    )
                )
        except pg_errors.UniqueViolation as error:
            _logger.info("Conversation of %s created by a concurrent request: retrying", number)
            raise ConversationRace(str(error)) from error

    # ------------------------------------------------------------------
    # Inbound: the customer's SMS in the thread, its copies, who is told
    # ------------------------------------------------------------------

    def inbound_messages_vals(
        self, reply_vals, conversation, partners, event=None, event_partners=None
    ):
        """``mail.message`` values for one inbound SMS: the message in the conversation first,
        then its copies on the contacts it may come from and on the appointment (notes).

        Built by hand and created in one batch (``create_messages``): three ``message_post``
        calls cost about thirty queries per inbound SMS; these values name everything the
        message would otherwise look up (sender address, reply-to, record names).
        """
        number = reply_vals["number_from"]
        text = reply_vals.get("body") or _("(no text)")
        author = partners if len(partners) == 1 else self.env["res.partner"]
        root = self.env["res.partner"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id("base.partner_root")
        )
        now = reply_vals.get("received_at") or fields.Datetime.now()
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")

        def vals(model, res_id, record_name, body, message_type, subtype, author_id, email_from):
            return {
                "model": model,
                "res_id": res_id,
                "record_name": record_name,
                "body": body,
                "message_type": message_type,
                "subtype_id": subtype,
                "author_id": author_id,
                "email_from": email_from,
                "reply_to": False,
                "date": now,
                "message_id": tools.generate_tracking_message_id(f"{res_id}-{model}"),
            }

        vals_list = [
            vals(
                MODEL,
                conversation.id,
                conversation.name,
                Markup("<p>%s</p>") % text,
                "sms",
                comment,
                author.id,
                False if author else number,
            )
        ]
        copy_author = author or root
        for partner in partners:
            vals_list.append(
                vals(
                    "res.partner",
                    partner.id,
                    partner.name,
                    Markup("<p>%s</p><p>%s</p>")
                    % (_("SMS reply from %(number)s:", number=number), text),
                    "comment",
                    note,
                    copy_author.id,
                    False,
                )
            )
        if event:
            event_vals = vals(
                "calendar.event",
                event.id,
                event.name,
                Markup("<p>%s</p><p>%s</p>")
                % (
                    _(
                        "SMS reply from %(name)s (%(number)s):",
                        name=author.name or "?",
                        number=number,
                    ),
                    text,
                ),
                "comment",
                note,
                copy_author.id,
                False,
            )
            if event_partners:
                event_vals["partner_ids"] = [Command.set(event_partners.ids)]
            vals_list.append(event_vals)
        return vals_list

    def create_messages(self, vals_list):
        """Create ``vals_list`` (see ``inbound_messages_vals``) in one INSERT."""
        # mail.message: the webhook has no user to post as; documents are known.
        return self.env["mail.message"].sudo().create(vals_list)

    def recipients(self, conversation, technician=None, new=False):
        """``(in the conversation, on the appointment)``: the partners told in Odoo's inbox
        about a message that needs staff. In the conversation: the appointment's technician,
        the assigned user, and the SMS Officers of the company when the conversation is new.
        An organizer who may not open conversations (neither technician nor officer) is told
        on the appointment's copy instead, as before conversations existed."""
        technician = technician or self.env["res.users"]
        users = technician | conversation.user_id
        if new:
            users |= self.officers(conversation.company_id)
        partners = self.env["res.partner"]
        inside, outside = self.internal_users_by_access(users)
        return partners.browse(inside.values()), partners.browse(
            partner_id for user_id, partner_id in outside.items() if user_id in technician.ids
        )

    def internal_users_by_access(self, users):
        """``({user id: partner id}, {user id: partner id})``: the active internal users among
        ``users`` who may open conversations (technicians, SMS Officers), and the others; in
        one query (a user's groups are stored with the groups they imply, as ``has_group``
        reads them; a user's record is also its contact's: reading it through the ORM costs
        a join and every column)."""
        if not users:
            return {}, {}
        xmlid_to_res_id = self.env["ir.model.data"]._xmlid_to_res_id
        groups = (
            xmlid_to_res_id("duret_sms.duret_sms_group_technician"),
            xmlid_to_res_id("duret_sms.duret_sms_group_officer"),
        )
        self.env["res.users"].flush_model(["active", "share", "partner_id", "groups_id"])
        self.env.cr.execute(
            """
            SELECT u.id, u.partner_id,
                   EXISTS (SELECT 1 FROM res_groups_users_rel r WHERE r.uid = u.id AND r.gid IN %s)
              FROM res_users u
             WHERE u.id IN %s AND u.active AND NOT u.share
          ORDER BY u.id
            """,
            (groups, tuple(users.ids)),
        )
        inside, outside = {}, {}
        for user_id, partner_id, may_open in self.env.cr.fetchall():
            (inside if may_open else outside)[user_id] = partner_id
        return inside, outside

    def officers(self, company):
        """The SMS Officers of ``company`` (OdooBot excepted)."""
        group = self.env.ref("duret_sms.duret_sms_group_officer")
        return group.sudo().users.filtered(
            lambda user: user.id != 1 and company in user.company_ids
        )

    def notify(self, message, vals, partners):
        """Put ``message`` in the inbox of ``partners`` (needaction) and tell their open Odoo
        tabs at once: one INSERT of notifications, one of bus messages.

        The bus payload is written from what is known (no ``message_format``, which costs about
        ten queries): the web client inserts the message and bumps the inbox counter, and
        loads the rest of it when the inbox or the conversation is opened.
        """
        if not partners:
            return
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": vals["author_id"],
                    "mail_message_id": message.id,
                    "notification_status": "sent",
                    "notification_type": "inbox",
                    "res_partner_id": partner.id,
                }
                for partner in partners
            ]
        )
        payload = self.inbox_payload(message, vals, partners)
        self.env["bus.bus"].sudo()._sendmany(
            [(partner, "mail.message/inbox", payload) for partner in partners]
        )

    def inbox_payload(self, message, vals, partners):
        """The ``mail.message/inbox`` bus payload of ``message`` created from ``vals`` (the
        keys of ``mail.message._message_format`` that the web client reads)."""
        author = self.env["res.partner"].browse(vals["author_id"])
        return {
            "id": message.id,
            "body": vals["body"],
            "date": vals["date"],
            "create_date": vals["date"],
            "write_date": vals["date"],
            "model": vals["model"],
            "res_id": vals["res_id"],
            "record_name": vals["record_name"],
            "default_subject": vals["record_name"],
            "message_type": vals["message_type"],
            "subtype_description": False,
            "is_note": False,
            "is_discussion": True,
            "subject": False,
            "email_from": vals["email_from"],
            "author": {"id": author.id, "name": author.name, "type": "partner"}
            if author
            else False,
            "needaction_partner_ids": partners.ids,
            "history_partner_ids": [],
            "starred_partner_ids": [],
            "notifications": [],
            "attachments": [],
            "trackingValues": [],
            "linkPreviews": [],
            "reactions": [],
            "recipients": [],
            "pinned_at": False,
        }

    def inbound_state_vals(self, reply_vals, needs_staff, event=None):
        """What an inbound SMS changes on its conversation."""
        vals = {
            "last_message_at": reply_vals["received_at"],
            "last_inbound_at": reply_vals["received_at"],
            "last_message_preview": preview(reply_vals.get("body")),
        }
        if needs_staff:
            vals["state"] = "waiting"  # reopens a done or answered conversation
        if event:
            vals.update(event_id=event.id, technician_id=event.user_id.id)
        return vals

    def update(self, conversation, vals):
        """Change the conversation as the system: no tracking message (the SMS in the thread
        say what happened), no access check (technicians answer without write access)."""
        conversation.sudo().with_context(tracking_disable=True).write(vals)

    # ------------------------------------------------------------------
    # Outbound: our SMS in the thread
    # ------------------------------------------------------------------

    def show_outbound(self, smss):
        """Show in its number's conversation each SMS our code creates (reminders,
        confirmations, keyword answers, SMS sent from a chatter or the composer).

        Why a copy rather than moving the SMS: the SMS belongs where it was sent from (the
        appointment, the customer), where its delivery status is tracked; the conversation
        gets a copy of its text, at its place in time, so that the thread reads in order. The
        delivery status is on the SMS's own message (and in *SMS History*); staff answers and
        the automatic answer are the conversation's own messages and show theirs. Only numbers
        that already have a conversation get copies: one indexed query per batch of SMS of a
        Twilio/Sandbox company, none for companies on Odoo's own SMS (IAP).
        """
        if self.env.context.get("duret_conversation_shown"):
            return
        keyed = {}
        for sms in smss:
            company = sms.company_id
            if not sms.number or not company or sms.duret_category == "internal_urgent":
                continue
            if not company._duret_sms_uses_own_provider():
                continue  # conversations are Twilio's (inbound SMS); nothing read for Odoo's IAP
            region = (company.duret_sms_country_code or "FR").upper()
            number = phone.try_normalize(sms.number, region=region)
            if number:
                keyed[sms] = (company.id, number)
        if not keyed:
            return
        conversations = (
            self.env[MODEL]
            .sudo()
            .search(
                [
                    ("company_id", "in", list({key[0] for key in keyed.values()})),
                    ("number", "in", list({key[1] for key in keyed.values()})),
                ]
            )
        )
        by_key = {(c.company_id.id, c.number): c for c in conversations}
        root = self.env.ref("base.partner_root")
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        now = fields.Datetime.now()
        vals_list = []
        for sms, key in keyed.items():
            conversation = by_key.get(key)
            if not conversation:
                continue
            vals_list.append(
                {
                    "model": MODEL,
                    "res_id": conversation.id,
                    "record_name": conversation.name,
                    "body": Markup("<p>%s</p>") % (sms.body or ""),
                    "message_type": "sms",
                    "subtype_id": note,
                    "author_id": (sms.mail_message_id.author_id or root).id,
                    "email_from": False,
                    "reply_to": False,
                    "date": now,
                }
            )
            self.update(
                conversation,
                {"last_message_at": now, "last_message_preview": preview(sms.body)},
            )
        if vals_list:
            self.create_messages(vals_list)

    # ------------------------------------------------------------------
    # Answering from the thread
    # ------------------------------------------------------------------

    def post(self, conversations, super_post, **kwargs):
        """``message_post`` of a conversation: see ``duret.sms.conversation.message_post``.

        ``super_post(records, **kwargs)`` is mail.thread's. An internal user's comment
        (``message_type="comment"``, subtype ``mail.mt_comment``) is the answer: posted as an
        SMS message, an ``sms.sms`` to the number leaves with it through the queue and its
        gate (opt-out, sending hours but for a direct answer), with an SMS notification that
        shows its delivery status. The customer is never a recipient of the message itself.
        """
        if not self.is_answer(kwargs):
            return super_post(conversations, **kwargs)
        conversations.ensure_one()
        conversation = conversations
        body = kwargs.get("body") or ""
        text = answer_text(body)
        if not text:
            raise UserError(_("Write the answer before sending it: an SMS needs a text."))
        customer = conversation.sudo().partner_id
        kwargs["partner_ids"] = [
            pid for pid in (kwargs.get("partner_ids") or []) if pid != customer.id
        ]
        kwargs["message_type"] = "sms"
        message = super_post(conversations.with_context(mail_create_nosubscribe=True), **kwargs)
        self.send_from_thread(conversation, message, text)
        now = fields.Datetime.now()
        self.update(
            conversation,
            {"state": "answered", "last_message_at": now, "last_message_preview": preview(text)},
        )
        self.log_on_event(conversation, text)
        return message

    def is_answer(self, kwargs):
        if self.env.context.get("duret_conversation_log"):
            return False
        if kwargs.get("message_type", "notification") != "comment":
            return False
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        subtype_id = kwargs.get("subtype_id") or (
            kwargs.get("subtype_xmlid")
            and self.env["ir.model.data"]._xmlid_to_res_id(kwargs["subtype_xmlid"])
        )
        return subtype_id == comment and self.env.user._is_internal()

    def send_from_thread(self, conversation, message, text, answers_at=None):
        """Queue ``text`` to the conversation's number as the SMS of ``message`` (a direct
        answer to the customer's last SMS), with the notification that tracks it."""
        conversation_sudo = conversation.sudo()  # technicians answer with read access only
        # sms.sms and mail.notification are technical (system ACL): the one SMS of this answer.
        sms_sudo = (
            self.env["sms.sms"]
            .sudo()
            .with_context(duret_conversation_shown=True)
            .create(
                {
                    "number": conversation_sudo.number,
                    "partner_id": conversation_sudo.partner_id.id,
                    "company_id": conversation_sudo.company_id.id,
                    "body": text,
                    "mail_message_id": message.id,
                    "duret_category": "transactional",
                    "duret_answers_inbound_at": answers_at or conversation_sudo.last_inbound_at,
                    "state": "outgoing",
                }
            )
        )
        self.env["mail.notification"].sudo().create(
            {
                "author_id": message.author_id.id,
                "mail_message_id": message.id,
                "res_partner_id": sms_sudo.partner_id.id,
                "sms_number": sms_sudo.number,
                "notification_type": "sms",
                "sms_id_int": sms_sudo.id,
                "sms_tracker_ids": [Command.create({"sms_uuid": sms_sudo.uuid})],
                "is_read": True,
                "notification_status": "ready",
            }
        )
        sms_sudo.send()
        return sms_sudo

    def log_on_event(self, conversation, text):
        """Staff answers about an appointment are also noted on the appointment."""
        event_sudo = conversation.sudo().event_id
        if not event_sudo:
            return
        # The technician may answer a conversation about an appointment they cannot edit.
        event_sudo.with_context(mail_create_nosubscribe=True).message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                _(
                    "Answered by SMS to %(who)s by %(user)s:",
                    who=conversation.sudo().name,
                    user=self.env.user.name,
                ),
                text,
            ),
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # Out-of-hours automatic answer
    # ------------------------------------------------------------------

    def auto_answer(self, conversation, received_at):
        """Answer a question received outside the sending hours once, from the editable
        template, at most once per 12 hours per conversation; sent at once (a direct answer).
        Returns the SMS, or None when no answer is due."""
        conversation_sudo = conversation.sudo()
        company = conversation_sudo.company_id
        now = fields.Datetime.now()
        if windows.is_allowed(now, company._duret_sms_policy("transactional")):
            return None
        last = conversation_sudo.auto_answer_at
        if last and now - last < AUTO_ANSWER_INTERVAL:
            return None
        if phone.try_normalize(conversation_sudo.number, region=None) != conversation_sudo.number:
            return None  # not a phone number: nothing can be answered
        # Computed for now (not the value an earlier SMS of this transaction left in cache).
        conversation_sudo.invalidate_recordset(["duret_next_opening_text"])
        text = self.env["sms.template"]._duret_render(
            AUTO_ANSWER_TEMPLATE,
            conversation_sudo,
            lambda c: AUTO_ANSWER_FALLBACK.format(
                company=c.company_id.name, opening=c.duret_next_opening_text or "dès que possible"
            ),
        )[conversation_sudo.id]
        message = conversation_sudo.with_context(
            duret_conversation_log=True, mail_create_nosubscribe=True
        ).message_post(
            body=Markup("<p>%s</p>") % text,
            author_id=self.env.ref("base.partner_root").id,
            message_type="sms",
            subtype_xmlid="mail.mt_note",
        )
        sms = self.send_from_thread(conversation_sudo, message, text, answers_at=received_at)
        self.update(
            conversation_sudo,
            {"auto_answer_at": now, "last_message_at": now, "last_message_preview": preview(text)},
        )
        return sms

    def next_opening_text(self, company, now=None):
        """When ``company`` sends customer SMS again, in French words for the automatic answer
        ("demain dès 8 h"); empty when the company never opens."""
        if not company:
            return ""
        now = now or fields.Datetime.now()
        policy = company._duret_sms_policy("transactional")
        try:
            opens_at = windows.next_allowed(now, policy)
        except ValueError:
            return ""
        zone = ZoneInfo(policy.tz)

        def local(when):
            return when.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)

        return opening.opening_words(local(now), local(opens_at))
