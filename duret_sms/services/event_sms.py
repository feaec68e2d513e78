"""The SMS sent about an appointment, shown on the appointment's chatter.

Odoo shows an SMS on a record as a chatter message of type ``sms`` (its text) with one
``mail.notification`` of type ``sms`` for its recipient, followed by an ``sms.tracker`` (see
``addons/sms/models/mail_thread.py``, ``_notify_thread_by_sms``): the message's icon then shows
the delivery status that the queue and Twilio's reports move on. ``message_post`` costs tens of
queries per message and would send the SMS itself; reminders go by hundreds a run, so the same
records are created here in a few batched queries, and nothing is notified or sent.
"""

from odoo import Command, tools

from odoo.addons.sms.tools.sms_tools import sms_content_to_rendered_html


class EventSms:
    """``EventSms(env).create_sms(events, vals_list)``: SMS about appointments, on their chatter."""

    def __init__(self, env):
        self.env = env

    def create_sms(self, events, vals_list, sms_model_sudo=None):
        """Create one ``sms.sms`` per item of ``vals_list`` (values for ``sms.sms.create``),
        each about the appointment at the same position of ``events`` (a recordset or list of
        ``calendar.event``, repeats allowed), and show each on its appointment's chatter as a
        message of type ``sms`` with the SMS's delivery status. Sends nothing.

        :param sms_model_sudo: the ``sms.sms`` model to create with (its context: category);
            superuser, as sms.sms is a technical model.
        :return: the SMS created (superuser), in the order of ``vals_list``.
        """
        if sms_model_sudo is None:
            sms_model_sudo = self.env["sms.sms"].sudo()
        events = list(events)
        if len(events) != len(vals_list):
            raise ValueError("One appointment per SMS")
        if not vals_list:
            return sms_model_sudo.browse()
        messages_sudo = self._create_messages(events, vals_list)
        sms_sudo = sms_model_sudo.create(
            [
                dict(vals, mail_message_id=message.id)
                for vals, message in zip(vals_list, messages_sudo, strict=True)
            ]
        )
        self._create_notifications(sms_sudo, messages_sudo)
        return sms_sudo

    def _author(self):
        """(author partner id, email_from): whoever sends; OdooBot for a customer's page."""
        user = self.env.user
        if user._is_public():
            partner = self.env.ref("base.partner_root")
        else:
            partner = user.partner_id
        return partner.id, partner.email_formatted

    def _create_messages(self, events, vals_list):
        # Chatter logs, as Odoo's _message_log_batch: the caller may act on the appointment;
        # mail.message of an appointment may not be creatable by a customer's anonymous page.
        message_model_sudo = self.env["mail.message"].sudo()
        events_sudo = self.env["calendar.event"].sudo().browse(list({e.id for e in events}))
        author_id, email_from = self._author()
        reply_to = events_sudo._notify_get_reply_to(default=email_from)
        note_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        names = {event.id: event.display_name for event in events_sudo}
        return message_model_sudo.create(
            [
                {
                    "model": "calendar.event",
                    "res_id": event.id,
                    "record_name": names[event.id],
                    "record_company_id": vals.get("company_id") or False,
                    "message_type": "sms",
                    "subtype_id": note_id,
                    "is_internal": True,
                    "body": sms_content_to_rendered_html(vals.get("body") or ""),
                    "author_id": author_id,
                    "email_from": email_from,
                    "reply_to": reply_to[event.id],
                    "email_add_signature": False,
                    "message_id": tools.generate_tracking_message_id("message-notify"),
                    "partner_ids": (
                        [Command.link(vals["partner_id"])] if vals.get("partner_id") else []
                    ),
                }
                for event, vals in zip(events, vals_list, strict=True)
            ]
        )

    def _create_notifications(self, sms_sudo, messages_sudo):
        # One notification per SMS, followed by its tracker: the queue, the sending rules and
        # Twilio's reports update it through sms.sms.sms_tracker_id (as any chatter SMS).
        notifications_sudo = (
            self.env["mail.notification"]
            .sudo()
            .create(
                [
                    {
                        "author_id": message.author_id.id,
                        "mail_message_id": message.id,
                        "res_partner_id": sms.partner_id.id,
                        "sms_number": sms.number,
                        "notification_type": "sms",
                        "sms_id_int": sms.id,
                        "is_read": True,  # no Inbox notification: it is a log
                        "notification_status": "ready" if sms.state == "outgoing" else "exception",
                        "failure_type": False if sms.state == "outgoing" else sms.failure_type,
                    }
                    for sms, message in zip(sms_sudo, messages_sudo, strict=True)
                ]
            )
        )
        self.env["sms.tracker"].sudo().create(
            [
                {"sms_uuid": sms.uuid, "mail_notification_id": notification.id}
                for sms, notification in zip(sms_sudo, notifications_sudo, strict=True)
                if sms.state == "outgoing"
            ]
        )
