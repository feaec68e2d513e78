import re

from odoo import http
from odoo.http import request

UUID_RE = re.compile(r"^[0-9a-f]{32}$")
CHOICES = ("commercial", "all")


def no_store(response):
    """The page is about one customer's number: no shared cache keeps it."""
    response.headers["Cache-Control"] = "no-store"
    return response


class SmsOptoutController(http.Controller):
    """The unsubscribe link of commercial SMS: GET shows (link previewers open URLs), POST acts.

    The customer chooses: no more promotions (commercial consent withdrawn, service SMS such as
    reminders keep coming) or no SMS at all (the number is blacklisted).
    """

    def _page(self, state, status=200, **values):
        return no_store(
            request.render("duret_sms.sms_optout_page", dict(values, state=state), status=status)
        )

    @http.route(
        "/sms/optout/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        sitemap=False,
        save_session=False,
    )
    def sms_optout(self, token, choice=None, **post):
        # The unguessable token in the URL is the proof; no session, so no CSRF token.
        if not UUID_RE.match(token):
            return self._page("invalid", status=404)
        if request.httprequest.method == "GET" or choice not in CHOICES:
            previous = request.env["sms.sms"]._duret_optout_previous_choice(token)
            if previous is None:
                return self._page("invalid", status=404)
            return self._page("ask", token=token, previous=previous)
        sms_sudo = request.env["sms.sms"]._duret_optout_from_link(token, choice)
        if not sms_sudo:
            return self._page("invalid", status=404)
        return self._page(f"done_{choice}")
