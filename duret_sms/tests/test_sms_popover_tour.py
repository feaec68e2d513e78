from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import DuretTwilioMixin

MOBILE = "+33612345678"


@tagged("post_install", "-at_install")
class TestChatterSmsPopover(DuretTwilioMixin, HttpCase):
    """The SMS icon of a chatter message says why an SMS did not reach its recipient, or not
    yet, in every state, in the browser (the popover's template once failed to compile)."""

    def test_sms_icon_of_each_state(self):
        company = self.env.company
        company.country_id = self.env.ref("base.fr")
        self.setup_twilio(company)  # sending hours opened round the clock
        partner = self.env["res.partner"].create(
            {
                "name": "Camille Popover",
                "mobile": "06 12 34 56 78",
                "country_id": self.env.ref("base.fr").id,
            }
        )

        def sms_of(message):
            return self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])

        sent = partner._message_sms("Duret tour sent")
        failed = partner._message_sms("Duret tour failed")
        self.run_queue()
        sms_of(sent)._duret_apply_twilio_status("delivered")
        sms_of(failed)._duret_apply_twilio_status("undelivered", 30003)
        # The sending rules cancel an SMS to a blacklisted number before Twilio sees it.
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="Replied STOP")
        cancelled = partner._message_sms("Duret tour cancelled")
        self.run_queue()
        # Held back by the sending hours: still in the queue, with the time it may leave.
        deferred = partner._message_sms("Duret tour deferred")
        sms_of(deferred).duret_not_before = fields.Datetime.now() + timedelta(days=3)
        statuses = {
            message: message.notification_ids.notification_status
            for message in (sent, failed, cancelled, deferred)
        }
        self.assertEqual(
            statuses,
            {sent: "sent", failed: "exception", cancelled: "canceled", deferred: "ready"},
        )
        self.start_tour(
            f"/web#model=res.partner&id={partner.id}&view_type=form",
            "duret_sms_chatter_sms_popover",
            login="admin",
        )
