"""sms.sms: Twilio delivery reports and the price/status reconciliation cron."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core import twilio_codes
from ..core.gateway import GatewayError

_logger = logging.getLogger(__name__)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _duret_apply_twilio_status(self, twilio_status, error_code=None):
        """Move the SMS forward to what Twilio reports; never backwards.

        Twilio does not guarantee the order of status callbacks ("delivered" may arrive before
        "sent"), so a report that would move the SMS back is ignored.
        """
        self.ensure_one()
        new_state = twilio_codes.TWILIO_STATUS_TO_SMS_STATE.get(twilio_status or "")
        if not new_state or not twilio_codes.is_forward(self.state, new_state):
            return False
        self.write(
            {
                "twilio_status": twilio_status,
                "duret_status_at": fields.Datetime.now(),
            }
        )
        if new_state == "error":
            info = twilio_codes.error_info(error_code)
            self.twilio_error_code = error_code or 0
            self._duret_set_failed(info.failure_type, info.message)
            if error_code == twilio_codes.OPTED_OUT_CODE:
                self._duret_blacklist_opted_out()
        else:
            self.write({"state": new_state, "failure_type": False})
            self.sms_tracker_id._action_update_from_sms_state(new_state)
        return True

    @api.model
    def _duret_handle_status_callback(self, sms_uuid, url, params, signature):
        """Process one Twilio status callback; return "ok", "forbidden" or "not_found".

        :param url: the public URL Twilio called (from ``web.base.url``), for the signature;
        :param params: every POST parameter, unchanged.
        """
        sms_sudo = self.sudo().search([("uuid", "=", sms_uuid)], limit=1)
        if not sms_sudo:
            companies = (
                self.env["res.company"].sudo().search([("duret_sms_provider", "=", "twilio")])
            )
            signed = any(c._duret_twilio_signature_valid(url, params, signature) for c in companies)
            return "not_found" if signed else "forbidden"
        company = sms_sudo._duret_company()
        if not company._duret_twilio_signature_valid(url, params, signature):
            return "forbidden"
        if sms_sudo.twilio_sid and params.get("MessageSid") not in (None, sms_sudo.twilio_sid):
            _logger.warning("Status callback for SMS %s names another message", sms_uuid)
            return "forbidden"
        if not sms_sudo.twilio_sid and params.get("MessageSid"):
            # The callback arrived before the hand-over's answer was recorded.
            sms_sudo.twilio_sid = params["MessageSid"]
        status = params.get("MessageStatus") or params.get("SmsStatus")
        try:
            error_code = int(params.get("ErrorCode") or 0) or None
        except ValueError:
            error_code = None
        if sms_sudo._duret_apply_twilio_status(status, error_code):
            sms_sudo.mail_message_id._notify_message_notification_update()
        return "ok"

    @api.model
    def _cron_duret_fetch_prices(self, limit=200):
        """Fetch from Twilio what it did not know at send time: price, final status."""
        self = self.sudo()
        now = fields.Datetime.now()
        todo = self.search(
            [
                ("duret_provider", "=", "twilio"),
                ("twilio_sid", "!=", False),
                ("duret_price_known", "=", False),
                ("duret_handover_at", "<", now - timedelta(minutes=5)),
                ("duret_handover_at", ">", now - timedelta(days=30)),
            ],
            limit=limit,
            order="duret_handover_at",
        )
        for company, records in todo.grouped("company_id").items():
            try:
                gateway = company._duret_twilio_gateway()
            except UserError:
                continue
            for sms in records:
                try:
                    result = gateway.fetch(sms.twilio_sid)
                except GatewayError as error:
                    _logger.info("Could not fetch Twilio message %s: %s", sms.twilio_sid, error)
                    continue
                sms._duret_apply_twilio_status(result.status, result.error_code)
                vals = sms._duret_segment_vals(result.num_segments)
                if result.price is not None:
                    vals.update(
                        duret_price=result.price,
                        duret_price_unit=(result.price_unit or "").upper(),
                        duret_price_known=True,
                    )
                elif result.status in ("failed", "canceled"):
                    vals["duret_price_known"] = True  # never charged: stop asking
                sms.write(vals)
        todo.mail_message_id._notify_message_notification_update()
