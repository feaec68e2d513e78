import re
import secrets

from odoo import api, fields, models

from ..core import short_text
from .calendar_attendee import FR_DAYS, fr_time, gsm_safe

SHORT_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16}$")
# The fixed text of the default reminder (sms_template_appointment_reminder):
# "<company> : RDV <when>, <where>. Confirmer ou annuler : <link>". The place gets what the
# other parts leave of one segment; tests check this stays the template's fixed length.
REMINDER_FIXED_CHARS = len(" : RDV , . Confirmer ou annuler : ")
ONE_SEGMENT = 160


def _new_token():
    return secrets.token_urlsafe(12)


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    # 96 random bits in base64url (16 characters): the /r/ link of one-segment reminders. Set at
    # creation (the upgrade to 17.0.1.1.0 gives one to attendees of appointments still ahead).
    duret_short_token = fields.Char("Short Link Token", copy=False, readonly=True)
    duret_rdv_where = fields.Char(
        "Short Place", compute="_compute_duret_rdv_short", help="Fits what one SMS leaves."
    )
    duret_rdv_short_url = fields.Char("Short Link", compute="_compute_duret_rdv_short")
    duret_rdv_when_short = fields.Char("Short Date", compute="_compute_duret_rdv_short")

    _sql_constraints = [
        (
            "duret_short_token_unique",
            "unique(duret_short_token)",
            "Each appointment link must be unique.",
        )
    ]

    @api.depends(
        "duret_short_token",
        "access_token",
        "partner_id.street",
        "partner_id.city",
        "event_id.start",
        "event_id.location",
    )
    @api.depends_context("uid")
    def _compute_duret_rdv_short(self):
        for attendee in self:
            url = attendee.duret_rdv_url
            if attendee.duret_short_token:
                url = self.env["res.company"]._duret_public_url(f"/r/{attendee.duret_short_token}")
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
            attendee.duret_rdv_when_short = when
            attendee.duret_rdv_short_url = url
            attendee.duret_rdv_where = short_text.short_where(
                ONE_SEGMENT - used,
                street=self._duret_gsm(partner.street),
                city=self._duret_gsm(partner.city),
                location=self._duret_gsm(attendee.event_id.location),
            )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals, duret_short_token=_new_token()) for vals in vals_list]
        return super().create(vals_list)

    @api.model
    def _duret_gsm(self, text):
        return gsm_safe(text) if text else ""

    def _duret_ensure_short_token(self):
        """Give every attendee of ``self`` its short link token if it has none yet."""
        for attendee in self.filtered(lambda a: not a.duret_short_token):
            attendee.duret_short_token = _new_token()

    @api.model
    def _duret_rdv_find_short(self, short_token):
        """Return the attendee (as superuser) of a valid ``/r/`` token, or an empty recordset;
        the same rules as the ``/rdv/`` page apply (see ``_duret_rdv_find``)."""
        if not isinstance(short_token, str) or not SHORT_TOKEN_RE.match(short_token):
            return self.browse()
        # Public page: the 96-bit token is the customer's credential, found as superuser.
        attendee_sudo = self.sudo().search([("duret_short_token", "=", short_token)], limit=1)
        if not attendee_sudo:
            return self.browse()
        return self._duret_rdv_find(attendee_sudo.access_token)
