"""How an SMS reads for office staff: reasons and statuses in their language, money as money,
one-line previews for the list, and what they may do with it. The computes of ``sms.sms``
call it; the translation tables are in ``tools/twilio_texts.py``."""

import re

from odoo import fields

from ..tools.twilio_texts import translate_reason, twilio_status_label
from .sms_staff_actions import RETRIABLE_FAILURE_TYPES


class SmsDisplay:
    """``SmsDisplay(env)``: fills the computed display fields of the ``sms.sms`` records passed
    in; ``env`` serves the searches and the texts (their language)."""

    def __init__(self, env):
        self.env = env

    def compute_currency(self, smss):
        """``duret_currency_id``: the currency Twilio priced the SMS in, else the company's."""
        units = {unit for unit in smss.mapped("duret_price_unit") if unit}
        currencies = {}
        if units:
            currency_model = self.env["res.currency"].with_context(active_test=False)
            currencies = {
                currency.name: currency
                for currency in currency_model.search([("name", "in", list(units))])
            }
        for sms in smss:
            sms.duret_currency_id = (
                currencies.get(sms.duret_price_unit) or sms._duret_company().currency_id
            )

    def compute_body_preview(self, smss):
        """``duret_body_preview``: the body on one line of at most 80 characters."""
        for sms in smss:
            body = " ".join((sms.body or "").split())
            sms.duret_body_preview = body if len(body) <= 80 else body[:79] + "…"

    def compute_texts(self, smss):
        """Why the SMS failed or waits, its Twilio status and error code, in words."""
        now = fields.Datetime.now()
        for sms in smss:
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

    def compute_actions(self, smss):
        """``duret_can_retry`` and ``duret_can_cancel`` (see ``services/sms_staff_actions.py``)."""
        for sms in smss:
            sms.duret_can_retry = (
                sms.state == "error"
                and (sms.failure_type or "unknown") in RETRIABLE_FAILURE_TYPES
                and sms._duret_company()._duret_sms_uses_own_provider()
            )
            sms.duret_can_cancel = sms.state == "outgoing"
