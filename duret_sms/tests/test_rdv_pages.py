from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRdvPages(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "name": "Duret Électricité",
                "phone": "04 72 00 00 00",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Camille Martin", "mobile": "06 12 34 56 78", "city": "Lyon"}
        )
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        cls.event = cls.env["calendar.event"].create(
            {
                "name": "Dépannage",
                "start": start,
                "stop": start + timedelta(hours=1),
                "location": "12 rue des Lilas, 69003 Lyon",
                "partner_ids": [
                    Command.set([cls.customer.id, cls.env.ref("base.user_admin").partner_id.id])
                ],
            }
        )
        cls.attendee = cls.event.attendee_ids.filtered(lambda a: a.partner_id == cls.customer)
        cls.token = cls.attendee.access_token

    def test_get_shows_and_changes_nothing(self):
        for path in ("/rdv/", "/rdv/confirm/", "/rdv/cancel/"):
            response = self.url_open(path + self.token)
            self.assertEqual(response.status_code, 200, path)
            self.assertIn("12 rue des Lilas", response.text)
            self.assertIn('href="tel:+33472000000"', response.text)
        self.assertIn("Voulez-vous vraiment annuler", response.text)
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "needsAction")
        self.assertEqual(self.attendee.duret_customer_answer, "none")

    def test_post_confirm(self):
        response = self.url_open(f"/rdv/confirm/{self.token}", data={"answer": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Merci, votre rendez-vous est confirmé", response.text)
        self.attendee.invalidate_recordset()
        self.assertEqual(self.attendee.state, "accepted")
        self.assertEqual(self.attendee.duret_customer_answer, "confirmed")
        self.assertEqual(self.attendee.duret_answer_channel, "web")
        # Posting again is harmless (retries, double taps).
        response = self.url_open(f"/rdv/confirm/{self.token}", data={"answer": "1"})
        self.assertIn("Votre rendez-vous est confirmé", response.text)

    def test_post_cancel(self):
        response = self.url_open(f"/rdv/cancel/{self.token}", data={"answer": "1"})
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
        response = self.url_open(f"/rdv/{organizer.access_token}")
        self.assertEqual(response.status_code, 404)

    def test_archived_event(self):
        self.event.active = False
        self.assertEqual(self.url_open(f"/rdv/{self.token}").status_code, 404)
