""" "Technicien en route": the customer gets the technician's arrival time by SMS.

The arrival comes from the technician's position (the phone's, when the browser gives it; else
their base, ``res.users.duret_base_latitude/longitude``) and the customer's coordinates
(``res.partner.partner_latitude/longitude``, filled by Odoo's geolocation), through
``core/eta.py`` with the road factor and speed of Settings; or the technician picks 15, 30 or
45 minutes. At most one SMS per appointment every 30 minutes; a later one gives the new time.
"""

from odoo import _, fields

from ..core import eta
from .appointment_text import fr_time, to_local
from .visit_messages import VisitMessages

INTERVAL_MINUTES = 30
TEMPLATES = {
    "en_route": "duret_sms.sms_template_en_route",
    "en_route_update": "duret_sms.sms_template_en_route_update",
}


class EnRoute:
    """``EnRoute(env).send(event, ...)``: the one implementation behind the *En route* button."""

    def __init__(self, env):
        self.env = env

    def _result(self, sent, reason, at=False):
        return {"sent": sent, "eta": at, "reason": reason}

    def send(self, event, eta_minutes=None, position=None):
        """Send the en-route SMS of ``event`` to its customers.

        ``eta_minutes``: the technician's pick (15/30/45...); else computed from ``position``
        ((latitude, longitude) of the phone) or the technician's base. Returns
        ``{"sent": bool, "eta": naive UTC datetime or False, "reason": str}``; nothing is
        raised for the expected refusals (they are the reason).
        """
        event.ensure_one()
        company = event._duret_company()
        now = fields.Datetime.now()
        if not company._duret_sms_uses_own_provider():
            return self._result(
                False, _("SMS to customers need the Twilio or Sandbox provider (Settings > SMS).")
            )
        if not event.active or event.duret_attendance or event._duret_stop_utc() <= now:
            return self._result(False, _("This appointment is over, recorded or archived."))
        customers = event.attendee_ids.filtered(
            lambda a: (
                a.duret_is_customer
                and a.state != "declined"
                and a.duret_customer_answer != "cancelled"
            )
        )
        if not customers:
            return self._result(False, _("No customer to tell on this appointment."))
        allowed, next_at = eta.may_send_again(event.duret_en_route_at, now, INTERVAL_MINUTES)
        if not allowed:
            tz = company.duret_sms_tz
            return self._result(
                False,
                _(
                    "Already sent at %(sent)s: the customer can be sent a new arrival time "
                    "from %(next)s.",
                    sent=fr_time(to_local(event.duret_en_route_at, tz)),
                    next=fr_time(to_local(next_at, tz)),
                ),
                event.duret_en_route_eta,
            )
        minutes, origin = self._minutes(event, customers, eta_minutes, position, company)
        if minutes is None:
            return self._result(
                False,
                _(
                    "The arrival time cannot be computed (no position for you or the customer): "
                    "pick 15, 30 or 45 minutes."
                ),
            )
        arrival = eta.arrival(now, minutes)
        kind = "en_route_update" if event.duret_en_route_at else "en_route"
        previous = {
            "duret_en_route_at": event.duret_en_route_at,
            "duret_en_route_eta": event.duret_en_route_eta,
        }
        # The texts read the arrival time from the appointment.
        event.write({"duret_en_route_at": now, "duret_en_route_eta": arrival})
        sms_sudo = VisitMessages(self.env).send_sms(
            customers, kind, TEMPLATES[kind], company, expires_at=arrival, send=False
        )
        if not sms_sudo:
            event.write(previous)
            return self._result(False, _("The customer has no mobile number."), False)
        # The gate now, so that the technician learns at once when the SMS cannot go in time.
        sms_sudo.with_context(lang=self.env.lang)._duret_apply_sending_rules(company, now)
        going = sms_sudo.filtered(lambda s: s.state == "outgoing")
        time_text = fr_time(to_local(arrival, company.duret_sms_tz))
        if not going:
            event.write(previous)
            reason = "; ".join(filter(None, sms_sudo.mapped("duret_failure_reason")))
            event.message_post(
                body=_("En route SMS not sent: %(reason)s", reason=reason),
                subtype_xmlid="mail.mt_note",
            )
            return self._result(False, reason, False)
        going.send()
        event.message_post(
            body=_(
                "En route SMS sent to %(customers)s: arrival about %(time)s (%(origin)s).",
                customers=", ".join(going.partner_id.mapped("name")),
                time=time_text,
                origin=origin,
            ),
            subtype_xmlid="mail.mt_note",
        )
        if kind == "en_route_update":
            reason = _("New arrival time sent: about %(time)s.", time=time_text)
        else:
            reason = _("Sent: arrival about %(time)s.", time=time_text)
        return self._result(True, reason, arrival)

    def _minutes(self, event, customers, eta_minutes, position, company):
        """(travel minutes or None, how they were found, in words)."""
        if eta_minutes:
            minutes = int(eta_minutes)
            if 0 < minutes <= eta.MAX_TRAVEL_MINUTES:
                return minutes, _("%(minutes)s min chosen by the technician", minutes=minutes)
            return None, ""
        partner = customers[0].partner_id
        destination = (partner.partner_latitude, partner.partner_longitude)
        icp_sudo = self.env["ir.config_parameter"].sudo()  # system parameters: admin ACL
        factor = float(icp_sudo.get_param("duret_sms.road_factor", 1.3) or 1.3)
        speed = float(icp_sudo.get_param("duret_sms.road_speed", 30.0) or 30.0)
        if position and eta.valid_position(*position):
            minutes = eta.travel_minutes(position, destination, factor, speed)
            if minutes is not None:
                return minutes, _("from the technician's phone")
        # The technician's base: read on the technician, whoever presses the button.
        technician_sudo = (event.user_id or self.env.user).sudo()
        base = (technician_sudo.duret_base_latitude, technician_sudo.duret_base_longitude)
        minutes = eta.travel_minutes(base, destination, factor, speed)
        if minutes is not None:
            return minutes, _("from the technician's base")
        return None, ""
