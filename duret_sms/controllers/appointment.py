from odoo import http
from odoo.http import request

from .optout import no_store


class AppointmentController(http.Controller):
    """The page behind the reminder's link: GET shows and never changes anything (link
    previewers and antivirus scanners open URLs), POST confirms, cancels or moves.

    CSRF: the routes are ``csrf=False`` on purpose. The 128-bit attendee token in the URL is
    the customer's credential: a forged cross-site POST would need the token, and whoever has
    it can POST anyway. Customers open the link from an SMS without an Odoo session, often
    hours later, and a session-bound CSRF token would then fail with an error page.
    """

    def _render(self, token, ask=None):
        values = request.env["calendar.attendee"]._duret_rdv_page(token)
        if values is None:
            return no_store(self._not_found())
        return no_store(request.render("duret_sms.rdv_page", dict(values, ask=ask)))

    def _not_found(self):
        # Same page for unknown, expired and malformed tokens: it reveals nothing but who to call.
        contact = request.env.company._duret_public_contact()
        return request.render("duret_sms.rdv_page_not_found", contact, status=404)

    @http.route(
        "/rdv/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        save_session=False,
    )
    def rdv_show(self, token, **kw):
        return self._render(token)

    @http.route(
        ["/rdv/confirm/<string:token>", "/rdv/cancel/<string:token>"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        sitemap=False,
        save_session=False,
    )
    def rdv_answer(self, token, **kw):
        action = "confirm" if request.httprequest.path.startswith("/rdv/confirm/") else "cancel"
        if request.httprequest.method == "GET":
            # GET only asks the question; the form's POST answers it.
            return self._render(token, ask=action)
        if request.env["calendar.attendee"]._duret_rdv_page(token, action=action) is None:
            return no_store(self._not_found())
        # Post/Redirect/Get: reloading the page the customer lands on never posts again.
        return request.redirect(f"/rdv/{token}", code=303, local=True)

    @http.route(
        "/rdv/reschedule/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        sitemap=False,
        save_session=False,
    )
    def rdv_reschedule(self, token, slot=None, **kw):
        if request.httprequest.method == "GET":
            slot = None  # GET only lists the free slots, whatever its query string says.
        values = request.env["calendar.attendee"]._duret_rdv_reschedule(token, slot=slot)
        if values is None:
            return no_store(self._not_found())
        if values["result"] in ("moved", "same"):
            # Post/Redirect/Get: the appointment page shows the new time.
            return request.redirect(f"/rdv/{token}", code=303, local=True)
        # A slot taken meanwhile (or a stale list): 200, the message and the fresh slots.
        return no_store(request.render("duret_sms.rdv_reschedule_page", values))
