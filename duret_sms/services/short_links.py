"""The ``/v/`` short link of one-segment reminders, and the reminder parts sized to fit it.

``/r/`` was the prefix until 17.0.1.2.0: it is Odoo's ``link_tracker`` route (``/r/<code>``),
so new links use ``/v/`` (no Odoo 17 route uses it) and ``/r/<our token>`` is only kept for
the reminders already sent (see ``controllers/short_link.py``)."""

import re
import secrets

from ..core import short_text
from .appointment_text import FR_DAYS, fr_time, gsm_safe
from .rdv_pages import RdvPages

SHORT_TOKEN_PATTERN = r"[A-Za-z0-9_-]{16}"
SHORT_TOKEN_RE = re.compile(rf"^{SHORT_TOKEN_PATTERN}$")
SHORT_PREFIX = "/v/"
# The fixed text of the default reminder (sms_template_appointment_reminder):
# "<company> : RDV <when>, <where>. Confirmer ou annuler : <link>". The place gets what the
# other parts leave of one segment; tests check this stays the template's fixed length.
REMINDER_FIXED_CHARS = len(" : RDV , . Confirmer ou annuler : ")
ONE_SEGMENT = 160


def new_token():
    """96 random bits in base64url: 16 characters."""
    return secrets.token_urlsafe(12)


def _gsm(text):
    return gsm_safe(text) if text else ""


def one_segment_parts(attendee):
    """The short date, short link and short place of ``attendee``'s reminder: what the
    ``duret_rdv_when_short``, ``duret_rdv_short_url`` and ``duret_rdv_where`` fields hold."""
    url = attendee.duret_rdv_url
    if attendee.duret_short_token:
        url = attendee.env["res.company"]._duret_public_url(
            f"{SHORT_PREFIX}{attendee.duret_short_token}"
        )
    event = attendee.event_id
    local = event._duret_local_start()
    # "mer. 09/12 à 10h30": the abbreviated day leaves the place four more characters.
    when = f"{FR_DAYS[local.weekday()][:3]}. {local.day:02d}/{local.month:02d}"
    if not event.allday:
        when += f" à {fr_time(local)}"
    used = (
        REMINDER_FIXED_CHARS
        + short_text.units(attendee.duret_rdv_company_name)
        + short_text.units(when)
        + short_text.units(url)
    )
    partner = attendee.partner_id
    return {
        "duret_rdv_when_short": when,
        "duret_rdv_short_url": url,
        "duret_rdv_where": short_text.short_where(
            ONE_SEGMENT - used,
            street=_gsm(partner.street),
            city=_gsm(partner.city),
            location=_gsm(event.location),
        ),
    }


class ShortLinks:
    """Short link tokens of ``calendar.attendee`` (``duret_short_token``)."""

    def __init__(self, env):
        self.env = env

    @staticmethod
    def ensure_tokens(attendees):
        """Give every attendee of ``attendees`` its short link token if it has none yet."""
        for attendee in attendees.filtered(lambda a: not a.duret_short_token):
            attendee.duret_short_token = new_token()

    def find(self, short_token):
        """Return the attendee (as superuser) of a valid short link token, or an empty recordset;
        the same rules as the ``/rdv/`` page apply (see ``RdvPages.find``)."""
        attendees = self.env["calendar.attendee"]
        if not isinstance(short_token, str) or not SHORT_TOKEN_RE.match(short_token):
            return attendees.browse()
        # Public page: the 96-bit token is the customer's credential, found as superuser.
        attendee_sudo = attendees.sudo().search([("duret_short_token", "=", short_token)], limit=1)
        if not attendee_sudo:
            return attendees.browse()
        return RdvPages(self.env).find(attendee_sudo.duret_rdv_token)
