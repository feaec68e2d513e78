"""How an SMS reads for office staff: reasons and statuses in their language, money as money
(the translation tables are in ``tools/twilio_texts.py``)."""

import re

from odoo import api, fields, models

from ..tools.twilio_texts import translate_reason, twilio_status_label


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # Twilio prices have four decimals (0.0760 EUR a segment); five only showed a trailing zero.
    duret_price = fields.Float(digits=(12, 4))
    duret_currency_id = fields.Many2one(
        "res.currency", "Price Currency", compute="_compute_duret_currency_id"
    )
    duret_failure_text = fields.Text(
        "Why",
        compute="_compute_duret_texts",
        help="Why the SMS failed or was cancelled, in your language.",
    )
    duret_deferral_text = fields.Text(
        "Waiting",
        compute="_compute_duret_texts",
        help="Why the SMS waits in the queue and until when: it will be sent by itself.",
    )
    duret_twilio_status_label = fields.Char("Twilio Status", compute="_compute_duret_texts")
    duret_error_code_text = fields.Char("Error Code", compute="_compute_duret_texts")
    duret_is_deferred = fields.Boolean("Deferred", compute="_compute_duret_texts")
    # One line each, for the list view (Text columns wrap and make rows screen-high).
    duret_body_preview = fields.Char("Message", compute="_compute_duret_body_preview")
    duret_failure_summary = fields.Char("Why", compute="_compute_duret_texts")

    @api.depends("duret_price_unit", "company_id")
    def _compute_duret_currency_id(self):
        units = {unit for unit in self.mapped("duret_price_unit") if unit}
        currencies = {}
        if units:
            currency_model = self.env["res.currency"].with_context(active_test=False)
            currencies = {
                currency.name: currency
                for currency in currency_model.search([("name", "in", list(units))])
            }
        for sms in self:
            sms.duret_currency_id = (
                currencies.get(sms.duret_price_unit) or sms._duret_company().currency_id
            )

    @api.depends("body")
    def _compute_duret_body_preview(self):
        for sms in self:
            body = " ".join((sms.body or "").split())
            sms.duret_body_preview = body if len(body) <= 80 else body[:79] + "…"

    @api.depends(
        "state",
        "duret_failure_reason",
        "duret_not_before",
        "twilio_error_code",
        "twilio_status",
    )
    @api.depends_context("lang")
    def _compute_duret_texts(self):
        now = fields.Datetime.now()
        for sms in self:
            reason = translate_reason(self.env, sms.duret_failure_reason, sms.twilio_error_code)
            deferred = bool(
                sms.state == "outgoing" and sms.duret_not_before and sms.duret_not_before > now
            )
            sms.duret_is_deferred = deferred
            # A deferral, or a transient failure Twilio will be asked again about, is
            # information: the SMS still goes by itself. Only a final state is a failure.
            sms.duret_deferral_text = reason if deferred else False
            sms.duret_failure_text = reason if not deferred else False
            # The explanation before its advice: "The recipient's phone is off (30003)".
            sms.duret_failure_summary = (
                re.split(r"\s?:\s", sms.duret_failure_text, maxsplit=1)[0]
                if sms.duret_failure_text
                else False
            )
            sms.duret_twilio_status_label = twilio_status_label(self.env, sms.twilio_status)
            code = sms.twilio_error_code
            sms.duret_error_code_text = str(code) if code else False

    # ------------------------------------------------------------------
    # Texts written by the queue (a cron: no user, no language) read in the company's language
    # ------------------------------------------------------------------

    def _duret_in_company_lang(self, company):
        lang = company.partner_id.lang
        if lang and lang != self.env.lang:
            return self.with_context(lang=lang)
        return self
