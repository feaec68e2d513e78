from datetime import datetime, time, timedelta

import pytz

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext

from ..core import dispatch_ranking, encoding, phone
from ..services.sms_urgent import urgent_alert_context


class DuretSmsDispatchWizard(models.TransientModel):
    """Send an urgent intervention to the best-placed technician, by SMS, at any hour.

    Technicians are the users of ``duret_sms.duret_sms_group_technician``; they are ranked by
    :mod:`..core.dispatch_ranking` (free now, then straight-line distance to the customer).
    A technician with no appointment to come from is placed at their dispatch base
    (``res.users.duret_base_*``, set by the office), never at their contact's private address.
    """

    _name = "duret.sms.dispatch.wizard"
    _description = "Urgent Intervention Dispatch"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    event_id = fields.Many2one(
        "calendar.event", "From Appointment", help="The appointment the emergency came from."
    )
    description = fields.Text("Problem", required=True)
    duration = fields.Float("Duration", default=2.0, required=True, help="In hours.")
    line_ids = fields.One2many(
        "duret.sms.dispatch.wizard.line",
        "wizard_id",
        "Technicians",
        compute="_compute_line_ids",
        store=True,
        readonly=True,
    )
    technician_id = fields.Many2one(
        "res.users",
        "Technician",
        compute="_compute_technician_id",
        store=True,
        readonly=False,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("duret_sms.duret_sms_group_technician").id)
        ],
    )
    customer_without_coordinates = fields.Boolean(compute="_compute_line_ids", store=True)
    missing_coordinates = fields.Boolean(
        compute="_compute_line_ids",
        store=True,
        help="The customer or a technician's dispatch base has an address but no coordinates yet.",
    )
    customer_address = fields.Char("Address", compute="_compute_customer_contact")
    customer_phone = fields.Char("Phone", compute="_compute_customer_contact")
    sms_preview = fields.Text("SMS to the Technician", compute="_compute_sms_preview")
    sms_preview_info = fields.Char(compute="_compute_sms_preview")

    @api.model
    def default_get(self, fields_list):
        """From an appointment, the customer is its first attendee who is not staff."""
        values = super().default_get(fields_list)
        if values.get("event_id") and not values.get("partner_id"):
            event = self.env["calendar.event"].browse(values["event_id"])
            customers = event.partner_ids.filtered(
                lambda partner: not partner.user_ids or all(partner.user_ids.mapped("share"))
            )
            if customers:
                values["partner_id"] = customers[0].id
            if "description" in fields_list and not values.get("description"):
                values["description"] = html2plaintext(event.description or "").strip() or False
        return values

    @api.depends(
        "partner_id", "partner_id.partner_latitude", "partner_id.partner_longitude", "company_id"
    )
    def _compute_line_ids(self):
        for wizard in self:
            rankings = wizard._duret_rank() if wizard.partner_id else []
            wizard.customer_without_coordinates = bool(
                wizard.partner_id and not wizard._duret_partner_position(wizard.partner_id)
            )
            wizard.missing_coordinates = bool(
                wizard._duret_partners_to_geolocate() or wizard._duret_bases_to_geolocate()
            )
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "sequence": index,
                        "user_id": ranking.key,
                        "rank": ranking.rank,
                        "free": ranking.free,
                        "distance_km": ranking.distance_km or 0.0,
                        "explanation": wizard._duret_explain(ranking),
                    }
                )
                for index, ranking in enumerate(rankings)
            ]

    @api.depends("line_ids")
    def _compute_technician_id(self):
        for wizard in self:
            first = wizard.line_ids.sorted("sequence")[:1]
            wizard.technician_id = first.user_id

    @api.depends("partner_id", "company_id")
    def _compute_customer_contact(self):
        for wizard in self:
            customer = wizard.partner_id
            region = (wizard.company_id.country_id.code or "FR").upper()
            wizard.customer_address = self._duret_address(customer) if customer else False
            raw = customer.mobile or customer.phone
            wizard.customer_phone = phone.display(raw, region) if raw else False

    @api.depends("partner_id", "description", "technician_id", "company_id")
    def _compute_sms_preview(self):
        for wizard in self:
            if not wizard.partner_id:
                wizard.sms_preview = wizard.sms_preview_info = False
                continue
            body = wizard._duret_sms_body()
            wizard.sms_preview = body
            segments = encoding.analyze(body).segments
            size = _("%(count)s SMS", count=segments)
            technician = wizard.technician_id
            if not technician:
                wizard.sms_preview_info = size
                continue
            number = technician.partner_id._duret_urgent_number(wizard.company_id)
            region = (wizard.company_id.country_id.code or "FR").upper()
            wizard.sms_preview_info = (
                _(
                    "To %(technician)s, %(number)s (%(size)s)",
                    technician=technician.name,
                    number=phone.display(number, region),
                    size=size,
                )
                if number
                else _("%(technician)s has no Urgent SMS Mobile.", technician=technician.name)
            )

    @api.constrains("technician_id", "company_id")
    def _check_technician_id(self):
        for wizard in self.filtered("technician_id"):
            if wizard.technician_id not in wizard._duret_technicians():
                raise ValidationError(
                    _(
                        "%(user)s is not a technician of %(company)s: urgent interventions go "
                        "only to the company's SMS technicians.",
                        user=wizard.technician_id.name,
                        company=wizard.company_id.name,
                    )
                )

    @api.model
    def _duret_partner_position(self, partner):
        return dispatch_ranking.valid_position(partner.partner_latitude, partner.partner_longitude)

    @api.model
    def _duret_base_position(self, user):
        """The technician's dispatch base, as ``(latitude, longitude)`` or None."""
        # Officers' fields: the dispatcher's ranking uses them, never shows them.
        user_sudo = user.sudo()
        return dispatch_ranking.valid_position(
            user_sudo.duret_base_latitude, user_sudo.duret_base_longitude
        )

    def _duret_partners_to_geolocate(self):
        """The customer, when they have an address but no coordinates."""
        self.ensure_one()
        return self.partner_id.filtered(
            lambda partner: (
                (partner.street or partner.zip or partner.city)
                and not self._duret_partner_position(partner)
            )
        )

    def _duret_bases_to_geolocate(self):
        """The technicians whose dispatch base has an address but no coordinates (as
        superuser: officers' fields)."""
        self.ensure_one()
        return (
            self._duret_technicians()
            .sudo()
            .filtered(lambda user: user.duret_base_address and not self._duret_base_position(user))
        )

    def _duret_horizon(self):
        return timedelta(hours=max(self.company_id.duret_sms_dispatch_horizon, 0))

    def _duret_technicians(self):
        group = self.env.ref("duret_sms.duret_sms_group_technician")
        return group.users.filtered(
            lambda user: not user.share and self.company_id in user.company_ids
        )

    def _duret_rank(self):
        """Rank this company's technicians for this wizard's customer, best first."""
        self.ensure_one()
        now = fields.Datetime.now()
        tz = self.company_id.duret_sms_tz or "Europe/Paris"
        users = self._duret_technicians()
        appointments = self._duret_appointments(users, now, tz)
        technicians = [
            dispatch_ranking.Technician(
                key=user.id,
                name=user.name,
                base=self._duret_base_position(user),
                appointments=tuple(appointments.get(user.id, ())),
            )
            for user in users
        ]
        return dispatch_ranking.rank(
            technicians,
            self._duret_partner_position(self.partner_id),
            now,
            horizon=self._duret_horizon(),
            tz=tz,
        )

    def _duret_appointments(self, users, now, tz):
        """Return ``{user id: [core Appointment]}`` from today's start to the horizon's end."""
        zone = pytz.timezone(tz)
        local_midnight = zone.localize(
            datetime.combine(pytz.utc.localize(now).astimezone(zone).date(), time())
        )
        day_start = local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
        window_end = now + self._duret_horizon()
        # Technicians' calendars may hold private appointments the dispatcher cannot read;
        # only times, attendees and coordinates are used, never shown.
        events_sudo = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    "|",
                    ("partner_ids", "in", users.partner_id.ids),
                    ("user_id", "in", users.ids),
                    ("start", "<", window_end + timedelta(days=1)),
                    ("stop", ">", day_start - timedelta(days=1)),
                ]
            )
        )
        result = {}
        for event in events_sudo:
            start, stop = self._duret_event_interval(event, zone)
            if stop <= day_start or start >= window_end:
                continue
            place = next(
                (
                    position
                    # the place is the customer's: not the technicians', not the organiser's
                    for partner in event.partner_ids - users.partner_id - event.user_id.partner_id
                    if (position := self._duret_partner_position(partner))
                ),
                None,
            )
            declined = event.attendee_ids.filtered(lambda a: a.state == "declined").partner_id
            for user in users:
                involved = user.partner_id in event.partner_ids or event.user_id == user
                if involved and user.partner_id not in declined:
                    result.setdefault(user.id, []).append(
                        dispatch_ranking.Appointment(start, stop, place)
                    )
        return result

    @api.model
    def _duret_event_interval(self, event, zone):
        """Naive UTC start/stop; all-day events block their whole local days."""
        if not event.allday:
            return event.start, event.stop
        start = zone.localize(datetime.combine(event.start_date, time()))
        stop = zone.localize(datetime.combine(event.stop_date + timedelta(days=1), time()))
        return (
            start.astimezone(pytz.utc).replace(tzinfo=None),
            stop.astimezone(pytz.utc).replace(tzinfo=None),
        )

    def _duret_explain(self, ranking):
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")
        texts = {
            "free": _("free"),
            "busy_until": _("busy until {time}"),
            "distance": _("{km} km"),
            "no_coordinates": _("no coordinates"),
            "from_appointment": _("from their {time} appointment"),
            "from_base": _("from their base"),
            "tie": _("tie"),
        }
        return dispatch_ranking.explain(
            ranking,
            texts=texts,
            tz=self.company_id.duret_sms_tz or "Europe/Paris",
            decimal_point=(lang.decimal_point if lang else ".") or ".",
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_geolocate(self):
        """Find the coordinates of the customer's address and of the technicians' dispatch
        bases.

        Odoo's ``base_geolocalize`` asks the geocoder of the Settings (OpenStreetMap Nominatim
        by default: the addresses leave for its servers) and tells the user which addresses
        it could not find. The ranking then counts distances too.
        """
        self.ensure_one()
        partners = self._duret_partners_to_geolocate()
        bases_sudo = self._duret_bases_to_geolocate()
        if not partners and not bases_sudo:
            raise UserError(
                _(
                    "Nothing to locate: enter the street and city on the customer (and the "
                    "technicians' dispatch base on their user), then try again."
                )
            )
        # Odoo skips geolocation while tests run or modules install unless forced; staff
        # clicked the button, so it is wanted here.
        partners.with_context(force_geo_localize=True).geo_localize()
        geocoder = self.env["base.geocoder"]
        for user_sudo in bases_sudo:
            found = geocoder.geo_find(user_sudo.duret_base_address, force=True)
            if found:
                user_sudo.write({"duret_base_latitude": found[0], "duret_base_longitude": found[1]})
        self._compute_line_ids()
        return self._duret_reopen()

    def _duret_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Urgent Intervention"),
        }

    def action_dispatch(self):
        """Book the chosen technician now and send them the urgent SMS.

        Returns a notification saying the SMS is on its way, then opens the new appointment
        (where the SMS and its status show in the chatter). The dispatcher is told again when
        the SMS has left, or why it did not (see ``services/sms_urgent.py``).

        :raise UserError: no technician chosen, or the technician has no valid mobile number.
        """
        self.ensure_one()
        if not self.technician_id:
            raise UserError(_("Choose the technician to send."))
        self._check_technician_id()
        number = self._duret_technician_number(self.technician_id)
        now = fields.Datetime.now()
        customer = self.partner_id
        event = self.env["calendar.event"].create(
            {
                "name": _("URGENT: %(customer)s", customer=customer.display_name),
                "start": now,
                "stop": now + timedelta(hours=max(self.duration, 0.25)),
                "user_id": self.technician_id.id,
                "partner_ids": [Command.set((self.technician_id.partner_id | customer).ids)],
                "location": self._duret_address(customer),
                "description": self.description,
                "duret_is_urgent": True,
            }
        )
        technician_partner = self.technician_id.partner_id
        event.with_context(**urgent_alert_context(), mail_notify_author=True)._message_sms(
            self._duret_sms_body(),
            partner_ids=technician_partner.ids,
            sms_pid_to_number={technician_partner.id: number},
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Urgent SMS on its way"),
                "message": _(
                    "The SMS to %(technician)s (%(number)s) is being sent; you will be told "
                    "when it has left. Its status shows on the appointment.",
                    technician=self.technician_id.name,
                    number=phone.display(number, (self.company_id.country_id.code or "FR")),
                ),
                "next": {
                    "type": "ir.actions.act_window",
                    "res_model": "calendar.event",
                    "res_id": event.id,
                    "views": [(False, "form")],
                    "target": "current",
                },
            },
        }

    def _duret_technician_number(self, user):
        """The technician's Urgent SMS Mobile in E.164 (registered by an SMS officer)."""
        number = user.partner_id._duret_urgent_number(self.company_id)
        if number:
            return number
        raise UserError(
            _(
                "%(user)s has no Urgent SMS Mobile: an SMS officer enters it on their contact "
                "(SMS tab) before urgent interventions can be sent to them.",
                user=user.name,
            )
        )

    @api.model
    def _duret_address(self, partner):
        lines = partner._display_address(without_company=True).splitlines()
        return ", ".join(line.strip() for line in lines if line.strip())

    def _duret_sms_body(self):
        """The technician's SMS, in French: "URGENT : client, adresse, tél., problème".

        The one place its text is built: the preview shows it, the dispatch sends it.
        """
        customer = self.partner_id
        region = (self.company_id.country_id.code or "FR").upper()
        raw_phone = customer.mobile or customer.phone or ""
        customer_phone = phone.try_normalize(raw_phone, region=region) or raw_phone
        parts = [
            customer.display_name,
            self._duret_address(customer) or "adresse inconnue",
            customer_phone or "sans tél.",
            " ".join(html2plaintext(self.description or "").split()),
        ]
        pieces = dict(zip(("customer", "address", "phone", "problem"), parts, strict=True))
        # The text is the template "Technician: urgent intervention", staff may edit it.
        return self.env["sms.template"]._duret_render(
            "duret_sms.sms_template_urgent_dispatch",
            self,
            lambda _wizard: "URGENT : " + ", ".join(part for part in parts if part),
            add_context=pieces,
        )[self.id]
