from odoo import http
from odoo.http import request

from .appointment import AppointmentController


class ShortLinkController(http.Controller):
    """``/r/<token>``: the short link of one-segment reminders (96 random bits, base64url).

    It shows the very page of ``/rdv/<token>`` (same template, same rules); the page's buttons
    post to the ``/rdv/`` routes with the attendee's long token, so confirming and cancelling
    have one implementation. GET never changes anything.
    """

    @http.route(
        "/r/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        save_session=False,
    )
    def short_link(self, token, **kw):
        attendee_sudo = request.env["calendar.attendee"]._duret_rdv_find_short(token)
        # An unknown short token renders the same "link not valid" page as /rdv/.
        return AppointmentController()._render(attendee_sudo.access_token or "")
