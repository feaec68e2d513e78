"""Inbound SMS: record what a customer texted, find who wrote, and do what it asks.

STOP (and Twilio's other opt-out words) puts the number on the blacklist, START lifts it,
ANNULE cancels the one appointment reminded, OUI confirms it, AIDE answers with the company's
phone; anything else goes to the office. ``duret.sms.reply._duret_receive(params, company)``
is the entry point (the inbound webhook's); the keywords themselves are read by
``core.keywords``.
"""

import logging
import re

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import Command, _, fields
from odoo.tools import mute_logger

from ..core import keywords, phone, twilio_codes
from . import partner_numbers
from .conversations import Conversations

_logger = logging.getLogger(__name__)

# Twilio's inbound SIDs are SM... (SMS) or MM... (MMS) + 32 hex digits; stay lenient on the
# prefix (Twilio adds kinds of messages) but refuse anything that is not a plain identifier.
MESSAGE_SID_RE = re.compile(r"[A-Za-z]{2}[0-9A-Za-z]{32}")
# Twilio's own answers to its standard keywords, sent when Advanced Opt-Out is on: when one of
# them is present, Twilio already replied and Odoo must not send a second confirmation.
TWILIO_ANSWERED = {keywords.OPT_OUT: "STOP", keywords.OPT_IN: "START", keywords.HELP: "HELP"}

# Answers to the customer, in French (the customers are French; no translation on purpose).
# The texts sent are the SMS templates "Reply: ..." (editable); these are the fallbacks.
# Only GSM-7 characters, so that each fits one SMS with a company name of normal length.
SMS_OPTED_OUT = (
    "{company} : vous ne recevrez plus de SMS de notre part. Pour les recevoir à nouveau, "
    "répondez START."
)
SMS_OPTED_IN = (
    "{company} : vous recevrez à nouveau nos SMS. Répondez STOP pour ne plus en recevoir."
)
SMS_CANCELLED = (
    "{company} : votre rendez-vous du {when} est annulé. Nous vous recontacterons si besoin."
)
SMS_HELP = (
    "{company} : pour toute question, appelez-nous au {phone}. Répondez STOP pour ne plus "
    "recevoir de SMS."
)
SMS_HELP_NO_PHONE = (
    "{company} : pour toute question, répondez à ce SMS, nous vous rappellerons. Répondez STOP "
    "pour ne plus recevoir de SMS."
)


def clean(value, limit=None):
    """Make a webhook value storable: a string without NUL (PostgreSQL refuses it in text)."""
    text = value if isinstance(value, str) else ""
    text = text.replace("\x00", "")
    return text[:limit] if limit else text


def intent(body, opt_out_type):
    """What the customer asks. Twilio's ``OptOutType`` (Advanced Opt-Out: STOP, START, HELP,
    with the keywords configured in the Messaging Service) wins over our own reading of the
    body: Twilio has already opted the number out or in, Odoo must agree with it."""
    by_twilio = {value: key for key, value in TWILIO_ANSWERED.items()}
    return by_twilio.get(clean(opt_out_type, 16).strip().upper()) or keywords.classify(body)


# The company's fields a question reads (its country; the sending hours of the automatic
# answer, ``SendingPolicies``).
COMPANY_FIELDS = [
    "name",
    "phone",
    "duret_sms_country_code",
    "duret_sms_tz",
    "duret_sms_weekday_start",
    "duret_sms_weekday_end",
    "duret_sms_saturday_start",
    "duret_sms_saturday_end",
    "duret_sms_allow_sunday",
    "duret_sms_allow_holidays",
    "duret_sms_alsace_moselle",
    "duret_sms_cap_commercial",
    "duret_sms_cap_dunning",
]
# The contact's fields an inbound SMS reads (``identify``, the messages' names).
PARTNER_FIELDS = [
    "name",
    "active",
    "company_id",
    "phone_sanitized",
    "country_id",
    "mobile",
    "phone",
]


class InboundSms:
    """Records the inbound SMS of a company as ``duret.sms.reply`` records, each in the
    conversation of its number (``services/conversations.py``)."""

    def __init__(self, replies):
        """:param replies: the ``duret.sms.reply`` model (superuser in the webhook)."""
        self.replies = replies
        self.env = replies.env
        self.conversations = Conversations(self.env)

    def receive(self, params, company):
        """Record one inbound SMS of ``company`` and act on it; return the reply record.

        Idempotent on ``MessageSid``: a request Twilio repeats returns the first record and does
        nothing else. Every valid request is recorded even when acting on it fails (the reply is
        then left for staff, with the reason).

        A question (not a keyword) is the common case and the one that must stay cheap: who
        wrote, the conversation and the appointment are read first, then the reply, its
        messages and notifications are written in one savepoint with batched INSERTs
        (``receive_question``). Keywords are rarer and act on records: the reply is recorded
        first, then handled (``ReplyHandler``).

        :param params: the webhook's POST parameters (signature already checked);
        :raise ValueError: when ``MessageSid`` or ``From`` is missing or malformed.
        """
        message_sid = clean(params.get("MessageSid"))
        sender = clean(params.get("From"), 64).strip()
        if not MESSAGE_SID_RE.fullmatch(message_sid):
            raise ValueError("missing or malformed MessageSid")
        if not sender:
            raise ValueError("missing From")
        # What the webhook reads of the company (not its every column, a join away).
        company.fetch(COMPANY_FIELDS)
        region = (company.duret_sms_country_code or "FR").upper()
        body = clean(params.get("Body"), 10000)
        try:
            num_media = max(0, min(int(params.get("NumMedia") or 0), 100))
        except ValueError:
            num_media = 0
        number = phone.try_normalize(sender, region=region) or sender
        vals = {
            "message_sid": message_sid,
            "number_from": number,
            "number_to": clean(params.get("To"), 64),
            "body": body,
            "intent": intent(body, params.get("OptOutType")),
            "twilio_opt_out_type": clean(params.get("OptOutType"), 16).upper() or False,
            "num_media": num_media,
            "company_id": company.id,
            "received_at": fields.Datetime.now(),
        }
        conversation = self.conversations.find(company, number)
        partner, candidates, sure = self.identify(number, company, conversation)
        new = not conversation
        extra = {}
        if new:
            conversation = self.conversations.start(company, number, sure and partner)
        elif sure and conversation.partner_id != partner:
            # The conversation (and the earlier replies of this number) are this contact's.
            extra["partner_id"] = partner.id
            self.replies._duret_link_number(number, company, partner)
        vals.update(
            partner_id=partner.id,
            candidate_partner_ids=[Command.set(candidates.ids)] if candidates else False,
            conversation_id=conversation.id,
        )
        if vals["intent"] == keywords.OTHER:
            return self.receive_question(vals, conversation, new, candidates, extra)
        reply, created = self.create_reply(vals)
        if created:
            ReplyHandler(reply, conversation, new, extra).process()
        return reply

    def create_reply(self, vals):
        """``(reply, created)``: the new reply, or the one of the same ``MessageSid`` (a
        repeated request; empty while a concurrent request still records it)."""
        try:
            # A concurrent delivery of the same message waits on the unique index, then fails
            # here: the other request records and processes it.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return self.replies.create(vals), True
        except pg_errors.UniqueViolation:
            return self.existing(vals["message_sid"]), False

    def existing(self, message_sid):
        reply = self.replies.search([("message_sid", "=", message_sid)], limit=1)
        if not reply:
            _logger.info("Inbound SMS %s is being recorded by another request", message_sid)
        return reply

    # ------------------------------------------------------------------
    # Who wrote
    # ------------------------------------------------------------------

    def identify(self, number, company, conversation):
        """``(partner, candidates, sure)``: the contact who wrote, else the contacts sharing
        the number when they cannot be told apart; ``sure`` when the contact is the only one
        with the number (or the conversation's).

        The conversation's contact, while they still have this number, is who writes from it:
        staff may have set it, and it spares the search by number on every SMS. The system
        only sets it when exactly one contact has the number (two contacts sharing one are
        told apart by the last SMS sent, which changes).
        """
        no_one = self.env["res.partner"]
        known = conversation.partner_id
        if known:
            # What the messages and the rule below read, not every column of a contact.
            known.fetch(PARTNER_FIELDS)
        if known and self.has_number(known, number, company):
            return known, no_one, True
        partners = self.env["res.partner"]._duret_find_by_number(number, company)
        if len(partners) == 1:
            return partners, no_one, True
        last = partners._duret_last_sms_recipient() if partners else no_one
        if last:
            return last, no_one, False
        return no_one, partners, False

    @staticmethod
    def has_number(partner, number, company):
        """True when the active ``partner``, of ``company`` or shared, has ``number`` (E.164)
        as mobile or phone (the rule of ``res.partner._duret_find_by_number``)."""
        if not partner.active or partner.company_id not in (company, company.browse()):
            return False
        return partner_numbers.has_number(partner, number, company.duret_sms_country_code)

    # ------------------------------------------------------------------
    # A question (not a keyword)
    # ------------------------------------------------------------------

    def receive_question(self, vals, conversation, new, candidates, extra):
        """Record a question and put it before staff, in one savepoint.

        The conversation gets the customer's SMS (the technician of the reminded appointment,
        the assigned user and, for a new conversation, the SMS Officers are told in Odoo); the
        customer and the appointment get a copy (notes). Without an appointment the office gets
        an activity on the customer. Outside the sending hours the customer gets one automatic
        answer (at most one per 12 hours).
        """
        company = self.env["res.company"].browse(vals["company_id"])
        partner = self.env["res.partner"].browse(vals["partner_id"])
        event = upcoming_attendees(self.env, partner, company)[:1].event_id
        if event:
            note = _("Posted in the conversation and on the appointment; its technician was told.")
            action = "office"
        elif partner:
            note = _("Posted in the conversation and on the customer; an activity was created.")
            action = "office"
        else:
            note = unidentified_note(candidates)
            action = "none"
        vals.update(
            calendar_event_id=event.id,
            action_taken=action,
            action_note=note,
            state="needs_attention",
        )
        try:
            # The reply's INSERT checks MessageSid first: a repeated request rolls back here.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                told, told_on_event = self.conversations.recipients(
                    conversation, event.user_id, new=new
                )
                messages_vals = self.conversations.inbound_messages_vals(
                    vals, conversation, partner or candidates, event, told_on_event
                )
                messages = self.conversations.create_messages(messages_vals)
                reply = self.replies.create(
                    dict(vals, duret_copy_message_ids=[Command.set(messages.ids)])
                )
                self.conversations.notify(messages[0], messages_vals[0], told)
                if told_on_event:
                    self.conversations.notify(messages[-1], messages_vals[-1], told_on_event)
                self.conversations.update(
                    conversation,
                    dict(self.conversations.inbound_state_vals(vals, True, event), **extra),
                )
                if not event and partner:
                    ReplyHandler(reply, conversation, new).schedule_office_activity(
                        partner,
                        _("Read the customer's SMS reply"),
                        _("No upcoming appointment was found for this customer."),
                    )
                self.conversations.auto_answer(conversation, vals["received_at"])
                return reply
        except pg_errors.UniqueViolation as error:
            if error.diag.constraint_name != "duret_sms_reply_message_sid_unique":
                raise
            return self.existing(vals["message_sid"])
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            raise  # let Odoo retry the whole request
        except Exception as error:  # webhook boundary: the reply must be kept, not lost
            _logger.exception("Could not act on inbound SMS %s", vals["message_sid"])
            vals.update(
                action_taken="none",
                action_note=_(
                    "The reply could not be processed automatically (%(error)s). Please "
                    "handle it by hand.",
                    error=str(error) or type(error).__name__,
                ),
            )
            return self.create_reply(vals)[0]


def upcoming_attendees(env, partner, company):
    """The customer's attendances to come that were reminded by SMS, latest reminder first,
    at ``company`` (a reply to company A's number never acts on an appointment of company
    B; an appointment's company is its organizer's, as ``calendar.event._duret_company``)."""
    if not partner:
        return env["calendar.attendee"]
    # One statement (the domain on event_id.* costs three subqueries and their parsing on the
    # webhook's most frequent path); the webhook is superuser: no record rules to apply.
    env["calendar.attendee"].flush_model(["partner_id", "duret_reminder_sent_at", "state"])
    env["calendar.event"].flush_model(["start", "active", "user_id"])
    env.cr.execute(
        """
        SELECT attendee.id, event.id, event.name, event.user_id, event.start
          FROM calendar_attendee attendee
          JOIN calendar_event event ON event.id = attendee.event_id
     LEFT JOIN res_users organizer ON organizer.id = event.user_id
         WHERE attendee.partner_id = %s
           AND attendee.duret_reminder_sent_at IS NOT NULL
           AND attendee.state IS DISTINCT FROM 'declined'
           AND event.start > %s
           AND event.active
           AND (event.user_id IS NULL OR organizer.company_id = %s)
      ORDER BY attendee.duret_reminder_sent_at DESC, attendee.id DESC
        """,
        (partner.id, fields.Datetime.now(), company.id),
    )
    rows = env.cr.fetchall()
    attendees = env["calendar.attendee"].browse([row[0] for row in rows])
    events = env["calendar.event"].browse([row[1] for row in rows])
    # What the conversation and its messages read of the appointment, put in the cache as
    # the ORM's fetch would (not every column of an appointment).
    env.cache.insert_missing(attendees, attendees._fields["event_id"], events.ids)
    for column, name in enumerate(("name", "user_id", "start"), start=2):
        env.cache.insert_missing(events, events._fields[name], [row[column] for row in rows])
    return attendees


def unidentified_note(candidates):
    if candidates:
        return _(
            "Several contacts share this number (%(names)s): check who wrote and handle "
            "the reply by hand.",
            names=", ".join(candidates.mapped("display_name")),
        )
    return _("No contact has this number: the reply is only logged here.")


class ReplyHandler:
    """What happens to one recorded keyword reply (STOP, START, ANNULE, OUI, AIDE)."""

    def __init__(self, reply, conversation=None, new=False, extra=None):
        """``conversation``: the reply's (read already); ``new``: just created for it;
        ``extra``: more values for the conversation (its contact, found now)."""
        reply.ensure_one()
        self.reply = reply
        self.env = reply.env
        self.conversation = conversation or reply.conversation_id
        self.new = new
        self.extra = extra or {}

    def process(self):
        """Show the reply in its conversation and do what it asks; never raises for a business
        reason."""
        reply = self.reply
        try:
            with self.env.cr.savepoint():
                message, message_vals = self.post_in_conversation()
                handler = getattr(self, f"handle_{reply.intent}")
                handler()
                self.after_keyword(message, message_vals)
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            raise  # let Odoo retry the whole request; the reply is recorded again then
        except Exception as error:  # webhook boundary: the reply must be kept, not lost
            _logger.exception("Could not act on inbound SMS %s", reply.message_sid)
            reply.write(
                {
                    "state": "needs_attention",
                    "action_taken": "none",
                    "action_note": _(
                        "The reply could not be processed automatically (%(error)s). Please "
                        "handle it by hand.",
                        error=str(error) or type(error).__name__,
                    ),
                }
            )

    # ------------------------------------------------------------------
    # The conversation
    # ------------------------------------------------------------------

    def post_in_conversation(self):
        """The customer's SMS in the conversation, and its copies on the contacts it may come
        from (before the keyword's answer, so that the thread reads in order)."""
        reply = self.reply
        conversations = Conversations(self.env)
        vals = {
            "number_from": reply.number_from,
            "body": reply.body,
            "received_at": reply.received_at,
        }
        messages_vals = conversations.inbound_messages_vals(
            vals, self.conversation, reply.partner_id or reply.candidate_partner_ids
        )
        messages = conversations.create_messages(messages_vals)
        reply.duret_copy_message_ids = [Command.link(message.id) for message in messages]
        return messages[0], messages_vals[0]

    def after_keyword(self, message, message_vals):
        """A keyword the system handled leaves the conversation as it was; one that needs staff
        (an ANNULE that cannot be told apart...) makes it wait and tells who handles it."""
        reply = self.reply
        conversations = Conversations(self.env)
        needs_staff = reply.state == "needs_attention"
        vals = {
            "number_from": reply.number_from,
            "body": reply.body,
            "received_at": reply.received_at,
        }
        state_vals = dict(conversations.inbound_state_vals(vals, needs_staff), **self.extra)
        # The keyword's answer, shown in the thread meanwhile, came after the customer's SMS.
        state_vals["last_message_at"] = max(
            reply.received_at, self.conversation.last_message_at or reply.received_at
        )
        if (
            self.conversation.last_message_at
            and self.conversation.last_message_at > reply.received_at
        ):
            state_vals.pop("last_message_preview")
        conversations.update(self.conversation, state_vals)
        if needs_staff:
            conversations.notify(
                message,
                message_vals,
                conversations.recipients(self.conversation, new=self.new)[0],
            )

    # ------------------------------------------------------------------
    # What happens, per intent
    # ------------------------------------------------------------------

    def twilio_answered(self):
        return self.reply.twilio_opt_out_type == TWILIO_ANSWERED.get(self.reply.intent)

    def sender_unusable(self):
        """Record that the sender is not a phone number (nothing can be blacklisted or answered)."""
        reply = self.reply
        if phone.try_normalize(reply.number_from, region=None) == reply.number_from:
            return False
        reply.write(
            {
                "action_taken": "none",
                "action_note": _(
                    "%(sender)s is not a valid phone number: nothing was changed.",
                    sender=reply.number_from,
                ),
                "state": "needs_attention",
            }
        )
        return True

    def handle_opt_out(self):
        reply = self.reply
        if self.sender_unusable():
            return
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        blacklist_sudo._add(
            [reply.number_from],
            message=_("Opted out by SMS reply (%(sid)s).", sid=reply.message_sid),
        )
        self.note_partner(
            _("%(number)s opted out of SMS by an SMS reply.", number=reply.number_from)
        )
        self.record_optout("opt_out")
        if self.twilio_answered():
            note = _("Number added to the SMS blacklist; Twilio already confirmed it.")
        else:
            self.send_sms(
                self.reply_text(
                    "duret_sms.sms_template_reply_opted_out",
                    SMS_OPTED_OUT.format(company=reply.company_id.name),
                ),
                optout_ack=True,
            )
            note = _("Number added to the SMS blacklist; confirmation SMS sent.")
        reply.write({"action_taken": "opted_out", "action_note": note, "state": "done"})

    def handle_opt_in(self):
        reply = self.reply
        if self.sender_unusable():
            return
        others = self.other_companies_opted_out()
        if others:
            # phone.blacklist is one list for every company: START to this company's number
            # must not lift the STOP the customer sent to another company.
            reply.write(
                {
                    "action_taken": "none",
                    "state": "needs_attention",
                    "action_note": _(
                        "Number kept on the SMS opt-out list: it also opted out of the SMS of "
                        "%(companies)s, which this START to %(company)s does not lift.",
                        companies=", ".join(others.mapped("name")),
                        company=reply.company_id.name,
                    ),
                }
            )
            return
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        blacklist_sudo._remove(
            [reply.number_from],
            message=_("Opted in again by SMS reply (%(sid)s).", sid=reply.message_sid),
        )
        self.note_partner(
            _("%(number)s opted in to SMS again by an SMS reply.", number=reply.number_from)
        )
        self.record_optout("opt_in")
        if self.twilio_answered():
            note = _("Number removed from the SMS blacklist; Twilio already confirmed it.")
        else:
            self.send_sms(
                self.reply_text(
                    "duret_sms.sms_template_reply_opted_in",
                    SMS_OPTED_IN.format(company=reply.company_id.name),
                )
            )
            note = _("Number removed from the SMS blacklist; confirmation SMS sent.")
        reply.write({"action_taken": "opted_in", "action_note": note, "state": "done"})

    def other_companies_opted_out(self):
        """The other companies this number opted out of and did not opt in to again.

        The opt-out list is global; the company is known from what recorded each opt-out:
        the SMS replies (STOP / START, per receiving company) and the SMS Twilio refused
        because the number replied STOP to that company's sender (error 21610).
        """
        reply = self.reply
        # Replies and SMS are officer / system records: facts about this one number.
        events = []
        # An opt-out counts once applied; a START counts even when an opt-out of yet another
        # company kept the number on the list (or a STOP to each company would never end).
        for other in (
            self.env["duret.sms.reply"]
            .sudo()
            .search(
                [
                    ("number_from", "=", reply.number_from),
                    ("company_id", "!=", reply.company_id.id),
                    "|",
                    ("action_taken", "=", "opted_out"),
                    ("intent", "=", keywords.OPT_IN),
                ]
            )
        ):
            action = "opted_out" if other.action_taken == "opted_out" else "opted_in"
            events.append((other.received_at, other.id, other.company_id, action))
        for sms in (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("number", "=", reply.number_from),
                    ("company_id", "!=", reply.company_id.id),
                    ("twilio_error_code", "=", twilio_codes.OPTED_OUT_CODE),
                ]
            )
        ):
            events.append((sms.write_date, 0, sms.company_id, "opted_out"))
        last = {}
        for _when, _id, company, action in sorted(events, key=lambda event: event[:2]):
            last[company] = action
        opted_out = [
            company for company, action in last.items() if company and action == "opted_out"
        ]
        return self.env["res.company"].union(*opted_out)

    def handle_cancel(self):
        reply = self.reply
        attendee = self.single_attendee(_("cancel"))
        if not attendee:
            return
        self.post_on_event(attendee.event_id)
        attendee._duret_customer_cancel("sms")
        fallback = SMS_CANCELLED.format(company=reply.company_id.name, when=attendee.duret_rdv_when)
        self.send_sms(
            self.env["sms.template"]._duret_render(
                "duret_sms.sms_template_reply_cancelled", attendee, lambda _a: fallback
            )[attendee.id]
        )
        reply.write(
            {
                "action_taken": "cancelled",
                "action_note": _("Appointment cancelled; confirmation SMS sent."),
                "state": "done",
            }
        )

    def handle_confirm(self):
        attendee = self.single_attendee(_("confirm"))
        if not attendee:
            return
        attendee._duret_customer_confirm("sms")
        self.post_on_event(attendee.event_id)
        self.reply.write(
            {
                "action_taken": "confirmed",
                "action_note": _("Appointment confirmed."),
                "state": "done",
            }
        )

    def handle_help(self):
        reply = self.reply
        if self.sender_unusable():
            return
        if self.twilio_answered():
            note = _("Twilio already sent its help message.")
        else:
            company = reply.company_id
            template = SMS_HELP if company.phone else SMS_HELP_NO_PHONE
            self.send_sms(
                self.reply_text(
                    "duret_sms.sms_template_reply_help",
                    template.format(company=company.name, phone=company.phone),
                )
            )
            note = _("Help SMS sent.")
        reply.write({"action_taken": "help_sent", "action_note": note, "state": "done"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def single_attendee(self, verb):
        """The one upcoming reminded attendance the reply is about, else hand it to the office.

        Returns an empty recordset (after recording why) when there is none or several: acting
        on a guess could cancel the wrong appointment.
        """
        reply = self.reply
        if not reply.partner_id:
            reply.write(
                {
                    "action_taken": "none",
                    "action_note": unidentified_note(reply.candidate_partner_ids),
                    "state": "needs_attention",
                }
            )
            return self.env["calendar.attendee"]
        attendees = upcoming_attendees(self.env, reply.partner_id, reply.company_id)
        if len(attendees) == 1:
            reply.calendar_event_id = attendees.event_id
            return attendees
        if attendees:
            reply.calendar_event_id = attendees[0].event_id
            reason = _(
                "The customer has %(count)s upcoming reminded appointments: which one to "
                "%(verb)s is not known.",
                count=len(attendees),
                verb=verb,
            )
            for event in attendees.event_id:
                self.post_on_event(event)
            user = attendees[0].event_id.user_id
        else:
            reason = _("No upcoming appointment reminded by SMS was found for this customer.")
            user = None
        summary = (
            _("Customer asks by SMS to cancel an appointment")
            if reply.intent == keywords.CANCEL
            else _("Customer confirms an appointment by SMS")
        )
        self.schedule_office_activity(reply.partner_id, summary, reason, user=user)
        reply.write({"action_taken": "office", "action_note": reason, "state": "needs_attention"})
        return self.env["calendar.attendee"]

    def author(self):
        """The customer who wrote, else OdooBot (a webhook has no user to speak for)."""
        return self.reply.partner_id or self.env.ref("base.partner_root")

    def office_user(self):
        """Who handles replies nobody else owns: the oldest SMS officer of the company."""
        company = self.reply.company_id
        group = self.env.ref("duret_sms.duret_sms_group_officer")
        users = group.users.filtered(
            lambda user: user.active and not user.share and company in user.company_ids
        ).sorted("id")
        # OdooBot (id 1) is a member through base.group_system: only as a last resort.
        return users.filtered(lambda user: user.id != 1)[:1] or users[:1]

    def record_optout(self, kind):
        """Append the opt-out (or opt-in) to the number's consent history; STOP also withdraws
        the commercial consent of every contact of the company with this number."""
        reply = self.reply
        partners = self.env["res.partner"]._duret_find_by_number(
            reply.number_from, reply.company_id
        )
        note = _("SMS reply %(sid)s", sid=reply.message_sid)
        if kind == "opt_out":
            partners.filtered("duret_sms_consent")._duret_sms_set_consent(False, "sms", note=note)
        self.env["duret.sms.consent.event"]._duret_record(
            partners,
            kind,
            "sms",
            numbers=[reply.number_from],
            company=reply.company_id,
            note=note,
        )

    def note_partner(self, text):
        reply = self.reply
        for partner in reply.partner_id or reply.candidate_partner_ids:
            partner.message_post(
                body=text,
                author_id=self.env.ref("base.partner_root").id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def post_on_event(self, event, notify_organizer=False):
        """Post the reply on the appointment, notifying its organizer when a human must read it."""
        reply = self.reply
        reply.calendar_event_id = reply.calendar_event_id or event
        organizer = event.user_id.partner_id
        message = event.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                _(
                    "SMS reply from %(name)s (%(number)s):",
                    name=reply.partner_id.name or "?",
                    number=reply.number_from,
                ),
                reply.body or _("(no text)"),
            ),
            author_id=self.author().id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            partner_ids=organizer.ids if notify_organizer and organizer else [],
        )
        reply.duret_copy_message_ids = [Command.link(message.id)]

    def schedule_office_activity(self, partner, summary, reason, user=None):
        reply = self.reply
        user = user or self.office_user()
        # The activity is the notice (the assignee's activity counter): no assignment e-mail
        # sent by SMTP inside the webhook, from OdooBot, who may have no address.
        activity = partner.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=Markup("<p>%s</p><p>%s</p>")
            % (reason, _("Reply: %(body)s", body=reply.body or _("(no text)"))),
            user_id=user.id,
        )
        reply.duret_copy_activity_ids = [Command.link(activity.id)]

    def reply_text(self, xmlid, fallback):
        """The answer to this reply from the SMS template ``xmlid`` (staff may edit it), or
        ``fallback`` when the template is missing or broken."""
        reply = self.reply
        return self.env["sms.template"]._duret_render(xmlid, reply, lambda _r: fallback)[reply.id]

    def send_sms(self, body, optout_ack=False):
        """Queue an SMS answering this reply, to the number that wrote, through Odoo's queue."""
        reply = self.reply
        vals = {
            "number": reply.number_from,
            "body": body,
            "partner_id": reply.partner_id.id,
            "company_id": reply.company_id.id,
            "duret_category": "transactional",
            "duret_optout_ack": optout_ack,
        }
        if reply.partner_id:
            # Posted on the customer so staff see what was answered, like any chatter SMS.
            partner = reply.partner_id.with_company(reply.company_id)
            message = partner._message_sms(
                body,
                sms_numbers=[reply.number_from],
                author_id=self.env.ref("base.partner_root").id,
                put_in_queue=True,
            )
            sms = self.env["sms.sms"].search([("mail_message_id", "=", message.id)])
            sms.write({k: v for k, v in vals.items() if k not in ("number", "body")})
            sms.send()
            return sms
        sms = self.env["sms.sms"].create(vals)
        sms.send()
        return sms
