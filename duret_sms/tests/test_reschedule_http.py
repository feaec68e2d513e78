"""Issue 20: /rdv/reschedule/<token> over HTTP, two customers racing for one slot, and the
customer's tour on a phone.

The slots here are the real next ones (the visit is in 2099, always more than the delay away;
the technician works every day, so slots exist whatever the day and hour the test runs):
these tests read the offered values instead of computing them. The slot rules themselves are
tested under a frozen clock in test_reschedule.py.
"""

import re
import threading
import uuid
from datetime import datetime, timedelta
from functools import partial

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.service.model import retrying
from odoo.tests import HttpCase, TransactionCase, tagged

from ..services.reschedule import Rescheduling
from .test_reschedule import make_calendar

SLOT_RE = re.compile(r'<button[^>]*name="slot"[^>]*value="(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"')
VISIT = datetime(2099, 3, 10, 13, 0)


def make_technician(env, login):
    user = env["res.users"].create({"name": f"Tech {login}", "login": login})
    env["resource.resource"].create(
        {
            "name": user.name,
            "user_id": user.id,
            "calendar_id": make_calendar(env, f"Every day {login}", days=range(7)).id,
            "company_id": env.company.id,
        }
    )
    return user


def make_visit(env, technician, customer, start=VISIT, hours=2):
    return (
        env["calendar.event"]
        .with_context(no_mail_to_attendees=True)
        .create(
            {
                "name": "Remplacement du tableau électrique",
                "start": start,
                "stop": start + timedelta(hours=hours),
                "user_id": technician.id,
                "partner_ids": [Command.set([customer.id, technician.partner_id.id])],
            }
        )
    )


class ReschedulePagesCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "name": "Duret Électricité",
                "phone": "+33478123456",
                "duret_sms_tz": "Europe/Paris",
                "duret_sms_reschedule": True,
                "duret_sms_reschedule_delay": 24,
                "duret_sms_reschedule_slots": 8,
                "duret_sms_reschedule_buffer": 30,
            }
        )
        cls.technician = make_technician(cls.env, "tech.reschedule.http")
        cls.customer = cls.env["res.partner"].create({"name": "Camille Martin"})
        cls.event = make_visit(cls.env, cls.technician, cls.customer)
        cls.attendee = cls.event.attendee_ids.filtered(lambda a: a.partner_id == cls.customer)
        cls.token = cls.attendee.duret_rdv_token


@tagged("post_install", "-at_install")
class TestReschedulePages(ReschedulePagesCase):
    def get_slots(self):
        response = self.url_open(f"/rdv/reschedule/{self.token}")
        self.assertEqual(response.status_code, 200)
        return response, SLOT_RE.findall(response.text)

    def test_the_page_offers_the_change(self):
        text = self.url_open(f"/rdv/{self.token}").text
        self.assertIn(f'href="/rdv/reschedule/{self.token}"', text)
        self.assertIn("Changer de créneau", text)
        self.event.duret_reschedule_count = 2
        text = self.url_open(f"/rdv/{self.token}").text
        self.assertNotIn("Changer de créneau", text, "moved twice: the office takes over")
        self.assertIn("Je confirme", text)

    def test_get_lists_slots_by_day_and_changes_nothing(self):
        self.opener.cookies.clear()
        response, slots = self.get_slots()
        self.assertEqual(response.headers.get("Cache-Control"), "no-store")
        self.assertNotIn("session_id", response.headers.get("Set-Cookie", ""))
        self.assertEqual(len(slots), 8)
        self.assertEqual(slots, sorted(slots))
        self.assertTrue(all(fields.Datetime.to_datetime(s) > fields.Datetime.now() for s in slots))
        self.assertIn(f'action="/rdv/reschedule/{self.token}"', response.text)
        days = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
        self.assertRegex(response.text, rf"<h2>({days}) \d\d/\d\d</h2>", "grouped by day")
        # A GET (a link previewer, a reload) never books, even with a slot in its query.
        self.url_open(f"/rdv/reschedule/{self.token}?slot={slots[0]}")
        self.event.invalidate_recordset()
        self.assertEqual(self.event.start, VISIT)
        self.assertEqual(self.event.duret_reschedule_count, 0)

    def test_post_moves_and_redirects_to_the_page(self):
        _response, slots = self.get_slots()
        self.opener.cookies.clear()
        url = f"/rdv/reschedule/{self.token}"
        response = self.url_open(url, data={"slot": slots[1]}, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"/rdv/{self.token}"))
        self.assertNotIn("session_id", response.headers.get("Set-Cookie", ""))
        self.event.invalidate_recordset()
        new_start = fields.Datetime.to_datetime(slots[1])
        self.assertEqual(self.event.start, new_start)
        self.assertEqual(self.event.stop, new_start + timedelta(hours=2))
        self.assertEqual(self.event.duret_reschedule_count, 1)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("Votre rendez-vous a bien été déplacé", page)
        local = self.event._duret_local_start()
        self.assertIn(f"de {local.hour}h{local.minute:02d} à", page, "the new time")

    def test_stale_slot_is_refused_politely_with_fresh_slots(self):
        _response, slots = self.get_slots()
        taken = fields.Datetime.to_datetime(slots[0])
        other = self.env["res.partner"].create({"name": "Léa Voisine"})
        make_visit(self.env, self.technician, other, start=taken)  # booked meanwhile
        response = self.url_open(f"/rdv/reschedule/{self.token}", data={"slot": slots[0]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers.get("Cache-Control"), "no-store")
        self.assertIn("Ce créneau vient d'être pris", response.text)
        fresh = SLOT_RE.findall(response.text)
        self.assertTrue(fresh)
        self.assertNotIn(slots[0], fresh)
        self.event.invalidate_recordset()
        self.assertEqual(self.event.start, VISIT)

    def test_no_more_moves_offers_nothing(self):
        self.event.duret_reschedule_count = 2
        response, slots = self.get_slots()
        self.assertEqual(slots, [])
        self.assertIn("ne peut plus être déplacé en ligne", response.text)
        response = self.url_open(
            f"/rdv/reschedule/{self.token}", data={"slot": "2099-03-11 07:00:00"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("ne peut plus être déplacé en ligne", response.text)
        self.event.invalidate_recordset()
        self.assertEqual(self.event.start, VISIT)

    def test_started_visit_offers_nothing(self):
        now = fields.Datetime.now()
        self.event.write({"start": now - timedelta(minutes=30), "stop": now + timedelta(hours=2)})
        self.assertNotIn("Changer de créneau", self.url_open(f"/rdv/{self.token}").text)
        _response, slots = self.get_slots()
        self.assertEqual(slots, [])

    def test_unknown_token_is_404(self):
        for response in (
            self.url_open("/rdv/reschedule/" + "0" * 32),
            self.url_open("/rdv/reschedule/" + "0" * 32, data={"slot": "2099-03-11 07:00:00"}),
        ):
            self.assertEqual(response.status_code, 404)
            self.assertIn("Ce lien n'est plus valide", response.text)


@tagged("post_install", "-at_install")
class TestRescheduleTour(ReschedulePagesCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_customer_picks_a_slot_on_a_phone(self):
        self.start_tour(f"/rdv/{self.token}", "duret_sms_rdv_reschedule")
        self.event.invalidate_recordset()
        self.assertEqual(self.event.duret_reschedule_count, 1)
        self.assertNotEqual(self.event.start, VISIT)


@tagged("post_install", "-at_install")
class TestRescheduleSettingsTour(HttpCase):
    def test_settings_block_toggles_its_numbers(self):
        self.start_tour(
            "/web#action=base_setup.action_general_configuration",
            "duret_sms_reschedule_settings",
            login="admin",
        )
        company = self.env.ref("base.user_admin").company_id
        self.assertEqual(
            (
                company.duret_sms_reschedule,
                company.duret_sms_reschedule_slots,
                company.duret_sms_reschedule_buffer,
                company.duret_sms_reschedule_delay,
            ),
            (True, 5, 45, 48),
        )


@tagged("post_install", "-at_install")
class TestRescheduleRace(TransactionCase):
    """Two customers of one technician pick the same slot at the same moment, in two real
    transactions (committed data, two cursors, two threads), the way two HTTP requests run:
    each reads first (its snapshot), then both book; Odoo's retry on serialisation errors
    (``odoo.service.model.retrying``) wraps each, as it wraps every HTTP request."""

    def setUp(self):
        super().setUp()
        suffix = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            technician = make_technician(env, f"tech.race.{suffix}")
            customers = env["res.partner"].create(
                [{"name": f"Client A {suffix}"}, {"name": f"Client B {suffix}"}]
            )
            events = make_visit(env, technician, customers[0]) | make_visit(
                env, technician, customers[1], start=VISIT + timedelta(days=1)
            )
            self.tokens = [
                event.attendee_ids.filtered(lambda a, c=customer: a.partner_id == c).duret_rdv_token
                for event, customer in zip(events, customers, strict=True)
            ]
            self.event_ids = events.ids
            slots = Rescheduling(env).slots(events[0])
            self.assertIn(slots[0], Rescheduling(env).slots(events[1]))
            self.slot = fields.Datetime.to_string(slots[0])
            ids = (technician, customers, technician.resource_ids.calendar_id)
        self.addCleanup(self._cleanup, *(records.ids for records in ids))

    def _cleanup(self, user_ids, partner_ids, calendar_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["calendar.event"].browse(self.event_ids).unlink()
            env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "in", partner_ids)]
            ).unlink()
            users = env["res.users"].browse(user_ids)
            users.resource_ids.unlink()
            env["resource.calendar"].browse(calendar_ids).unlink()
            partners = users.partner_id | env["res.partner"].browse(partner_ids)
            users.unlink()
            partners.unlink()

    def test_two_customers_pick_the_same_slot_at_once(self):
        barrier = threading.Barrier(2, timeout=30)
        results, errors = {}, []
        public_uid = self.env.ref("base.public_user").id

        def customer(token):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, public_uid, {})
                    attendees = env["calendar.attendee"]
                    # The request reads the page first: its snapshot predates the other's booking.
                    self.assertTrue(attendees._duret_rdv_page(token)["reschedulable"])
                    barrier.wait()
                    book = partial(attendees._duret_rdv_reschedule, token, slot=self.slot)
                    results[token] = retrying(book, env)
            except Exception as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=customer, args=(token,)) for token in self.tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse(errors, errors)
        outcomes = sorted(result["result"] for result in results.values())
        self.assertEqual(outcomes, ["moved", "taken"], "one gets it, the other is told")
        loser = next(result for result in results.values() if result["result"] == "taken")
        fresh = [slot["value"] for day in loser["days"] for slot in day["slots"]]
        self.assertTrue(fresh, "the other customer gets fresh slots")
        self.assertNotIn(self.slot, fresh)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            events = env["calendar.event"].browse(self.event_ids)
            starts = events.mapped("start")
            self.assertEqual(starts.count(fields.Datetime.to_datetime(self.slot)), 1, starts)
            self.assertEqual(sorted(events.mapped("duret_reschedule_count")), [0, 1])
