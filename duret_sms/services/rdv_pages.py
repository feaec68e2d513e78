"""The customer's ``/rdv/`` page: which appointment a token opens, and what the page shows."""

import re
import secrets

from odoo import fields

from .appointment_text import fr_long_date, fr_time, to_local
from .customer_answers import CustomerAnswers
from .reschedule import Rescheduling

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def new_rdv_token():
    """128 random bits in hex: the ``calendar.attendee.duret_rdv_token`` of ``/rdv/`` links."""
    return secrets.token_hex(16)


class RdvPages:
    """Public pages of ``calendar.attendee``: the token in the link is the customer's
    credential, so the attendee is found and read as superuser."""

    def __init__(self, env):
        self.env = env

    def find(self, token):
        """Return the attendee of a valid ``/rdv/`` token, as superuser, or an empty recordset.

        Tokens only work for customers, on active appointments that are not over yet.
        """
        attendees = self.env["calendar.attendee"]
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            return attendees.browse()
        # Public page: the token itself is the customer's credential, found as superuser.
        # Our own token only: Odoo's invitation token (access_token) opens nothing here, links
        # that used it (before 17.0.1.2.0) show "link not valid" (see docs/reminders.md).
        attendee_sudo = attendees.sudo().search([("duret_rdv_token", "=", token)], limit=1)
        event = attendee_sudo.event_id
        if (
            not attendee_sudo
            or not event.active
            or not attendee_sudo.duret_is_customer
            or event._duret_stop_utc() <= fields.Datetime.now()
        ):
            return attendees.browse()
        return attendee_sudo

    def page(self, token, action=None):
        """Values of the ``/rdv/`` page for ``token``, after ``action`` (confirm or cancel).

        Returns None when the token is unknown or expired. ``action`` is only given for POST.
        """
        attendee_sudo = self.find(token)
        if not attendee_sudo:
            return None
        changed = False
        if action == "confirm":
            changed = attendee_sudo._duret_customer_confirm("web")
        elif action == "cancel":
            changed = attendee_sudo._duret_customer_cancel("web")
        event = attendee_sudo.event_id
        local = event._duret_local_start()
        return {
            "token": token,
            "action": action,
            "changed": changed,
            "answer": attendee_sudo.duret_customer_answer,
            # False once the visit has started or the office declined: no buttons then.
            "answerable": CustomerAnswers.can_answer(attendee_sudo),
            "reschedulable": Rescheduling(self.env).can_reschedule(attendee_sudo),
            "moved_by_customer": event.duret_reschedule_count > 0,
            "customer": attendee_sudo.partner_id.name,
            "purpose": event.name or "",
            "date": fr_long_date(local),
            "hour_text": "Toute la journée" if event.allday else fr_time(local),
            "window_text": self._window(attendee_sudo, local),
            "address": attendee_sudo._duret_address(),
            "technician": event.user_id.name or "",
            **event._duret_company()._duret_public_contact(),
        }

    def reschedule(self, token, slot=None):
        """Values of the ``/rdv/reschedule/`` page for ``token``: the ``/rdv/`` page's, with
        ``days`` (the free slots by day, see ``Rescheduling.grouped``) and ``result``.

        With ``slot`` (POST: "YYYY-MM-DD HH:MM:SS" UTC) the visit is moved there first;
        ``result`` is then ``Rescheduling.book``'s answer, and after "moved" or "same" only
        ``token`` and ``result`` are returned (the controller redirects). None when the token
        is unknown or expired.
        """
        attendee_sudo = self.find(token)
        if not attendee_sudo:
            return None
        rescheduling = Rescheduling(self.env)
        result = rescheduling.book(attendee_sudo, slot) if slot is not None else None
        if result in ("moved", "same"):
            return {"token": token, "result": result}
        values = self.page(token)
        event = attendee_sudo.event_id
        starts = rescheduling.slots(event) if values["reschedulable"] else []
        values.update(result=result, days=rescheduling.grouped(event, starts))
        return values

    @staticmethod
    def _window(attendee, local_start):
        """The appointment's slot as the customer reads it: "de 14h00 à 16h00"."""
        event = attendee.event_id
        if event.allday:
            return "Toute la journée"
        tz = event._duret_company().duret_sms_tz
        local_stop = to_local(event.stop or event.start, tz).replace(tzinfo=None)
        if local_stop <= local_start:
            return f"à {fr_time(local_start)}"
        return f"de {fr_time(local_start)} à {fr_time(local_stop)}"
