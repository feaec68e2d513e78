import re
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


def contrast_ratio(foreground, background):
    """WCAG 2 contrast ratio of two "#rrggbb" colours."""

    def luminance(color):
        channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@tagged("post_install", "-at_install")
class TestRdvPages(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "name": "Duret Électricité",
                "phone": "+33478123456",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Camille Martin", "mobile": "06 12 34 56 78", "city": "Lyon"}
        )
        cls.company.duret_sms_tz = "Europe/Paris"
        # Far in the future: the page expires when the appointment is over.
        start = datetime(2099, 3, 10, 13, 0)  # 14:00 in Paris
        cls.event = cls.env["calendar.event"].create(
            {
                "name": "Remplacement du tableau électrique",
                "start": start,
                "stop": start + timedelta(hours=2, minutes=30),
                "location": "12 rue des Lilas, 69003 Lyon",
                "partner_ids": [
                    Command.set([cls.customer.id, cls.env.ref("base.user_admin").partner_id.id])
                ],
            }
        )
        cls.attendee = cls.event.attendee_ids.filtered(lambda a: a.partner_id == cls.customer)
        cls.token = cls.attendee.duret_rdv_token

    def test_get_shows_and_changes_nothing(self):
        for path in ("/rdv/", "/rdv/confirm/", "/rdv/cancel/"):
            response = self.url_open(path + self.token)
            self.assertEqual(response.status_code, 200, path)
            self.assertIn("12 rue des Lilas", response.text)
            self.assertIn('href="tel:+33478123456"', response.text)
        self.assertIn("Voulez-vous vraiment annuler", response.text)
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "needsAction")
        self.assertEqual(self.attendee.duret_customer_answer, "none")

    def test_page_says_who_what_when_and_whom_to_call(self):
        text = self.url_open(f"/rdv/{self.token}").text
        self.assertIn("Bonjour Camille Martin", text)
        self.assertIn("Remplacement du tableau électrique", text, "what the visit is for")
        self.assertIn("de 14h00 à 16h30", text, "the arrival window, in company time")
        self.assertIn("Appeler le 04 78 12 34 56", text, "the phone as the French write it")
        self.assertIn("Duret Électricité", text)

    def test_footer_text_contrast_is_at_least_4_5(self):
        text = self.url_open(f"/rdv/{self.token}").text
        body = re.search(r"body \{[^}]*background: (#[0-9a-f]{6})", text).group(1)
        footer = re.search(r"footer \{[^}]*color: (#[0-9a-f]{6})", text).group(1)
        self.assertGreaterEqual(contrast_ratio(footer, body), 4.5)

    def test_post_confirm_redirects_to_the_page(self):
        url = f"/rdv/confirm/{self.token}"
        response = self.url_open(url, data={"answer": "1"}, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"/rdv/{self.token}"))
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "accepted")
        self.assertEqual(self.attendee.duret_customer_answer, "confirmed")
        self.assertEqual(self.attendee.duret_answer_channel, "web")
        # What the customer's browser then shows (and shows again on reload, posting nothing)
        response = self.url_open(url, data={"answer": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(f"/rdv/{self.token}"))
        self.assertIn("Merci, votre rendez-vous est confirmé", response.text)
        self.assertNotIn("Je confirme", response.text)

    def test_post_cancel_redirects_to_the_page(self):
        url = f"/rdv/cancel/{self.token}"
        response = self.url_open(url, data={"answer": "1"}, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        response = self.url_open(response.headers["Location"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("Votre rendez-vous est annulé", response.text)
        self.assertNotIn("Je confirme", response.text)
        self.attendee.invalidate_recordset()
        self.event.invalidate_recordset()
        self.assertEqual(self.attendee.state, "declined")
        self.assertEqual(self.event.duret_customer_answer, "cancelled")

    def test_invalid_tokens_are_404_and_reveal_nothing(self):
        unknown = self.url_open("/rdv/" + "0" * 32)
        malformed = self.url_open("/rdv/not-a-token")
        post = self.url_open("/rdv/cancel/" + "f" * 32, data={"answer": "1"})
        for response in (unknown, malformed, post):
            self.assertEqual(response.status_code, 404)
            self.assertIn("Ce lien n'est plus valide", response.text)
            self.assertNotIn("Camille", response.text)
            # whom to call instead: the company's name and a call button
            self.assertIn("Duret Électricité", response.text)
            self.assertIn('class="btn call"', response.text)
            self.assertIn('href="tel:+33478123456"', response.text)
        self.assertEqual(unknown.text, malformed.text)

    def test_expired_token(self):
        past = fields.Datetime.now().replace(microsecond=0) - timedelta(days=1)
        self.event.write({"start": past, "stop": past + timedelta(hours=1)})
        response = self.url_open(f"/rdv/{self.token}")
        self.assertEqual(response.status_code, 404)
        response = self.url_open(f"/rdv/confirm/{self.token}", data={"answer": "1"})
        self.assertEqual(response.status_code, 404)
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "needsAction")

    def test_internal_attendee_token_does_not_work(self):
        admin = self.env.ref("base.user_admin").partner_id
        organizer = self.event.attendee_ids.filtered(lambda a: a.partner_id == admin)
        self.assertTrue(organizer)
        response = self.url_open(f"/rdv/{organizer.duret_rdv_token}")
        self.assertEqual(response.status_code, 404)

    def test_archived_event(self):
        self.event.active = False
        self.assertEqual(self.url_open(f"/rdv/{self.token}").status_code, 404)

    def test_optout_pages_share_the_design(self):
        sms = self.env["sms.sms"].create({"number": "+33612345678", "body": "Promo"})
        for url in (f"/sms/optout/{sms.uuid}", "/sms/optout/" + "f" * 32):
            text = self.url_open(url).text
            self.assertIn('<p class="brand">Duret Électricité</p>', text, url)
            self.assertIn('href="tel:+33478123456"', text, url)
            self.assertIn("04 78 12 34 56", text, url)

    # Issue 17, item 16: the /rdv/ credential is our own token, and answers have a deadline.

    def test_token_is_ours_not_odoos_invitation_token(self):
        self.assertRegex(self.token, r"^[0-9a-f]{32}$")  # 128 random bits
        self.assertNotEqual(self.token, self.attendee.access_token)
        self.assertIn(f"/rdv/{self.token}", self.attendee.duret_rdv_url)
        self.assertNotIn(self.attendee.access_token, self.attendee.duret_rdv_url)
        # Odoo's invitation token (whose GET /calendar/meeting/accept|decline act) opens nothing.
        response = self.url_open(f"/rdv/{self.attendee.access_token}")
        self.assertEqual(response.status_code, 404)
        post = self.url_open(f"/rdv/cancel/{self.attendee.access_token}", data={"answer": "1"})
        self.assertEqual(post.status_code, 404)
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "needsAction")

    def test_token_field_is_not_readable_by_portal_users(self):
        field = self.env["calendar.attendee"]._fields["duret_rdv_token"]
        self.assertEqual(field.groups, "base.group_user")
        self.assertFalse(field.copy)
        portal = self.env["res.users"].create(
            {
                "name": "Portal Camille",
                "login": "portal.camille.rdv",
                "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )
        self.assertNotIn(
            "duret_rdv_token", self.env["calendar.attendee"].with_user(portal).fields_get()
        )
        self.assertNotIn(
            "duret_rdv_url", self.env["calendar.attendee"].with_user(portal).fields_get()
        )

    def test_no_answer_once_the_visit_has_started(self):
        start = fields.Datetime.now().replace(microsecond=0) - timedelta(minutes=10)
        self.event.write({"start": start, "stop": start + timedelta(hours=2)})
        page = self.url_open(f"/rdv/{self.token}")
        self.assertEqual(page.status_code, 200, "the page still shows until the visit ends")
        self.assertNotIn("Je confirme", page.text)
        self.assertNotIn("Annuler le rendez-vous", page.text)
        self.assertIn("appelez-nous", page.text)
        for action in ("confirm", "cancel"):
            self.url_open(f"/rdv/{action}/{self.token}", data={"answer": "1"})
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "needsAction")
        self.assertEqual(self.attendee.duret_customer_answer, "none")

    def test_no_answer_when_the_office_declined(self):
        self.attendee.do_decline()  # the office took the customer off the visit
        page = self.url_open(f"/rdv/{self.token}")
        self.assertNotIn("Je confirme", page.text)
        for action in ("confirm", "cancel"):
            self.url_open(f"/rdv/{action}/{self.token}", data={"answer": "1"})
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "declined")
        self.assertEqual(self.attendee.duret_customer_answer, "none")
        self.assertFalse(self.attendee._duret_customer_confirm("sms"))
        self.assertFalse(self.attendee._duret_customer_cancel("sms"))
