import logging
import re
from urllib.parse import urlsplit

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

UUID_RE = re.compile(r"^[0-9a-f]{32}$")


# Twilio's webhook bodies are a few kilobytes: anything much larger is refused (413) before
# it is parsed and hashed once per Twilio company (Odoo's default limit is 128 MiB).
MAX_WEBHOOK_BODY = 64 * 1024


def public_url(path_qs):
    """The URL Twilio called, rebuilt from the SMS setting *Public URL* (stable when an
    administrator logs in through another host name; behind a TLS proxy the request itself
    may look like plain http)."""
    return request.env["res.company"]._duret_public_url(path_qs)


def same_host(url, other):
    """Whether two URLs name the same host and port (the scheme may differ: behind a TLS
    proxy without ``proxy_mode`` the request looks like plain http)."""
    return urlsplit(url).netloc.lower() == urlsplit(other).netloc.lower()


def received_host_url():
    """Scheme and host the request reached, from its ``Host`` header (or, with ``proxy_mode``,
    the proxy's ``X-Forwarded-Host``): whatever the sender wrote, never trusted as such."""
    return request.httprequest.host_url.rstrip("/")


def signed_urls():
    """The URLs a Twilio signature of this request may be computed on: the public URL, and the
    URL the request reached when its host is the public URL's (another scheme: a TLS proxy).

    A signature computed for another host is refused: it was made for another server (a copy
    of the database, a test instance on the same Twilio account) and replayed here with a
    forged ``Host`` header.
    """
    path_qs = request_path_qs()
    urls = [public_url(path_qs)]
    received = received_host_url() + path_qs
    if same_host(received, urls[0]):
        urls.append(received)
    return list(dict.fromkeys(urls))


def request_path_qs():
    httprequest = request.httprequest
    query = httprequest.query_string.decode("latin-1")
    return httprequest.path + (f"?{query}" if query else "")


def refuse(params, signature):
    """Answer 403 to a webhook whose signature is missing or wrong, and tell Settings why.

    Returned, not raised: the refusal is written on the company named by ``AccountSid``.
    """
    _logger.warning(
        "Rejected Twilio webhook from %s: %s signature (account %s)",
        request.httprequest.remote_addr,
        "wrong" if signature else "missing",
        params.get("AccountSid") or "?",
    )
    # Settings only learn whether the request named the public host, never the host itself:
    # anyone can write any Host header.
    request.env["res.company"]._duret_webhook_refused(
        params, bool(signature), same_host(received_host_url(), public_url(""))
    )
    return request.make_response("Forbidden", status=403)


class TwilioWebhookController(http.Controller):
    @http.route(
        "/twilio/sms/status/<string:sms_uuid>",
        type="http",
        # "none", then the public user below: Odoo's "public" checks that user's row exists on
        # every request (a query on the most frequent request Twilio sends).
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_WEBHOOK_BODY,
    )
    def twilio_sms_status(self, sms_uuid, **post):
        """Delivery report of one SMS (Twilio's StatusCallback): recorded here, applied by the
        cron *SMS: apply Twilio delivery reports* within seconds (``SmsStatus.apply_reports``)."""
        if not UUID_RE.match(sms_uuid):
            raise NotFound()
        request.update_env(user=request.env["ir.model.data"]._xmlid_to_res_id("base.public_user"))
        params = request.httprequest.form.to_dict(flat=True)
        signature = request.httprequest.headers.get("X-Twilio-Signature", "")
        outcome = request.env["sms.sms"]._duret_handle_status_callback(
            sms_uuid, signed_urls(), params, signature
        )
        if outcome == "forbidden":
            return refuse(params, signature)
        if outcome == "not_found":
            raise NotFound()
        return request.make_response("", status=200)
