import logging
import re

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from ..core import keywords, phone

_logger = logging.getLogger(__name__)

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


# The handling status is the only thing people change on a reply (through the buttons).
USER_WRITABLE_FIELDS = {"state"}


def _clean(value, limit=None):
    """Make a webhook value storable: a string without NUL (PostgreSQL refuses it in text)."""
    text = value if isinstance(value, str) else ""
    text = text.replace("\x00", "")
    return text[:limit] if limit else text


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
    # The reply's text is also shown where staff work (chatter notes, to-dos): those copies
    # are deleted with the reply when the history retention purges it.
    duret_copy_message_ids = fields.Many2many(
        "mail.message", string="Copies in Chatter", readonly=True, copy=False
    )
    duret_copy_activity_ids = fields.Many2many(
        "mail.activity", string="Copies in Activities", readonly=True, copy=False
    )

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
        return super().write(vals)

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
        """Record one inbound SMS of ``company`` and act on it; return the reply record.

        Idempotent on ``MessageSid``: a request Twilio repeats returns the first record and does
        nothing else. Every valid request is recorded even when acting on it fails (the reply is
        then left for staff, with the reason).

        :param params: the webhook's POST parameters (signature already checked);
        :raise ValueError: when ``MessageSid`` or ``From`` is missing or malformed.
        """
        message_sid = _clean(params.get("MessageSid"))
        sender = _clean(params.get("From"), 64).strip()
        if not MESSAGE_SID_RE.fullmatch(message_sid):
            raise ValueError("missing or malformed MessageSid")
        if not sender:
            raise ValueError("missing From")
        existing = self.search([("message_sid", "=", message_sid)], limit=1)
        if existing:
            return existing
        region = (company.country_id.code or "FR").upper()
        body = _clean(params.get("Body"), 10000)
        try:
            num_media = max(0, min(int(params.get("NumMedia") or 0), 100))
        except ValueError:
            num_media = 0
        vals = {
            "message_sid": message_sid,
            "number_from": phone.try_normalize(sender, region=region) or sender,
            "number_to": _clean(params.get("To"), 64),
            "body": body,
            "intent": self._duret_intent(body, params.get("OptOutType")),
            "twilio_opt_out_type": _clean(params.get("OptOutType"), 16).upper() or False,
            "num_media": num_media,
            "company_id": company.id,
        }
        try:
            # A concurrent delivery of the same message waits on the unique index, then fails
            # here: the other request records and processes it.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                reply = self.create(vals)
        except pg_errors.UniqueViolation:
            _logger.info("Inbound SMS %s is being recorded by another request", message_sid)
            return self.browse()
        reply._duret_process()
        return reply

    @api.model
    def _duret_intent(self, body, opt_out_type):
        """What the customer asks. Twilio's ``OptOutType`` (Advanced Opt-Out: STOP, START, HELP,
        with the keywords configured in the Messaging Service) wins over our own reading of the
        body: Twilio has already opted the number out or in, Odoo must agree with it."""
        by_twilio = {value: intent for intent, value in TWILIO_ANSWERED.items()}
        return by_twilio.get(_clean(opt_out_type, 16).strip().upper()) or keywords.classify(body)

    def _duret_process(self):
        """Find who wrote and do what the reply asks; never raises for a business reason."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._duret_identify()
                handler = getattr(self, f"_duret_handle_{self.intent}")
                handler()
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            raise  # let Odoo retry the whole request; the reply is recorded again then
        except Exception as error:  # webhook boundary: the reply must be kept, not lost
            _logger.exception("Could not act on inbound SMS %s", self.message_sid)
            self.write(
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
    # Who wrote
    # ------------------------------------------------------------------

    def _duret_identify(self):
        partners = self.env["res.partner"]._duret_find_by_number(self.number_from, self.company_id)
        if len(partners) > 1:
            partners = partners._duret_last_sms_recipient() or partners
        if len(partners) == 1:
            self.partner_id = partners
        elif partners:
            self.candidate_partner_ids = partners
        self._duret_post_on_partners()

    def _duret_post_on_partners(self):
        """Post the reply on every contact it may come from, as an internal note."""
        body = Markup("<p>%s</p><p>%s</p>") % (
            _("SMS reply from %(number)s:", number=self.number_from),
            self.body or _("(no text)"),
        )
        for partner in self.partner_id or self.candidate_partner_ids:
            message = partner.message_post(
                body=body,
                author_id=self._duret_author().id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            self.duret_copy_message_ids = [Command.link(message.id)]

    def _duret_upcoming_attendees(self):
        """The customer's attendances to come that were reminded by SMS, latest reminder first,
        at the company whose number received the reply."""
        if not self.partner_id:
            return self.env["calendar.attendee"]
        attendees = self.env["calendar.attendee"].search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("duret_reminder_sent_at", "!=", False),
                ("state", "!=", "declined"),
                ("event_id.start", ">", fields.Datetime.now()),
                ("event_id.active", "=", True),
            ],
            order="duret_reminder_sent_at desc, id desc",
        )
        # A reply to company A's number never acts on an appointment of company B.
        return attendees.filtered(lambda a: a.event_id._duret_company() == self.company_id)

    # ------------------------------------------------------------------
    # What happens, per intent
    # ------------------------------------------------------------------

    def _duret_twilio_answered(self):
        return self.twilio_opt_out_type == TWILIO_ANSWERED.get(self.intent)

    def _duret_sender_unusable(self):
        """Record that the sender is not a phone number (nothing can be blacklisted or answered)."""
        if phone.try_normalize(self.number_from, region=None) == self.number_from:
            return False
        self.write(
            {
                "action_taken": "none",
                "action_note": _(
                    "%(sender)s is not a valid phone number: nothing was changed.",
                    sender=self.number_from,
                ),
                "state": "needs_attention",
            }
        )
        return True

    def _duret_handle_opt_out(self):
        if self._duret_sender_unusable():
            return
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        blacklist_sudo._add(
            [self.number_from],
            message=_("Opted out by SMS reply (%(sid)s).", sid=self.message_sid),
        )
        self._duret_note_partner(
            _("%(number)s opted out of SMS by an SMS reply.", number=self.number_from)
        )
        if self._duret_twilio_answered():
            note = _("Number added to the SMS blacklist; Twilio already confirmed it.")
        else:
            self._duret_send_sms(
                self._duret_reply_text(
                    "duret_sms.sms_template_reply_opted_out",
                    SMS_OPTED_OUT.format(company=self.company_id.name),
                ),
                optout_ack=True,
            )
            note = _("Number added to the SMS blacklist; confirmation SMS sent.")
        self.write({"action_taken": "opted_out", "action_note": note, "state": "done"})

    def _duret_handle_opt_in(self):
        if self._duret_sender_unusable():
            return
        blacklist_sudo = self.env["phone.blacklist"].sudo()  # ACL is system-only
        blacklist_sudo._remove(
            [self.number_from],
            message=_("Opted in again by SMS reply (%(sid)s).", sid=self.message_sid),
        )
        self._duret_note_partner(
            _("%(number)s opted in to SMS again by an SMS reply.", number=self.number_from)
        )
        if self._duret_twilio_answered():
            note = _("Number removed from the SMS blacklist; Twilio already confirmed it.")
        else:
            self._duret_send_sms(
                self._duret_reply_text(
                    "duret_sms.sms_template_reply_opted_in",
                    SMS_OPTED_IN.format(company=self.company_id.name),
                )
            )
            note = _("Number removed from the SMS blacklist; confirmation SMS sent.")
        self.write({"action_taken": "opted_in", "action_note": note, "state": "done"})

    def _duret_handle_cancel(self):
        attendee = self._duret_single_attendee(_("cancel"))
        if not attendee:
            return
        self._duret_post_on_event(attendee.event_id)
        attendee._duret_customer_cancel("sms")
        fallback = SMS_CANCELLED.format(company=self.company_id.name, when=attendee.duret_rdv_when)
        self._duret_send_sms(
            self.env["sms.template"]._duret_render(
                "duret_sms.sms_template_reply_cancelled", attendee, lambda _a: fallback
            )[attendee.id]
        )
        self.write(
            {
                "action_taken": "cancelled",
                "action_note": _("Appointment cancelled; confirmation SMS sent."),
                "state": "done",
            }
        )

    def _duret_handle_confirm(self):
        attendee = self._duret_single_attendee(_("confirm"))
        if not attendee:
            return
        attendee._duret_customer_confirm("sms")
        self._duret_post_on_event(attendee.event_id)
        self.write(
            {
                "action_taken": "confirmed",
                "action_note": _("Appointment confirmed."),
                "state": "done",
            }
        )

    def _duret_handle_help(self):
        if self._duret_sender_unusable():
            return
        if self._duret_twilio_answered():
            note = _("Twilio already sent its help message.")
        else:
            company = self.company_id
            template = SMS_HELP if company.phone else SMS_HELP_NO_PHONE
            self._duret_send_sms(
                self._duret_reply_text(
                    "duret_sms.sms_template_reply_help",
                    template.format(company=company.name, phone=company.phone),
                )
            )
            note = _("Help SMS sent.")
        self.write({"action_taken": "help_sent", "action_note": note, "state": "done"})

    def _duret_handle_other(self):
        attendees = self._duret_upcoming_attendees()
        event = attendees[:1].event_id
        if event:
            self._duret_post_on_event(event, notify_organizer=True)
            note = _("Posted on the appointment; its organizer was notified.")
            action = "office"
        elif self.partner_id:
            self._duret_schedule_office_activity(
                self.partner_id,
                _("Read the customer's SMS reply"),
                _("No upcoming appointment was found for this customer."),
            )
            note = _("Posted on the customer; an activity was created for the office.")
            action = "office"
        else:
            note = self._duret_unidentified_note()
            action = "none"
        self.write({"action_taken": action, "action_note": note, "state": "needs_attention"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _duret_single_attendee(self, verb):
        """The one upcoming reminded attendance the reply is about, else hand it to the office.

        Returns an empty recordset (after recording why) when there is none or several: acting
        on a guess could cancel the wrong appointment.
        """
        if not self.partner_id:
            self.write(
                {
                    "action_taken": "none",
                    "action_note": self._duret_unidentified_note(),
                    "state": "needs_attention",
                }
            )
            return self.env["calendar.attendee"]
        attendees = self._duret_upcoming_attendees()
        if len(attendees) == 1:
            self.calendar_event_id = attendees.event_id
            return attendees
        if attendees:
            self.calendar_event_id = attendees[0].event_id
            reason = _(
                "The customer has %(count)s upcoming reminded appointments: which one to "
                "%(verb)s is not known.",
                count=len(attendees),
                verb=verb,
            )
            for event in attendees.event_id:
                self._duret_post_on_event(event)
            user = attendees[0].event_id.user_id
        else:
            reason = _("No upcoming appointment reminded by SMS was found for this customer.")
            user = None
        summary = (
            _("Customer asks by SMS to cancel an appointment")
            if self.intent == keywords.CANCEL
            else _("Customer confirms an appointment by SMS")
        )
        self._duret_schedule_office_activity(self.partner_id, summary, reason, user=user)
        self.write({"action_taken": "office", "action_note": reason, "state": "needs_attention"})
        return self.env["calendar.attendee"]

    def _duret_author(self):
        """The customer who wrote, else OdooBot (a webhook has no user to speak for)."""
        return self.partner_id or self.env.ref("base.partner_root")

    def _duret_office_user(self):
        """Who handles replies nobody else owns: the oldest SMS officer of the company."""
        group = self.env.ref("duret_sms.duret_sms_group_officer")
        users = group.users.filtered(
            lambda user: user.active and not user.share and self.company_id in user.company_ids
        ).sorted("id")
        # OdooBot (id 1) is a member through base.group_system: only as a last resort.
        return users.filtered(lambda user: user.id != 1)[:1] or users[:1]

    def _duret_unidentified_note(self):
        if self.candidate_partner_ids:
            return _(
                "Several contacts share this number (%(names)s): check who wrote and handle "
                "the reply by hand.",
                names=", ".join(self.candidate_partner_ids.mapped("display_name")),
            )
        return _("No contact has this number: the reply is only logged here.")

    def _duret_note_partner(self, text):
        for partner in self.partner_id or self.candidate_partner_ids:
            partner.message_post(
                body=text,
                author_id=self.env.ref("base.partner_root").id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def _duret_post_on_event(self, event, notify_organizer=False):
        """Post the reply on the appointment, notifying its organizer when a human must read it."""
        self.calendar_event_id = self.calendar_event_id or event
        organizer = event.user_id.partner_id
        message = event.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                _(
                    "SMS reply from %(name)s (%(number)s):",
                    name=self.partner_id.name or "?",
                    number=self.number_from,
                ),
                self.body or _("(no text)"),
            ),
            author_id=self._duret_author().id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            partner_ids=organizer.ids if notify_organizer and organizer else [],
        )
        self.duret_copy_message_ids = [Command.link(message.id)]

    def _duret_schedule_office_activity(self, partner, summary, reason, user=None):
        user = user or self._duret_office_user()
        activity = partner.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=Markup("<p>%s</p><p>%s</p>")
            % (reason, _("Reply: %(body)s", body=self.body or _("(no text)"))),
            user_id=user.id,
        )
        self.duret_copy_activity_ids = [Command.link(activity.id)]

    def _duret_reply_text(self, xmlid, fallback):
        """The answer to this reply from the SMS template ``xmlid`` (staff may edit it), or
        ``fallback`` when the template is missing or broken."""
        self.ensure_one()
        return self.env["sms.template"]._duret_render(xmlid, self, lambda _r: fallback)[self.id]

    def _duret_send_sms(self, body, optout_ack=False):
        """Queue an SMS answering this reply, to the number that wrote, through Odoo's queue."""
        vals = {
            "number": self.number_from,
            "body": body,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "duret_category": "transactional",
            "duret_optout_ack": optout_ack,
        }
        if self.partner_id:
            # Posted on the customer so staff see what was answered, like any chatter SMS.
            partner = self.partner_id.with_company(self.company_id)
            message = partner._message_sms(
                body,
                sms_numbers=[self.number_from],
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
