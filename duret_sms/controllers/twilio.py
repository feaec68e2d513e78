import logging
import re

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

UUID_RE = re.compile(r"^[0-9a-f]{32}$")


def public_url(path_qs):
    """Rebuild the URL Twilio called from ``web.base.url`` (behind a TLS proxy the request
    itself may look like plain http, which would break the signature)."""
    base_url = request.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
    return base_url.rstrip("/") + path_qs


def request_path_qs():
    httprequest = request.httprequest
    query = httprequest.query_string.decode("latin-1")
    return httprequest.path + (f"?{query}" if query else "")


class TwilioWebhookController(http.Controller):
    @http.route(
        "/twilio/sms/status/<string:sms_uuid>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def twilio_sms_status(self, sms_uuid, **post):
        """Delivery report of one SMS (Twilio's StatusCallback)."""
        if not UUID_RE.match(sms_uuid):
            raise NotFound()
        params = request.httprequest.form.to_dict(flat=True)
        signature = request.httprequest.headers.get("X-Twilio-Signature", "")
        outcome = request.env["sms.sms"]._duret_handle_status_callback(
            sms_uuid, public_url(request_path_qs()), params, signature
        )
        if outcome == "forbidden":
            _logger.warning("Rejected Twilio status callback for %s: bad signature", sms_uuid)
            raise Forbidden()
        if outcome == "not_found":
            raise NotFound()
        return request.make_response("", status=200)
