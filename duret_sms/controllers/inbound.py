import logging
import zlib

from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import BadRequest

from odoo import api, http
from odoo.http import request

from .twilio import MAX_WEBHOOK_BODY, refuse, signed_urls

_logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(namespace, key): the namespace of the inbound webhook's per-number locks.
INBOUND_LOCK_NAMESPACE = 0x44534D53  # "DSMS"


def number_lock_key(company_id, sender):
    """The advisory lock key of the SMS ``sender`` sends to ``company_id`` (a signed 32-bit
    integer; two numbers sharing a key only wait for each other)."""
    key = zlib.crc32(f"{company_id}:{sender.strip()}".encode())
    return key - (1 << 32) if key >= 1 << 31 else key


def receive_in_order(env, company_id, params):
    """Record the SMS of ``params`` to ``company_id`` (``duret.sms.reply._duret_receive``) in
    a transaction of its own, started once the SMS that the same number sent just before are
    recorded. ``env``: the request's, whose transaction holds the number's lock until it ends.

    The SMS of one number change one conversation row. Two of them recorded at once (a customer
    writing twice in a row, Twilio repeating a request) would make the second transaction fail
    on that row (a serialization failure under Odoo's repeatable read), and Odoo retries a
    failed request after sleeping up to seconds: under load, webhooks queue behind the sleeps.
    Instead the request first takes a lock on the number, then records the SMS in a new
    transaction, whose snapshot is taken once the lock is granted: it sees what the previous
    SMS of the number wrote. SMS of other numbers never wait. A failure of that transaction
    (on other rows) still rolls the request back and lets Odoo retry it.
    """
    env.cr.execute(
        "SELECT pg_advisory_xact_lock(%s, %s)",
        (INBOUND_LOCK_NAMESPACE, number_lock_key(company_id, params.get("From") or "")),
    )
    with env.registry.cursor() as cr:
        new_env = api.Environment(cr, env.uid, dict(env.context))
        company = new_env["res.company"].sudo().browse(company_id)
        return (
            new_env["duret.sms.reply"].sudo().with_company(company)._duret_receive(params, company)
        )


class TwilioInboundController(http.Controller):
    @http.route(
        "/twilio/sms/receive",
        type="http",
        # "none", then the public user below, as the status webhook: Odoo's "public" re-reads
        # that user's row on every request.
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_WEBHOOK_BODY,
    )
    def twilio_sms_receive(self, **post):
        """An SMS a customer sent to one of the companies' Twilio numbers (Twilio's webhook)."""
        request.update_env(user=request.env["ir.model.data"]._xmlid_to_res_id("base.public_user"))
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
        params = form.to_dict(flat=True)
        try:
            receive_in_order(request.env, company_sudo.id, params)
        except ValueError as error:
            _logger.warning("Refused inbound SMS webhook: %s", error)
            raise BadRequest() from error
        return request.make_response(
            str(MessagingResponse()), headers=[("Content-Type", "text/xml; charset=utf-8")]
        )
