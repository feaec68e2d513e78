from uuid import uuid4

from odoo import _, api, fields, models

CATEGORIES = [
    ("transactional", "Transactional"),
    ("commercial", "Commercial"),
    ("dunning", "Dunning"),
    ("internal_urgent", "Internal urgent"),
]


class SmsSms(models.Model):
    _inherit = "sms.sms"

    failure_type = fields.Selection(
        selection_add=[
            ("sms_expired", "Expired"),
            ("sms_invalid_destination", "Invalid Destination"),
            ("sms_not_allowed", "Not Allowed"),
            ("sms_not_delivered", "Not Delivered"),
            ("sms_rejected", "Rejected"),
        ]
    )
    company_id = fields.Many2one(
        "res.company", "Company", index=True, default=lambda self: self.env.company
    )
    duret_provider = fields.Selection(
        [("twilio", "Twilio"), ("sandbox", "Sandbox")],
        "Sent Through",
        readonly=True,
        copy=False,
        help="Set when the SMS is handed over; Sandbox SMS never left Odoo.",
    )
    duret_category = fields.Selection(
        CATEGORIES,
        "Category",
        default=lambda self: self.env.context.get("duret_sms_category") or "transactional",
        required=True,
    )
    duret_optout_ack = fields.Boolean(
        "Opt-out Confirmation",
        copy=False,
        help="The one SMS confirming an opt-out: it may reach the number that just opted out.",
    )
    duret_is_reminder = fields.Boolean(
        "Appointment Reminder", readonly=True, copy=False, help="Sent by the reminder cron."
    )
    twilio_sid = fields.Char("Twilio SID", readonly=True, copy=False, index="btree_not_null")
    twilio_status = fields.Char("Twilio Status", readonly=True, copy=False)
    twilio_error_code = fields.Integer("Twilio Error Code", readonly=True, copy=False)
    duret_failure_reason = fields.Char("Failure Reason", readonly=True, copy=False)
    duret_segments = fields.Integer("Segments", readonly=True, copy=False)
    duret_encoding = fields.Char("Encoding", readonly=True, copy=False)
    duret_price = fields.Float("Price", digits=(12, 5), readonly=True, copy=False)
    duret_price_unit = fields.Char("Currency", readonly=True, copy=False)
    duret_price_known = fields.Boolean("Price Known", readonly=True, copy=False)
    duret_handover_at = fields.Datetime("Handed Over On", readonly=True, copy=False)
    duret_status_at = fields.Datetime("Last Status On", readonly=True, copy=False)
    duret_retry_count = fields.Integer("Retries", readonly=True, copy=False)
    duret_not_before = fields.Datetime(
        "Not Before",
        copy=False,
        index="btree_not_null",
        help="Queued SMS wait until this time (sending hours, weekly caps, retry backoff).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Set the company of SMS about a record; commercial SMS of Twilio/Sandbox companies
        get their opt-out mention (CPCE L34-5)."""
        prepared = []
        for vals in vals_list:
            vals = dict(vals)  # the caller's dicts may be shared between records
            if not vals.get("company_id") and vals.get("mail_message_id"):
                # An SMS about a record goes through that record's company (as Odoo's own
                # sms_twilio does), not the sender's current one.
                message = self.env["mail.message"].browse(vals["mail_message_id"])
                if message.record_company_id:
                    vals["company_id"] = message.record_company_id.id
            category = vals.get("duret_category") or self.env.context.get("duret_sms_category")
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if category == "commercial" and company._duret_sms_uses_own_provider():
                vals.setdefault("uuid", uuid4().hex)
                mention = self._duret_optout_mention(company, vals["uuid"])
                body = vals.get("body") or ""
                if mention.strip() not in body:
                    vals["body"] = body + mention
            prepared.append(vals)
        return super().create(prepared)

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals and (reminders := self.filtered("duret_is_reminder")):
            self.env["calendar.attendee"]._duret_reminder_sms_changed(reminders)
        return result

    @api.model
    def _duret_optout_mention(self, company, sms_uuid):
        """The text appended to commercial SMS: "STOP au <number>" where replies reach Odoo,
        otherwise a short unsubscribe link (alphanumeric senders cannot receive)."""
        sender = company.twilio_from_number or ""
        if company.duret_sms_can_receive and sender.startswith("+"):
            return f"\nSTOP au {sender}"
        return f"\nStop SMS : {company._duret_public_url(f'/sms/optout/{sms_uuid}')}"

    @api.model
    def _duret_optout_from_link(self, sms_uuid, choice="all"):
        """Apply the choice made on the unsubscribe page of SMS ``sms_uuid``.

        ``commercial``: commercial consent is withdrawn for the SMS's contact and every
        contact of its company with that number; service SMS (reminders, invoices) go on.
        ``all``: the same, and the number is blacklisted for every SMS.
        Returns the SMS (sudo) or an empty recordset for an unknown token.
        """
        # Public page: the 128-bit uuid is the proof; only this one SMS is read.
        sms_sudo = self.sudo().search([("uuid", "=", sms_uuid)], limit=1)
        if not sms_sudo or not sms_sudo.number:
            return self.browse()
        company = sms_sudo._duret_company()
        # Contacts with this number: their consent is the customer's, whoever holds it.
        partners_sudo = sms_sudo.partner_id | self.env["res.partner"].sudo()._duret_find_by_number(
            sms_sudo.number, company
        )
        partners_sudo.filtered("duret_sms_consent")._duret_sms_set_consent(False, "web")
        if choice == "all":
            self.env["phone.blacklist"].sudo()._add(
                [sms_sudo.number],
                message=_("Unsubscribed with the link of SMS %(uuid)s.", uuid=sms_uuid),
            )
        return sms_sudo

    # ------------------------------------------------------------------
    # Odoo's pipeline: every send of a Twilio/Sandbox company goes through the queue
    # ------------------------------------------------------------------

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Queue this company's SMS for the Twilio runner instead of calling IAP.

        Odoo sends SMS synchronously inside the caller's transaction (chatter, composer,
        calendar alarms). Calling Twilio there could not be undone if that transaction rolled
        back afterwards, and could be repeated if it were retried (odoo/odoo#264736). So the
        SMS stays ``outgoing`` and the queue cron, which records each hand-over and commits
        before any HTTP call, is triggered to run right after this transaction.
        """
        # SMS queued before duret_sms was installed have no company: Odoo sends them as before.
        ours = self.filtered(
            lambda sms: sms.company_id and sms.company_id._duret_sms_uses_own_provider()
        )
        if ours:
            ours._duret_trigger_queue()
        others = self - ours
        if others:
            return super(SmsSms, others)._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        return None

    def _duret_company(self):
        self.ensure_one()
        return self.company_id or self.env.company

    def _duret_trigger_queue(self, at=None):
        cron = self.env.ref("duret_sms.ir_cron_sms_twilio_queue", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=at)
