import logging

from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import BadRequest

from odoo import http
from odoo.http import request

from .twilio import MAX_WEBHOOK_BODY, refuse, signed_urls

_logger = logging.getLogger(__name__)


class TwilioInboundController(http.Controller):
    @http.route(
        "/twilio/sms/receive",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_WEBHOOK_BODY,
    )
    def twilio_sms_receive(self, **post):
        """An SMS a customer sent to one of the companies' Twilio numbers (Twilio's webhook)."""
        form = request.httprequest.form
        signature = request.httprequest.headers.get("X-Twilio-Signature", "")
        # Public webhook: finding the company means reading Auth Tokens (administrators only);
        # nothing is written before the signature proves the request comes from Twilio.
        reply_model_sudo = request.env["duret.sms.reply"].sudo()
        company_sudo = (
            reply_model_sudo._duret_inbound_company(signed_urls(), form, signature)
            if signature
            else None
        )
        if not company_sudo:
            return refuse(form, signature)
        try:
            reply_model_sudo.with_company(company_sudo)._duret_receive(
                form.to_dict(flat=True), company_sudo
            )
        except ValueError as error:
            _logger.warning("Refused inbound SMS webhook: %s", error)
            raise BadRequest() from error
        return request.make_response(
            str(MessagingResponse()), headers=[("Content-Type", "text/xml; charset=utf-8")]
        )
