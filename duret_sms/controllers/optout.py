import re

from odoo import http
from odoo.http import request

UUID_RE = re.compile(r"^[0-9a-f]{32}$")


class SmsOptoutController(http.Controller):
    """The unsubscribe link of commercial SMS: GET shows (link previewers open URLs), POST acts."""

    @http.route(
        "/sms/optout/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        sitemap=False,
    )
    def sms_optout(self, token, **post):
        # The unguessable token in the URL is the proof; no session, so no CSRF token.
        if not UUID_RE.match(token):
            return request.render("duret_sms.sms_optout_page", {"state": "invalid"}, status=404)
        if request.httprequest.method == "GET":
            exists = bool(request.env["sms.sms"].sudo().search_count([("uuid", "=", token)]))
            state = "ask" if exists else "invalid"
            return request.render(
                "duret_sms.sms_optout_page",
                {"state": state, "token": token},
                status=200 if exists else 404,
            )
        sms_sudo = request.env["sms.sms"]._duret_optout_from_link(token)
        state = "done" if sms_sudo else "invalid"
        return request.render(
            "duret_sms.sms_optout_page", {"state": state}, status=200 if sms_sudo else 404
        )
