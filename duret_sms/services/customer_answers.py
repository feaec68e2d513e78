"""A customer confirms or cancels an appointment (web page or SMS reply): what Odoo records."""

from markupsafe import Markup

from odoo import _, fields

from .appointment_text import gsm_safe
from .event_sms import EventSms
from .sms_urgent import urgent_alert_context


class CustomerAnswers:
    """The customer's answer on one ``calendar.attendee``: the attendee's state and answer,
    a note on the appointment, and on a cancellation a to-do for the organizer and, when the
    company wants it, an SMS to the technician."""

    def __init__(self, env):
        self.env = env

    @staticmethod
    def can_answer(attendee):
        """Whether the customer may still confirm or cancel: not once the visit has started
        (the technician is there, or on the way), nor when the office declined the attendee
        (the office's decision is not undone by a tap on an old link)."""
        if attendee.state == "declined" and attendee.duret_customer_answer != "cancelled":
            return False
        return attendee.event_id._duret_start_utc() > fields.Datetime.now()

    def confirm(self, attendee, channel):
        """Record that the customer confirms the appointment (``channel``: web or sms).

        Returns True when something changed; False when it was already confirmed or had been
        cancelled (a cancelled appointment is rebooked by the office, not by a tap), or when
        the customer may no longer answer (``can_answer``).
        """
        attendee.ensure_one()
        if attendee.duret_customer_answer != "none" or not self.can_answer(attendee):
            return False
        attendee.do_accept()
        attendee.write(
            {
                "duret_customer_answer": "confirmed",
                "duret_answer_channel": channel,
                "duret_answer_at": fields.Datetime.now(),
            }
        )
        attendee.event_id.message_post(
            body=_(
                "%(customer)s confirmed the appointment (%(channel)s).",
                customer=attendee.partner_id.name,
                channel=self._channel_label(channel),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def cancel(self, attendee, channel):
        """Record that the customer cancels the appointment (``channel``: web or sms).

        Declines the attendee, marks the appointment cancelled by the customer, gives the
        organizer a to-do and, when the company wants it, texts them. Returns True when
        something changed, False when it was already cancelled or the customer may no longer
        answer (``can_answer``).
        """
        attendee.ensure_one()
        if attendee.duret_customer_answer == "cancelled" or not self.can_answer(attendee):
            return False
        event = attendee.event_id
        attendee.do_decline()
        attendee.write(
            {
                "duret_customer_answer": "cancelled",
                "duret_answer_channel": channel,
                "duret_answer_at": fields.Datetime.now(),
            }
        )
        event.message_post(
            body=_(
                "%(customer)s cancelled the appointment (%(channel)s).",
                customer=attendee.partner_id.name,
                channel=self._channel_label(channel),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._schedule_cancel_activity(attendee)
        company = event._duret_company()
        if company.duret_sms_cancel_alert and company._duret_sms_uses_own_provider():
            self._alert_technician(attendee, company)
        return True

    def _channel_label(self, channel):
        return _("SMS reply") if channel == "sms" else _("web page")

    def _schedule_cancel_activity(self, attendee):
        event = attendee.event_id
        local = event._duret_local_start()
        attendee._duret_activity_record().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=self._office_user(event).id,
            summary=_("Appointment cancelled by the customer"),
            # An HTML field: names are escaped (a contact's name is not trusted markup).
            note=Markup("<p>%s</p>")
            % _(
                "%(customer)s cancelled %(event)s of %(date)s: call them to book a new slot.",
                customer=attendee.partner_id.name,
                event=event.name,
                date=local.strftime("%d/%m/%Y %H:%M"),
            ),
        )

    def _office_user(self, event):
        """Who calls the customer back after a cancellation: the office, not the technician
        (who is on site and only gets the SMS alert). The person who booked the appointment
        when that is an office user other than the technician; else the company's first SMS
        officer; else the technician, or the administrator."""
        technician = event.user_id
        creator = event.create_uid

        def office(user):
            return (
                user.active and not user.share and not user._is_superuser() and user != technician
            )

        if creator and office(creator):
            return creator
        company = event._duret_company()
        officers = (
            self.env.ref("duret_sms.duret_sms_group_officer")
            .sudo()  # reading a group's members: res.groups.users is for administrators
            .users.filtered(lambda u: office(u) and company in u.company_ids)
            .sorted("id")
        )
        return officers[:1] or technician or self.env.ref("base.user_admin")

    def _alert_technician(self, attendee, company):
        """SMS the organiser: an internal urgent alert (any hour) at their Urgent SMS Mobile,
        else a service SMS to their mobile (sending hours and opt-out list apply)."""
        technician = attendee.event_id.user_id.partner_id
        urgent_number = technician._duret_urgent_number(company)
        number = urgent_number or technician._duret_sms_mobile(company)
        if not number:
            return
        body = gsm_safe(
            self.env["sms.template"]._duret_render(
                "duret_sms.sms_template_technician_cancel_alert",
                attendee,
                lambda a: (
                    f"ANNULATION {a.duret_rdv_customer} a annule le RDV du "
                    f"{a.duret_rdv_when} ({a.duret_rdv_address}). {a.duret_rdv_company_name}"
                ),
            )[attendee.id]
        )
        # sms.sms is a technical model (system ACL): the customer's answer is anonymous.
        sms_model_sudo = self.env["sms.sms"].sudo()
        if urgent_number:
            sms_model_sudo = sms_model_sudo.with_context(**urgent_alert_context())
        # On the appointment's chatter with its delivery status, as the customer's SMS.
        EventSms(self.env).create_sms(
            attendee.event_id,
            [
                {
                    "number": number,
                    "body": body,
                    "partner_id": technician.id,
                    "company_id": company.id,
                }
            ],
            sms_model_sudo,
        ).send()
