from datetime import datetime

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestVisitFromCalendar(HttpCase):
    def test_customer_absent_from_the_calendar_popover(self):
        admin = self.env.ref("base.user_admin")
        customer = self.env["res.partner"].create({"name": "Camille Tournée"})
        # A fixed day long past: the appointment has started whatever the clock says.
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Visite popover duret",
                    "start": datetime(2020, 1, 7, 9, 0),
                    "stop": datetime(2020, 1, 7, 10, 0),
                    "user_id": admin.id,
                    "partner_ids": [Command.set([customer.id, admin.partner_id.id])],
                }
            )
        )
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Calendar of 7 January 2020",
                "res_model": "calendar.event",
                "view_mode": "calendar",
                "context": "{'initial_date': '2020-01-07 09:00:00'}",
            }
        )
        self.start_tour(f"/web#action={action.id}", "duret_sms_visit_from_calendar", login="admin")
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == customer)
        self.assertEqual(attendee.duret_attendance, "absent")
        self.assertEqual(attendee.duret_attendance_user_id, admin)
        self.assertEqual(event.duret_attendance, "absent")

    def test_calendar_cards_say_cancelled_waiting_and_email(self):
        """Issue 18 #12: cancelled appointments no longer look like normal slots."""
        admin = self.env.ref("base.user_admin")
        start = datetime(2020, 1, 8, 9, 0)
        events = {}
        for name, answer, channel in (
            ("Cue annulé", "cancelled", "sms"),
            ("Cue attente", "none", "sms"),
            ("Cue courriel", "none", "email"),
            ("Cue confirmé", "confirmed", "sms"),
        ):
            customer = self.env["res.partner"].create({"name": f"Client {name}"})
            event = (
                self.env["calendar.event"]
                .with_context(no_mail_to_attendees=True)
                .create(
                    {
                        "name": name,
                        "start": start,
                        "stop": start.replace(hour=10),
                        "user_id": admin.id,
                        "partner_ids": [Command.set([customer.id, admin.partner_id.id])],
                    }
                )
            )
            attendee = event.attendee_ids.filtered(lambda a, c=customer: a.partner_id == c)
            attendee.write(
                {
                    "duret_reminder_state": "done",
                    "duret_reminder_channel": channel,
                    "duret_customer_answer": answer,
                }
            )
            events[name] = event
        self.assertEqual(events["Cue courriel"].duret_reminder_status, "email")
        self.assertEqual(events["Cue annulé"].duret_customer_answer, "cancelled")
        self.assertIn(events["Cue attente"].duret_reminder_status, ("sent", "delivered"))
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Calendar of 8 January 2020",
                "res_model": "calendar.event",
                "view_mode": "calendar",
                "context": "{'initial_date': '2020-01-08 09:00:00'}",
            }
        )
        self.start_tour(f"/web#action={action.id}", "duret_sms_calendar_cues", login="admin")
