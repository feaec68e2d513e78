"""The visit's screens (issue 19): the customer's rating page behind the thank-you SMS, and
the technician's *En route* button at phone size, in a real browser."""

import json
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import CUSTOMER_PAGE_READY, DuretTwilioMixin


@tagged("post_install", "-at_install")
class TestRatingPage(HttpCase):
    browser_size = "390x844"  # a phone: the page is opened from an SMS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"name": "Duret Électricité", "phone": "+33478123456"})
        cls.customer = cls.env["res.partner"].create(
            {"name": "Camille Martin", "mobile": "06 12 34 56 78", "city": "Lyon"}
        )
        cls.office = cls.env["res.users"].create(
            {
                "name": "Sophie Bureau",
                "login": "sophie.bureau",
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        # A fixed day long past: the visit is over whatever the clock says.
        cls.event = (
            cls.env["calendar.event"]
            .with_user(cls.office)
            .create(
                {
                    "name": "Remplacement du tableau électrique",
                    "start": datetime(2020, 3, 10, 13, 0),
                    "stop": datetime(2020, 3, 10, 15, 0),
                    "user_id": cls.env.ref("base.user_admin").id,
                    "partner_ids": [
                        Command.set([cls.customer.id, cls.env.ref("base.user_admin").partner_id.id])
                    ],
                }
            )
            .sudo()
        )
        cls.attendee = cls.event.attendee_ids.filtered(lambda a: a.partner_id == cls.customer)
        cls.attendee.action_duret_mark_done()
        cls.token = cls.attendee.duret_short_token
        cls.url = f"/avis/{cls.token}"

    def post(self, **data):
        return self.url_open(self.url, data=data, allow_redirects=False)

    def test_get_shows_and_records_nothing(self):
        for _i in range(2):
            response = self.url_open(self.url)
            self.assertEqual(response.status_code, 200)
            self.assertIn('name="rating"', response.text)
            self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.url_open(self.url + "?rating=1&comment=x")
        self.attendee.invalidate_recordset()
        self.assertFalse(self.attendee.duret_rating)

    def test_post_records_once_then_303(self):
        response = self.post(rating="5", comment="  Très bien, merci !  ")
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(self.url))
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.duret_rating, 5)
        self.assertEqual(self.attendee.duret_rating_comment, "Très bien, merci !")
        again = self.post(rating="1", comment="changed my mind")
        self.assertEqual(again.status_code, 303)
        self.attendee.invalidate_recordset()
        self.assertEqual(
            (self.attendee.duret_rating, self.attendee.duret_rating_comment),
            (5, "Très bien, merci !"),
        )
        page = self.url_open(self.url).text
        self.assertIn("Merci pour votre avis (5/5)", page)
        self.assertNotIn('name="rating"', page)

    def test_invalid_rating_records_nothing(self):
        for bad in ("0", "6", "abc", ""):
            self.assertEqual(self.post(rating=bad).status_code, 303)
        self.attendee.invalidate_recordset()
        self.assertFalse(self.attendee.duret_rating)

    def test_unknown_token_and_visit_not_done(self):
        self.assertEqual(self.url_open("/avis/" + "A" * 16).status_code, 404)
        self.assertEqual(self.url_open("/avis/short").status_code, 404)
        self.assertEqual(self.url_open("/avis/" + "A" * 16, data={"rating": "5"}).status_code, 404)
        self.attendee.action_duret_attendance_reset()
        self.assertEqual(self.url_open(self.url).status_code, 404)

    def test_low_rating_creates_an_activity_for_the_office(self):
        self.post(rating="2", comment="Technicien en retard")
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.office)
        self.assertIn("Technicien en retard", activity.note)

    def test_good_rating_invites_to_a_public_review(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "duret_sms.review_url", "https://g.page/r/duret/review"
        )
        self.post(rating="4")
        self.assertIn('href="https://g.page/r/duret/review"', self.url_open(self.url).text)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
            )
        )

    def test_rating_page_in_a_phone_browser(self):
        """At 390 px: every rating button fits the screen; the form's POST lands on the thanks."""
        code = """
            (async () => {
                const buttons = [...document.querySelectorAll('button[name="rating"]')];
                if (buttons.length !== 5) { throw new Error("5 rating buttons expected"); }
                for (const button of buttons) {
                    const box = button.getBoundingClientRect();
                    if (box.right > window.innerWidth || box.height < 44) {
                        throw new Error("rating button off screen or too small: " + box.right);
                    }
                }
                const form = document.querySelector("form.o_duret_rating_form");
                document.querySelector("textarea[name=comment]").value = "Parfait";
                const data = new FormData(form);
                data.append("rating", buttons[3].value);
                const response = await fetch(form.action, { method: "POST", body: data });
                const text = await response.text();
                if (!response.redirected || !text.includes("Merci pour votre avis (4/5)")) {
                    throw new Error("no thanks after the POST");
                }
                console.log("test successful");
            })().catch((error) => console.error(error.message));
        """
        self.browser_js(self.url, code, ready=CUSTOMER_PAGE_READY)
        self.attendee.invalidate_recordset()
        self.assertEqual(
            (self.attendee.duret_rating, self.attendee.duret_rating_comment), (4, "Parfait")
        )


@tagged("post_install", "-at_install")
class TestEnRouteTour(DuretTwilioMixin, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_en_route_button_on_the_phone(self):
        company = self.env.company
        company.country_id = self.env.ref("base.fr")
        self.setup_twilio(company)  # sending hours opened round the clock
        admin = self.env.ref("base.user_admin")
        admin.name = "Karim Benali"
        customer = self.env["res.partner"].create(
            {"name": "Camille Tournée", "mobile": "06 12 34 56 78"}
        )
        # Within the next hour by the real clock: the visit is ahead, whenever CI runs.
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(minutes=50)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Visite en route duret",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": admin.id,
                    "partner_ids": [Command.set([customer.id, admin.partner_id.id])],
                }
            )
        )
        self.start_tour(
            f"/web#model=calendar.event&id={event.id}&view_type=form",
            "duret_sms_en_route",
            login="admin",
        )
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("duret_kind", "=", "en_route"), ("partner_id", "=", customer.id)])
        )
        self.assertEqual(len(sms), 1, "the second tap within 30 minutes sends nothing")
        self.assertIn("votre technicien Karim est en route, arrivée vers", sms.body)
        self.assertTrue(event.duret_en_route_eta)
        self.assertIn("30 min", event.message_ids[0].body)
        json.dumps(event.action_duret_en_route(eta_minutes=15))  # the button's answer is JSON

    def test_en_route_from_the_calendar_popover(self):
        company = self.env.company
        company.country_id = self.env.ref("base.fr")
        self.setup_twilio(company)  # sending hours opened round the clock
        admin = self.env.ref("base.user_admin")
        # No position from the headless browser: the technician's base, 4.8 km away.
        admin.write({"duret_base_latitude": 45.7719, "duret_base_longitude": 4.8902})
        customer = self.env["res.partner"].create(
            {
                "name": "Camille Tournée",
                "mobile": "06 12 34 56 78",
                "partner_latitude": 45.7578,
                "partner_longitude": 4.8320,
            }
        )
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(minutes=50)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Visite popover en route",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": admin.id,
                    "partner_ids": [Command.set([customer.id, admin.partner_id.id])],
                }
            )
        )
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Today's calendar",
                "res_model": "calendar.event",
                "view_mode": "calendar",
                "context": str({"initial_date": fields.Datetime.to_string(start)}),
            }
        )
        self.start_tour(f"/web#action={action.id}", "duret_sms_en_route_popover", login="admin")
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("duret_kind", "=", "en_route"), ("partner_id", "=", customer.id)])
        )
        self.assertEqual(len(sms), 1)
        self.assertTrue(event.duret_en_route_eta)
        self.assertIn("base", event.message_ids[0].body)
