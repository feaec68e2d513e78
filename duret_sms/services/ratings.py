"""The satisfaction page behind the thank-you SMS: a 1-5 rating and an optional comment, once
per visit. GET shows, POST records (link previewers open URLs)."""

from markupsafe import Markup

from odoo import _, fields

from .appointment_text import fr_long_date
from .short_links import SHORT_TOKEN_RE

COMMENT_MAX = 2000
# Ratings at or above this invite to a public review; at or below LOW_RATING the office calls.
GOOD_RATING = 4
LOW_RATING = 2


class RatingPages:
    """Public pages of ``calendar.attendee``: the short token in the link is the customer's
    credential, so the attendee is found and written as superuser."""

    def __init__(self, env):
        self.env = env

    def find(self, token):
        """The customer attendee of a done visit for short ``token`` (as superuser), or empty."""
        attendees = self.env["calendar.attendee"]
        if not isinstance(token, str) or not SHORT_TOKEN_RE.match(token):
            return attendees.browse()
        # Public page: the 96-bit token is the customer's credential, found as superuser.
        attendee_sudo = attendees.sudo().search([("duret_short_token", "=", token)], limit=1)
        if (
            not attendee_sudo
            or not attendee_sudo.duret_is_customer
            or attendee_sudo.duret_attendance != "done"
        ):
            return attendees.browse()
        return attendee_sudo

    def page(self, token, rating=None, comment=None):
        """Values of the rating page for ``token`` after recording ``rating`` (POST only), or
        None for an unknown token. A visit is rated once: a second POST changes nothing."""
        attendee_sudo = self.find(token)
        if not attendee_sudo:
            return None
        recorded = False
        if rating is not None and not attendee_sudo.duret_rating:
            recorded = self.record(attendee_sudo, rating, comment)
        icp_sudo = self.env["ir.config_parameter"].sudo()  # system parameters: admin ACL
        review_url = (icp_sudo.get_param("duret_sms.review_url") or "").strip()
        event = attendee_sudo.event_id
        return {
            "token": token,
            "recorded": recorded,
            "rating": attendee_sudo.duret_rating,
            "customer": attendee_sudo.partner_id.name,
            "date": fr_long_date(event._duret_local_start()),
            "technician": event.user_id.name or "",
            "review_url": review_url
            if attendee_sudo.duret_rating >= GOOD_RATING and review_url.startswith("http")
            else "",
            **event._duret_company()._duret_public_contact(),
        }

    def record(self, attendee_sudo, rating, comment):
        """Record ``rating`` (1-5, as text from the form) and ``comment``; True when done."""
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            return False
        if not 1 <= rating <= 5:
            return False
        comment = (comment or "").strip()[:COMMENT_MAX] or False
        attendee_sudo.write(
            {
                "duret_rating": rating,
                "duret_rating_comment": comment,
                "duret_rating_at": fields.Datetime.now(),
            }
        )
        event = attendee_sudo.event_id
        event.message_post(
            body=_(
                "%(customer)s rated the visit %(rating)s/5.",
                customer=attendee_sudo.partner_id.name,
                rating=rating,
            ),
            subtype_xmlid="mail.mt_note",
        )
        if rating <= LOW_RATING:
            self._tell_office(attendee_sudo, rating, comment)
        return True

    def _tell_office(self, attendee_sudo, rating, comment):
        event = attendee_sudo.event_id
        office = event.create_uid if event.create_uid and not event.create_uid.share else None
        attendee_sudo._duret_activity_record().activity_schedule(
            "mail.mail_activity_data_call",
            user_id=(office or event.user_id or self.env.ref("base.user_admin")).id,
            summary=_("Unhappy customer (%(rating)s/5): call them back", rating=rating),
            # An HTML field: the customer's words are escaped.
            note=Markup("<p>%s</p>")
            % _(
                "%(customer)s rated the visit of %(date)s %(rating)s/5. Comment: %(comment)s",
                customer=attendee_sudo.partner_id.name,
                date=event._duret_local_start().strftime("%d/%m/%Y"),
                rating=rating,
                comment=comment or _("none"),
            ),
        )
