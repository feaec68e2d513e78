from odoo import http
from odoo.http import request

from .optout import no_store


class RatingController(http.Controller):
    """``/avis/<short token>``: the satisfaction page of the thank-you SMS. GET shows and never
    records (link previewers open URLs); POST records the rating once, then 303 to the GET.

    ``csrf=False`` for the reason given on the ``/rdv/`` routes: the 96-bit token in the URL is
    the customer's credential, and the page is opened from an SMS without an Odoo session.
    """

    def _not_found(self):
        contact = request.env.company._duret_public_contact()
        return no_store(request.render("duret_sms.rdv_page_not_found", contact, status=404))

    @http.route(
        "/avis/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        save_session=False,
    )
    def rating_show(self, token, **kw):
        values = request.env["calendar.attendee"]._duret_rating_page(token)
        if values is None:
            return self._not_found()
        return no_store(request.render("duret_sms.rating_page", values))

    @http.route(
        "/avis/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        sitemap=False,
        save_session=False,
    )
    def rating_post(self, token, rating=None, comment=None, **kw):
        values = request.env["calendar.attendee"]._duret_rating_page(
            token, rating=rating or "", comment=comment
        )
        if values is None:
            return self._not_found()
        # Post/Redirect/Get: reloading the page never posts again.
        return request.redirect(f"/avis/{token}", code=303, local=True)
