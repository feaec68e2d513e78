import importlib.util
import re
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path

from odoo.addons.duret_sms.core import encoding, windows
from odoo.addons.duret_sms.services.short_links import REMINDER_FIXED_CHARS

from .common import DuretTwilioMixin

BASE_URL = "https://erp.duret-electricite.fr"
# Customers whose full reminder took two segments: names, long streets, long towns, places.
CUSTOMERS = [
    ("Mairie de Tassin", "1 place Hippolyte Péragut", "69160", "Tassin-la-Demi-Lune", ""),
    ("François Lefèvre-Châtelet", "3 place de l’Hôtel de Ville", "38000", "Grenoble", ""),
    ("Nathalie Giraud", "91 avenue du Général de Gaulle", "69300", "Caluire-et-Cuire", ""),
    ("Hugo Blanc", "3 chemin de Crécy", "69370", "Saint-Didier-au-Mont-d'Or", ""),
    (
        "Syndic Foncia Lyon Est",
        "",
        "",
        "",
        "Résidence Le Parc, bâtiment C, 14 rue Jean Moulin, 69120 Vaulx-en-Velin",
    ),
    ("Clémence Aubert", "40 grande rue de la Croix-Rousse", "69004", "Lyon", ""),
]


@tagged("post_install", "-at_install")
class TestShortReminder(DuretTwilioMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "name": "Duret Électricité",
                "phone": "04 78 12 34 56",
                "country_id": cls.env.ref("base.fr").id,
                "duret_sms_tz": "Europe/Paris",
            }
        )
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", BASE_URL)
        # Links are built from the SMS public URL (issue 10), not from web.base.url.
        cls.env["ir.config_parameter"].sudo().set_param("duret_sms.public_url", BASE_URL)
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.durand.short",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "street": street,
                    "zip": zip_code,
                    "city": city,
                    "mobile": f"06 12 34 56 {i:02d}",
                }
                for i, (name, street, zip_code, city, _place) in enumerate(CUSTOMERS)
            ]
        )
        # Wednesday 9 December 2026, the longest day names and two-digit hours.
        start = windows.local_to_utc(date(2026, 12, 9), datetime.min.time(), "Europe/Paris")
        cls.events = (
            cls.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                [
                    {
                        "name": "Intervention",
                        "start": start + timedelta(hours=10, minutes=30),
                        "stop": start + timedelta(hours=11, minutes=30),
                        "user_id": cls.technician.id,
                        "location": place or False,
                        "partner_ids": [Command.set([partner.id, cls.technician.partner_id.id])],
                    }
                    for partner, (*_address, place) in zip(cls.customers, CUSTOMERS, strict=True)
                ]
            )
        )
        cls.attendees = cls.events.attendee_ids.filtered(lambda a: a.partner_id in cls.customers)

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company)

    def render(self, xmlid):
        self.attendees._duret_ensure_short_token()
        return self.env.ref(xmlid)._render_field("body", self.attendees.ids, compute_lang=False)

    def test_default_reminder_is_one_gsm7_segment(self):
        bodies = self.render("duret_sms.sms_template_appointment_reminder")
        for attendee in self.attendees:
            body = bodies[attendee.id]
            analysis = encoding.analyze(body)
            self.assertEqual((analysis.encoding, analysis.segments), ("GSM-7", 1), body)
            self.assertTrue(body.startswith("Duret Électricité : RDV mer. 09/12 à 10h30, "))
            self.assertTrue(body.endswith(f"{BASE_URL}/v/{attendee.duret_short_token}"), body)
        tassin = bodies[self.attendees[0].id]
        self.assertIn("1 pl. H. Péragut, Tassin-la-Demi-Lune.", tassin)
        self.assertIn(", Vaulx-en-Velin.", bodies[self.attendees[4].id])

    def test_fuller_template_still_says_everything(self):
        bodies = self.render("duret_sms.sms_template_appointment_reminder_full")
        body = bodies[self.attendees[0].id]
        for part in ("Mairie de Tassin", "Paul Durand", "04 78 12 34 56", "/rdv/"):
            self.assertIn(part, body)
        self.assertEqual(encoding.analyze(body).segments, 2)

    def test_fixed_text_length_matches_the_template(self):
        """The place's budget assumes the default template's fixed text: keep them in step."""
        body = self.env.ref("duret_sms.sms_template_appointment_reminder").body
        fixed = re.sub(r"\{\{.*?\}\}", "", body)
        self.assertEqual(len(fixed), REMINDER_FIXED_CHARS)

    def test_upgrade_switches_the_unedited_old_text(self):
        path = file_path("duret_sms/migrations/17.0.1.1.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("duret_sms_post_migrate_1_1", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        template = self.env.ref("duret_sms.sms_template_appointment_reminder")
        new_body = template.body
        template.write({"body": migration.OLD_BODY})
        template.flush_recordset()
        booked_before = self.attendees[0]
        booked_before.duret_short_token = False
        with freeze_time(datetime(2026, 12, 8, 16, 0)):
            migration.migrate(self.env.cr, "17.0.1.0.0")
        self.assertEqual(template.body, new_body)
        self.assertRegex(booked_before.duret_short_token, r"^[A-Za-z0-9_-]{16}$")
        self.assertEqual(template.with_context(lang="fr_FR").body, new_body)
        template.write({"body": "Texte modifié par le bureau {{ object.duret_rdv_url }}"})
        template.flush_recordset()
        migration.migrate(self.env.cr, "17.0.1.0.0")
        self.assertIn("modifié par le bureau", template.body, "an edited text stays")

    def test_short_token_is_96_random_bits(self):
        tokens = self.attendees.mapped("duret_short_token")
        self.assertEqual(len(set(tokens)), len(tokens))
        for token in tokens:
            self.assertRegex(token, r"^[A-Za-z0-9_-]{16}$")  # 16 x 6 bits
        before = self.attendees[0].duret_short_token
        self.attendees._duret_ensure_short_token()
        self.assertEqual(self.attendees[0].duret_short_token, before, "a link never changes")

    def test_reminder_cron_sends_the_short_text_and_company_may_choose(self):
        attendee = self.attendees[0]
        with freeze_time(datetime(2026, 12, 8, 16, 0)):  # Tuesday 17:00 Paris
            self.env["calendar.event"]._cron_duret_appointment_reminder()
        body = attendee.duret_reminder_sms_id.body
        self.assertIn(f"/v/{attendee.duret_short_token}", body)
        self.assertEqual(encoding.analyze(body).segments, 1)
        self.company.duret_sms_reminder_template_id = self.env.ref(
            "duret_sms.sms_template_appointment_reminder_full"
        )
        attendee.write({"duret_reminder_sms_id": False, "duret_reminder_state": False})
        attendee.flush_recordset()
        with freeze_time(datetime(2026, 12, 8, 16, 0)):
            attendee._duret_remind(self.company, fields.Datetime.now())
        self.assertIn("avec Paul Durand", attendee.duret_reminder_sms_id.body)

    def test_short_link_shows_the_appointment_page(self):
        attendee = self.attendees[0]
        attendee._duret_ensure_short_token()
        with freeze_time(datetime(2026, 12, 8, 16, 0)):
            response = self.url_open(f"/v/{attendee.duret_short_token}")
            long_page = self.url_open(f"/rdv/{attendee.duret_rdv_token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("1 place Hippolyte Péragut", response.text)  # the full address
        self.assertIn("Paul Durand", response.text)
        self.assertIn(f"/rdv/confirm/{attendee.duret_rdv_token}", response.text)
        self.assertEqual(long_page.status_code, 200, "the long links keep working")
        attendee.invalidate_recordset()
        self.assertEqual(attendee.duret_customer_answer, "none", "GET changes nothing")

    def test_unknown_or_expired_short_link_is_404(self):
        attendee = self.attendees[0]
        attendee._duret_ensure_short_token()
        with freeze_time(datetime(2026, 12, 8, 16, 0)):
            unknown = self.url_open("/v/" + "A" * 16)
            malformed = self.url_open("/v/short")
            old_unknown = self.url_open("/r/" + "A" * 16)
        with freeze_time(datetime(2026, 12, 10, 9, 0)):  # the appointment is over
            expired = self.url_open(f"/v/{attendee.duret_short_token}")
        for response in (unknown, malformed, old_unknown, expired):
            self.assertEqual(response.status_code, 404)
            self.assertNotIn("Mairie", response.text)

    # Issue 17, item 6: /r/<code> is Odoo's link_tracker route; ours is /v/, and the /r/ links
    # of reminders already sent keep working without shadowing link_tracker.

    def test_short_links_never_shadow_link_tracker(self):
        if "link.tracker" not in self.env:
            self.skipTest("link_tracker is not installed")
        attendee = self.attendees[0]
        attendee._duret_ensure_short_token()
        tracker = self.env["link.tracker"].create({"url": "https://www.example.com/promo"})
        # A code of our token's very shape (16 base64url characters) stays link_tracker's too.
        lookalike = self.env["link.tracker"].create({"url": "https://www.example.com/other"})
        lookalike.link_code_ids.code = "Zz09Zz09Zz09Zz09"
        with freeze_time(datetime(2026, 12, 8, 16, 0)):
            tracked = self.url_open(f"/r/{tracker.code}", allow_redirects=False)
            tracked_lookalike = self.url_open("/r/Zz09Zz09Zz09Zz09", allow_redirects=False)
            old_link = self.url_open(f"/r/{attendee.duret_short_token}")
            new_link = self.url_open(f"/v/{attendee.duret_short_token}")
        self.assertEqual(tracked.status_code, 301)
        self.assertEqual(tracked.headers["Location"], "https://www.example.com/promo")
        self.assertEqual(tracked_lookalike.status_code, 301)
        self.assertEqual(tracked_lookalike.headers["Location"], "https://www.example.com/other")
        tracker.invalidate_recordset()
        self.assertEqual(tracker.count, 1, "link_tracker counted the click")
        for response in (old_link, new_link):
            self.assertEqual(response.status_code, 200)
            self.assertIn("1 place Hippolyte Péragut", response.text)
            self.assertIn(f"/rdv/confirm/{attendee.duret_rdv_token}", response.text)

    def test_new_prefix_is_nobody_elses_route(self):
        routes = {rule.rule for rule in self.env["ir.http"].routing_map().iter_rules()}
        self.assertIn("/v/<string:token>", routes)
        self.assertFalse([r for r in routes if r.startswith("/v/") and r != "/v/<string:token>"])
