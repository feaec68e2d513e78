import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import format_date

_logger = logging.getLogger(__name__)

UNPAID_STATES = ("not_paid", "partial")


class AccountMove(models.Model):
    _inherit = "account.move"

    duret_dunning_blocked = fields.Boolean(
        "In Dispute",
        tracking=True,
        copy=False,
        help="No dunning SMS for this invoice; any still waiting is cancelled.",
    )
    duret_dunning_skip_reason = fields.Char(
        "Dunning SMS Not Sent",
        readonly=True,
        copy=False,
        help="Why the last dunning SMS could not go.",
    )
    duret_dunning_count = fields.Integer(
        "Dunning SMS", compute="_compute_duret_dunning_count", compute_sudo=True
    )

    # Ready-made texts for the dunning SMS: its placeholders may only read fields.
    duret_sms_amount_text = fields.Char(
        "Amount Due (SMS)", compute="_compute_duret_sms_texts", help="123,45: for SMS texts."
    )
    duret_sms_due_date_text = fields.Char(
        "Due Date (SMS)", compute="_compute_duret_sms_texts", help="31/12/2026: for SMS texts."
    )
    duret_sms_pay_url = fields.Char(
        "Payment Link (SMS)",
        compute="_compute_duret_sms_texts",
        help="Public link to pay the invoice online, for SMS texts.",
    )

    @api.depends("amount_residual", "invoice_date_due", "access_token", "company_id")
    def _compute_duret_sms_texts(self):
        for move in self:
            move.duret_sms_amount_text = f"{move.amount_residual:.2f}".replace(".", ",")
            move.duret_sms_due_date_text = (
                format_date(self.env, move.invoice_date_due, date_format="dd/MM/yyyy")
                if move.invoice_date_due
                else ""
            )
            move.duret_sms_pay_url = (
                move.company_id._duret_public_url(move.get_portal_url()) if move.id else ""
            )

    def _compute_duret_dunning_count(self):
        counts = {}
        sms_sudo = (
            self.env["sms.sms"]
            .sudo()
            .search(self._duret_dunning_sms_domain() + [("state", "not in", ("canceled", "error"))])
        )
        for sms in sms_sudo:
            res_id = sms.mail_message_id.res_id
            counts[res_id] = counts.get(res_id, 0) + 1
        for move in self:
            move.duret_dunning_count = counts.get(move.id, 0)

    def write(self, vals):
        result = super().write(vals)
        if vals.get("duret_dunning_blocked"):
            self._duret_cancel_pending_dunning(_("the invoice is in dispute"))
        return result

    # ------------------------------------------------------------------
    # Dunning
    # ------------------------------------------------------------------

    def _duret_dunning_sms_domain(self):
        return [
            ("mail_message_id.model", "=", "account.move"),
            ("mail_message_id.res_id", "in", self.ids),
            ("duret_category", "=", "dunning"),
        ]

    def _duret_dunning_stop_reason(self):
        """Why no dunning SMS may go for this invoice any more, or ``False``."""
        self.ensure_one()
        if self.state != "posted":
            return _("the invoice is no longer posted")
        if self.payment_state not in UNPAID_STATES:
            return _("the invoice is paid")
        if self.duret_dunning_blocked:
            return _("the invoice is in dispute")
        return False

    def _duret_cancel_pending_dunning(self, reason):
        """Cancel this invoice's dunning SMS that have not been handed over yet."""
        # sms.sms is a system-only model; only this invoice's queued dunning SMS are touched.
        pending_sudo = (
            self.env["sms.sms"]
            .sudo()
            .search(self._duret_dunning_sms_domain() + [("state", "=", "outgoing")])
        )
        if pending_sudo:
            pending_sudo._duret_set_canceled(
                False, _("Dunning SMS cancelled: %(reason)s.", reason=reason)
            )
            pending_sudo.mail_message_id._notify_message_notification_update()
        return pending_sudo

    @api.model
    def _cron_duret_sms_dunning(self):
        """Queue one dunning SMS per overdue customer invoice that needs one.

        An invoice gets one when it is posted and unpaid ``duret_sms_dunning_delay`` days
        after its due date, not in dispute, has no dunning SMS waiting, none in the last 7
        days and fewer than ``duret_sms_dunning_max``. Sending hours and the weekly limit per
        number are the queue's compliance gate's job.
        """
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search(
            [("duret_sms_dunning", "=", True), ("duret_sms_provider", "in", ("twilio", "sandbox"))]
        )
        # One company's failure is recorded on it (Settings) and never stops the others.
        companies._duret_sms_run_isolated(
            "dunning", lambda company: self._duret_dunning_company(company, today)
        )

    @api.model
    def _duret_dunning_company(self, company, today):
        overdue = self.search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", UNPAID_STATES),
                ("duret_dunning_blocked", "=", False),
                (
                    "invoice_date_due",
                    "<=",
                    today - timedelta(days=company.duret_sms_dunning_delay),
                ),
            ],
            order="invoice_date_due, id",
        )
        for move in overdue._duret_dunning_due(company):
            move.with_company(company)._duret_send_dunning()

    def _duret_dunning_due(self, company):
        """The invoices of ``self`` whose dunning SMS history allows one more now.

        Every attempt counts, whatever became of it: a cancelled, undelivered (still billed by
        Twilio) or uncertain one is not retried the next day, and counts toward the maximum
        per invoice. Invoices that reached it are told so, once, in their chatter.
        """
        if not self:
            return self
        since = fields.Datetime.now() - timedelta(days=7)
        history = self.env["sms.sms"].sudo().search(self._duret_dunning_sms_domain())
        blocked, counts = set(), {}
        for sms in history:
            res_id = sms.mail_message_id.res_id
            counts[res_id] = counts.get(res_id, 0) + 1
            # still waiting in the queue (hours, weekly cap), or tried this week
            if sms.state == "outgoing" or (sms.duret_handover_at or sms.create_date) > since:
                blocked.add(res_id)
        maximum = company.duret_sms_dunning_max
        if maximum > 0:
            for move in self.filtered(lambda m: counts.get(m.id, 0) >= maximum):
                move._duret_dunning_skip(
                    _(
                        "The %(max)s dunning SMS allowed per invoice have been sent: no more "
                        "will be (Settings > SMS > Dunning SMS per Invoice).",
                        max=maximum,
                    )
                )
        return self.filtered(
            lambda move: (
                move.id not in blocked and (maximum <= 0 or counts.get(move.id, 0) < maximum)
            )
        )

    def _duret_dunning_skip(self, reason):
        """Say once on the invoice why no dunning SMS goes (not every day the cron runs)."""
        self.ensure_one()
        if self.duret_dunning_skip_reason != reason:
            self.message_post(body=reason)
            self.duret_dunning_skip_reason = reason

    def _duret_send_dunning(self):
        """Post the dunning SMS in the invoice's chatter (the queue sends it)."""
        self.ensure_one()
        number = self.partner_id._duret_sms_mobile(self.company_id)
        if not number:
            self._duret_dunning_skip(
                _(
                    "%(customer)s has no mobile number: enter one on the customer to remind "
                    "them of this unpaid invoice by SMS.",
                    customer=self.partner_id.display_name,
                )
            )
            _logger.info("No dunning SMS for invoice %s: no mobile number", self.id)
            return False
        # phone.blacklist is system-only; only this number is looked up.
        if self.env["phone.blacklist"].sudo().search_count([("number", "=", number)]):
            self._duret_dunning_skip(
                _(
                    "%(customer)s opted out of SMS (%(number)s): no dunning SMS for this "
                    "invoice; remind them by email or phone.",
                    customer=self.partner_id.display_name,
                    number=number,
                )
            )
            return False
        self._portal_ensure_token()  # the link in the SMS opens the invoice without login
        template = self.env.ref("duret_sms_account.sms_template_invoice_dunning")
        self.with_context(duret_sms_category="dunning")._message_sms_with_template(
            template=template,
            # used when staff broke the template
            template_fallback="{{ object.company_id.name }} : sauf erreur, la facture "
            "{{ object.name }} est échue. Réglez-la en ligne : "
            "{{ object.company_id._duret_public_url(object.get_portal_url()) }}",
            partner_ids=self.partner_id.ids,
            sms_pid_to_number={self.partner_id.id: number},
        )
        self.duret_dunning_skip_reason = False
        return True
