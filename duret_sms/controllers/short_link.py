from odoo import http
from odoo.http import request

from .appointment import AppointmentController


class ShortLinkController(http.Controller):
    """``/v/<token>``: the short link of one-segment reminders (96 random bits, base64url).

    It shows the very page of ``/rdv/<token>`` (same template, same rules); the page's buttons
    post to the ``/rdv/`` routes with the attendee's long token, so confirming and cancelling
    have one implementation. GET never changes anything.

    ``/r/`` belongs to Odoo's ``link_tracker`` (``/r/<code>``, installed with Email and SMS
    Marketing): our links used it until 17.0.1.2.0, and the reminders already sent keep
    working through ``/r/<duret_short:token>``, a converter that matches only our token's
    shape and is tried before link_tracker's ``<string:code>``. A link_tracker code of that
    very shape is still link_tracker's (see ``legacy_short_link``).
    """

    def _show(self, token):
        attendee_sudo = request.env["calendar.attendee"]._duret_rdv_find_short(token)
        # An unknown short token renders the same "link not valid" page as /rdv/.
        return AppointmentController()._render(attendee_sudo.duret_rdv_token or "")

    @http.route(
        "/v/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        save_session=False,
    )
    def short_link(self, token, **kw):
        return self._show(token)

    @http.route(
        "/r/<duret_short:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        save_session=False,
    )
    def legacy_short_link(self, token, **kw):
        if not request.env["calendar.attendee"].sudo().search_count(
            [("duret_short_token", "=", token)], limit=1
        ) and self._is_link_tracker_code(token):
            # Not one of ours: link_tracker's redirect, as if its route had matched.
            from odoo.addons.link_tracker.controller.main import LinkTracker

            return LinkTracker().full_url_redirect(token, **kw)
        return self._show(token)

    @staticmethod
    def _is_link_tracker_code(code):
        if "link.tracker.code" not in request.env:
            return False
        # Public route: whether the code exists, as link_tracker itself looks it up.
        codes_sudo = request.env["link.tracker.code"].sudo()
        return bool(codes_sudo.search_count([("code", "=", code)], limit=1))
