"""Issue 20: the customer moves their own visit to a free slot of the same technician.

Slots are computed under a frozen clock: Monday 21 December 2026, 09:00 in Paris (08:00 UTC);
Friday 25 December and Friday 1 January are public holidays. The company works Monday to
Friday, 08:00-12:00 and 13:00-17:00 (Paris); a visit lasts two hours.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields

from ..services.reschedule import Rescheduling
from .common import DuretTwilioCase

NOW = datetime(2026, 12, 21, 8, 0)  # Monday 09:00 in Paris
VISIT = datetime(2026, 12, 23, 8, 0)  # Wednesday 09:00 in Paris


def utc(day, hour, minute=0):
    """Naive UTC of a December 2026 (January 2027 for day > 31) Paris time (UTC+1 in winter)."""
    if day > 31:
        return datetime(2027, 1, day - 31, hour - 1, minute)
    return datetime(2026, 12, day, hour - 1, minute)


def make_calendar(env, name, periods=((8, 12), (13, 17)), days=range(5)):
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Paris",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"{day} {start}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": stop,
                        "day_period": "morning" if start < 12 else "afternoon",
                    }
                )
                for day in days
                for start, stop in periods
            ],
        }
    )


class RescheduleCase(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Duret Électricité",
                "duret_sms_tz": "Europe/Paris",
                "resource_calendar_id": make_calendar(cls.env, "Duret 8-12 13-17").id,
                "duret_sms_reschedule": True,
                "duret_sms_reschedule_delay": 24,
                "duret_sms_reschedule_slots": 8,
                "duret_sms_reschedule_buffer": 30,
            }
        )
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Hugo Technicien",
                "login": "hugo.reschedule",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        cls.office = cls.env["res.users"].create(
            {
                "name": "Odile Bureau",
                "login": "odile.reschedule",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        cls.event = cls.visit(VISIT, cls.partner)
        cls.attendee = cls.event.attendee_ids.filtered(lambda a: a.partner_id == cls.partner)

    @classmethod
    def visit(cls, start, customer, hours=2, technician=None, **vals):
        technician = technician or cls.technician
        return (
            cls.env["calendar.event"]
            .with_user(cls.office)
            .with_context(no_mail_to_attendees=True)
            .sudo()
            .create(
                dict(
                    {
                        "name": "Remplacement du tableau",
                        "start": start,
                        "stop": start + timedelta(hours=hours),
                        "user_id": technician.id,
                        "partner_ids": [Command.set([customer.id, technician.partner_id.id])],
                    },
                    **vals,
                )
            )
        )

    def slots(self, event=None, **kw):
        return Rescheduling(self.env).slots(event or self.event, **kw)


class TestRescheduleSlots(RescheduleCase):
    @freeze_time(NOW)
    def test_the_first_slots(self):
        slots = self.slots()
        self.assertEqual(len(slots), 8)
        # Two slots of 2 h + 30 min of travel a day (08:00, 13:00); Monday from now (09:00);
        # Wednesday 08:00 (its own visit at 09:00 does not count, its time is no choice).
        self.assertEqual(
            slots,
            [
                utc(21, 9),
                utc(21, 13),
                utc(22, 8),
                utc(22, 13),
                utc(23, 8),
                utc(23, 13),
                utc(24, 8),
                utc(24, 13),
            ],
        )
        self.assertNotIn(VISIT, self.slots(limit=30))

    @freeze_time(NOW)
    def test_ten_working_days_without_holidays(self):
        slots = self.slots(limit=50)
        days = sorted({slot.date() for slot in slots})
        self.assertNotIn(datetime(2026, 12, 25).date(), days, "Christmas")
        self.assertNotIn(datetime(2027, 1, 1).date(), days, "New Year's Day")
        self.assertNotIn(datetime(2026, 12, 26).date(), days, "Saturday: not working time")
        self.assertEqual(len(days), 10, days)
        self.assertEqual(days[-1], datetime(2027, 1, 5).date())

    @freeze_time(NOW)
    def test_other_visits_and_buffer(self):
        other = self.env["res.partner"].create({"name": "Léa Voisine"})
        # Tuesday 10:00-11:00: 08:00-10:00 leaves no 30 min to get there, 11:30 does not fit.
        self.visit(utc(22, 10), other, hours=1)
        # Monday afternoon: the technician is only an attendee there; still busy.
        organiser = self.office
        self.env["calendar.event"].with_context(no_mail_to_attendees=True).create(
            {
                "name": "Chantier",
                "start": utc(21, 15),
                "stop": utc(21, 16),
                "user_id": organiser.id,
                "partner_ids": [Command.set([self.technician.partner_id.id])],
            }
        )
        # Thursday morning: declined by the technician, and another technician's visit: free.
        declined = self.visit(utc(24, 8), other)
        declined.attendee_ids.filtered(
            lambda a: a.partner_id == self.technician.partner_id
        ).do_decline()
        colleague = self.env["res.users"].create(
            {"name": "Paul Collègue", "login": "paul.reschedule", "company_id": self.company.id}
        )
        self.visit(utc(24, 13), other, technician=colleague)
        slots = self.slots()
        self.assertNotIn(utc(22, 8), slots)
        self.assertIn(utc(22, 13), slots)
        # 13:00-15:00 ends at 15:00: no 30 min before the 15:00 meeting.
        self.assertNotIn(utc(21, 13), slots)
        self.assertIn(utc(24, 8), slots)
        self.assertIn(utc(24, 13), slots)

    @freeze_time(NOW)
    def test_a_cancelled_visit_frees_its_time(self):
        other = self.env["res.partner"].create({"name": "Léa Voisine"})
        cancelled = self.visit(utc(22, 8), other)
        self.assertNotIn(utc(22, 8), self.slots())
        cancelled.attendee_ids.filtered(lambda a: a.partner_id == other).do_decline()
        self.assertIn(utc(22, 8), self.slots())

    @freeze_time(NOW)
    def test_same_duration(self):
        long_visit = self.visit(utc(30, 8), self.partner, hours=3)
        slots = self.slots(long_visit)
        # 3 h: Monday 09:00-12:00, then 13:00-16:00; Tuesday 08:00 and 13:00...
        self.assertEqual(slots[:4], [utc(21, 9), utc(21, 13), utc(22, 8), utc(22, 13)])
        four_hours = self.visit(utc(30, 13), self.partner, hours=4.5)
        self.assertEqual(self.slots(four_hours), [], "longer than any working interval")

    def test_never_in_the_past(self):
        with freeze_time(datetime(2026, 12, 21, 13, 10)):  # Monday 14:10 in Paris
            slots = self.slots()
            self.assertEqual(slots[0], utc(21, 14, 30))
            self.assertTrue(all(slot > fields.Datetime.now() for slot in slots))
        with freeze_time(datetime(2026, 12, 27, 22, 30)):  # Sunday night, 23:30 in Paris
            self.assertEqual(self.slots()[0], utc(28, 8))

    @freeze_time(NOW)
    def test_the_technicians_own_working_hours_and_leaves(self):
        mornings = make_calendar(self.env, "Matins", periods=((8, 12),))
        resource = self.env["resource.resource"].create(
            {
                "name": self.technician.name,
                "user_id": self.technician.id,
                "calendar_id": mornings.id,
                "company_id": self.company.id,
                "tz": "Europe/Paris",
            }
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Congé",
                "calendar_id": mornings.id,
                "resource_id": resource.id,
                "date_from": datetime(2026, 12, 21, 23, 0),  # all Tuesday in Paris
                "date_to": datetime(2026, 12, 22, 22, 59),
            }
        )
        slots = self.slots()
        self.assertEqual(slots[:3], [utc(21, 9), utc(23, 8), utc(24, 8)])


class TestRescheduleBooking(RescheduleCase):
    def book(self, slot):
        return Rescheduling(self.env).book(self.attendee, fields.Datetime.to_string(slot))

    @freeze_time(NOW)
    def test_limits(self):
        rescheduling = Rescheduling(self.env)
        self.assertTrue(rescheduling.can_reschedule(self.attendee))
        self.company.duret_sms_reschedule = False
        self.assertFalse(rescheduling.can_reschedule(self.attendee), "turned off")
        self.company.duret_sms_reschedule = True
        self.company.duret_sms_reschedule_delay = 49  # the visit is 48 h away
        self.assertFalse(rescheduling.can_reschedule(self.attendee), "too close")
        self.company.duret_sms_reschedule_delay = 24
        self.event.duret_reschedule_count = 2
        self.assertFalse(rescheduling.can_reschedule(self.attendee), "moved twice already")
        self.assertEqual(self.book(utc(22, 8)), "closed")
        self.event.duret_reschedule_count = 1
        self.assertTrue(rescheduling.can_reschedule(self.attendee))
        self.attendee._duret_customer_cancel("web")
        self.assertFalse(rescheduling.can_reschedule(self.attendee), "cancelled")
        with freeze_time(VISIT + timedelta(minutes=5)):
            fresh = self.visit(VISIT + timedelta(days=7), self.partner)
            started = self.visit(VISIT, self.env["res.partner"].create({"name": "Zoé"}))
            customer = started.attendee_ids.filtered("duret_is_customer")
            self.assertFalse(rescheduling.can_reschedule(customer), "the visit has started")
            self.assertTrue(
                rescheduling.can_reschedule(fresh.attendee_ids.filtered("duret_is_customer"))
            )
        all_day = self.visit(VISIT, self.partner, allday=True)
        with freeze_time(NOW):
            self.assertFalse(
                rescheduling.can_reschedule(all_day.attendee_ids.filtered("duret_is_customer"))
            )

    @freeze_time(NOW)
    def test_two_customers_on_one_visit_call_the_office(self):
        other = self.env["res.partner"].create({"name": "Léa Voisine"})
        self.event.partner_ids = [Command.link(other.id)]
        rescheduling = Rescheduling(self.env)
        self.assertFalse(rescheduling.can_reschedule(self.attendee))

    @freeze_time(NOW)
    def test_move_messages_activity_and_sms(self):
        self.event.message_ids.unlink()
        # The reminder went already: the move resets it for the new date.
        self.attendee.write({"duret_reminder_state": "done", "duret_reminder_channel": "sms"})
        self.assertEqual(self.book(utc(28, 13)), "moved")
        self.assertEqual(self.event.start, utc(28, 13))
        self.assertEqual(self.event.stop, utc(28, 15), "same duration")
        self.assertEqual(self.event.duret_reschedule_count, 1)
        self.assertEqual(self.attendee.duret_customer_answer, "confirmed")
        self.assertFalse(self.attendee.duret_reminder_state, "reminded again before the new date")
        self.assertFalse(self.attendee.duret_reminder_moved, "the SMS below said it moved")
        note = self.event.message_ids.filtered(lambda m: "Moved by the customer" in m.body)
        self.assertIn("Moved by the customer (Camille Martin)", note.body)
        self.assertIn("23/12/2026 09:00", note.body)
        self.assertIn("28/12/2026 13:00", note.body)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
        )
        self.assertEqual(activity.summary, "Appointment moved by the customer")
        self.assertEqual(activity.user_id, self.office, "the office user who booked the visit")
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.partner.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("votre RDV a été déplacé au lundi 28/12 à 13h00", sms.body)
        self.assertIn(f"/rdv/{self.attendee.duret_rdv_token}", sms.body)
        # Tapped twice: nothing more happens.
        self.assertEqual(self.book(utc(28, 13)), "same")
        self.assertEqual(self.event.duret_reschedule_count, 1)

    @freeze_time(NOW)
    def test_stale_or_wrong_slot_is_refused(self):
        other = self.env["res.partner"].create({"name": "Léa Voisine"})
        self.assertIn(utc(22, 8), self.slots())
        self.visit(utc(22, 8), other)  # booked by the office meanwhile
        self.assertEqual(self.book(utc(22, 8)), "taken")
        self.assertEqual(self.book(utc(21, 8)), "taken", "in the past")
        self.assertEqual(self.book(utc(26, 8)), "taken", "Saturday")
        self.assertEqual(self.book(utc(25, 8)), "taken", "Christmas")
        self.assertEqual(self.book(utc(22, 13, 10)), "taken", "not a slot of the grid")
        rescheduling = Rescheduling(self.env)
        self.assertEqual(rescheduling.book(self.attendee, "lundi"), "taken")
        self.assertEqual(self.event.start, VISIT)
        self.assertEqual(self.event.duret_reschedule_count, 0)
