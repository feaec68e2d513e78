from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.duret_sms.core import encoding

from .common import DuretTwilioCase

MOBILE = "+33612345678"
SATURDAY_19H30 = "2026-11-28 18:30:00"  # Paris
WEDNESDAY_10H = "2026-11-25 09:00:00"


@tagged("post_install", "-at_install")
class TestComposerPreview(DuretTwilioCase):
    """The composer says before sending what the sending rules will do."""

    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")

    def composer(self, partner=None, lang="en_US", **vals):
        partner = partner or self.partner
        return (
            self.env["sms.composer"]
            .with_context(active_model="res.partner", active_id=partner.id, lang=lang)
            .create(dict({"body": "Bonjour"}, **vals))
        )

    def test_nothing_to_say(self):
        with freeze_time(WEDNESDAY_10H):
            self.assertEqual(self.composer()._duret_preview_gate(), [])
            self.assertFalse(self.composer().duret_warnings)

    def test_opted_out_contact(self):
        self.env["phone.blacklist"].sudo()._add([MOBILE])
        with freeze_time(WEDNESDAY_10H):
            composer = self.composer(lang="fr_FR")
            self.assertEqual(
                composer._duret_preview_gate(),
                ["Ce contact a demandé à ne plus recevoir de SMS : il ne sera pas envoyé."],
            )
            self.assertIn("ne plus recevoir de SMS", composer.duret_warnings)

    def test_commercial_without_consent(self):
        with freeze_time(WEDNESDAY_10H):
            composer = self.composer(lang="fr_FR", duret_category="commercial")
            self.assertEqual(len(composer._duret_preview_gate()), 1)
            self.assertIn("aucun accord pour les SMS commerciaux", composer.duret_warnings)
            self.partner.duret_sms_consent = True
            self.assertEqual(composer._duret_preview_gate(), [])
            # Service SMS do not need consent.
            composer.duret_category = "transactional"
            self.partner.duret_sms_consent = False
            self.assertEqual(composer._duret_preview_gate(), [])

    def test_outside_hours_says_when_it_leaves(self):
        with freeze_time(SATURDAY_19H30):
            composer = self.composer(lang="fr_FR")
            self.assertEqual(
                composer._duret_preview_gate(), ["Hors heures d'envoi : il partira lundi 08:00."]
            )

    def test_mass_mode_counts_and_names(self):
        others = self.env["res.partner"].create(
            [{"name": f"Client {i}", "mobile": f"06 00 00 00 0{i}"} for i in range(5)]
        )
        with freeze_time(WEDNESDAY_10H):
            composer = (
                self.env["sms.composer"]
                .with_context(active_model="res.partner", active_ids=others.ids)
                .create({"body": "Promo", "duret_category": "commercial"})
            )
            (warning,) = composer._duret_preview_gate()
        self.assertIn("5 recipients", warning)
        self.assertIn("Client 0, Client 1, Client 2 and 2 others", warning)

    def test_send_is_disabled_only_when_nothing_leaves(self):
        with freeze_time(WEDNESDAY_10H):
            self.assertFalse(self.composer().duret_send_blocked)
            # Outside sending hours it waits, but it leaves: Send stays.
        with freeze_time(SATURDAY_19H30):
            self.assertFalse(self.composer().duret_send_blocked)
        with freeze_time(WEDNESDAY_10H):
            commercial = self.composer(duret_category="commercial")
            self.assertTrue(commercial.duret_send_blocked, "no consent: nothing leaves")
            self.env["phone.blacklist"].sudo()._add([MOBILE])
            self.assertTrue(self.composer().duret_send_blocked, "opted out: nothing leaves")
            others = self.env["res.partner"].create(
                [{"name": f"Client {i}", "mobile": f"06 00 00 00 0{i}"} for i in range(2)]
            )
            mixed = (
                self.env["sms.composer"]
                .with_context(active_model="res.partner", active_ids=(others | self.partner).ids)
                .create({"body": "Bonjour"})
            )
            self.assertFalse(mixed.duret_send_blocked, "the others still get it")

    def test_iap_company_has_no_gate(self):
        self.company.duret_sms_provider = "iap"
        self.env["phone.blacklist"].sudo()._add([MOBILE])
        with freeze_time(SATURDAY_19H30):
            self.assertEqual(self.composer()._duret_preview_gate(), [])


@tagged("post_install", "-at_install")
class TestComposerCounter(DuretTwilioCase):
    """One counter: characters, SMS, encoding, cost; what forces Unicode, and the fix."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The cost comes from the prices of recent SMS: only the ones these tests create
        # (demo databases hold priced SMS of their own).
        cls.env["sms.sms"].sudo().search([("duret_price_known", "=", True)]).write(
            {"duret_price_known": False}
        )

    def composer(self, body, **vals):
        return (
            self.env["sms.composer"]
            .with_context(active_model="res.partner", active_id=self.partner.id)
            .create(dict({"body": body}, **vals))
        )

    def test_counter_and_unicode_hint(self):
        composer = self.composer("Votre RDV côté jardin")
        self.assertEqual(composer.duret_estimate, "21 characters, 1 SMS (Unicode)")
        self.assertIn("« ô » → « o »", composer.duret_ucs2_hint)
        self.assertTrue(composer.duret_gsm_fixable)
        action = composer.with_context(duret_gsm_pick=1).action_duret_gsm_replace()
        self.assertEqual(composer.body, "Votre RDV coté jardin")
        self.assertEqual((action["res_model"], action["res_id"]), ("sms.composer", composer.id))
        self.assertEqual(composer.duret_estimate, "21 characters, 1 SMS (standard)")
        self.assertFalse(composer.duret_ucs2_hint)

    def test_staff_pick_each_character_knowing_its_cost(self):
        """Issue 18 #6: no one-click replacement that misspells French; each character is
        offered alone, with what it changes and what it saves in SMS."""
        body = (
            "Bonjour, votre tableau sera prêt bientôt. L’équipe Duret passe demain matin "
            "entre 8h et 10h, merci de laisser l’accès libre."
        )
        composer = self.composer(body)
        self.assertEqual(encoding.analyze(body).segments, 2)
        lines = [composer.duret_gsm_choice_1, composer.duret_gsm_choice_2]
        lines += [composer.duret_gsm_choice_3, composer.duret_gsm_choice_4]
        self.assertEqual(len([line for line in lines if line]), 3, lines)  # ê, ô, ’
        self.assertIn("« ê » → « e » changes the spelling", lines[0])
        self.assertIn("“prêt” becomes “pret”", lines[0])
        self.assertIn("2 SMS → 2 SMS", lines[0], "alone it saves nothing")
        self.assertIn("« ’ » → « ' » (2×)", lines[2])
        # The apostrophe only: the letters keep their accents.
        composer.with_context(duret_gsm_pick=3).action_duret_gsm_replace()
        self.assertIn("L'équipe", composer.body)
        self.assertIn("prêt bientôt", composer.body)
        self.assertIn("« ô »", composer.duret_gsm_choice_2)
        self.assertIn("2 SMS → 2 SMS", composer.duret_gsm_choice_2)
        composer.with_context(duret_gsm_pick=1).action_duret_gsm_replace()
        self.assertIn("1 SMS", composer.duret_gsm_choice_1, "the last one saves an SMS")
        self.assertIn("pret bientôt", composer.body)
        with self.assertRaises(UserError):
            composer.with_context(duret_gsm_pick=4).action_duret_gsm_replace()

    def test_emoji_has_no_equivalent(self):
        composer = self.composer("Merci 😀")
        self.assertIn("« 😀 »", composer.duret_ucs2_hint)
        self.assertFalse(composer.duret_gsm_fixable)

    def test_cost_from_recent_twilio_prices(self):
        self.env["sms.sms"].create(
            [
                {
                    "number": "+33600000001",
                    "body": "x",
                    "state": "sent",
                    "duret_price": 0.16,
                    "duret_price_unit": "EUR",
                    "duret_price_known": True,
                    "duret_segments": 2,
                    "duret_handover_at": datetime(2026, 11, 20),
                }
            ]
        )
        with freeze_time("2026-11-25 09:00:00"):
            composer = self.composer("a" * 200)  # 2 SMS
            self.assertIn("2 SMS (standard)", composer.duret_estimate)
            self.assertIn("0.16", composer.duret_estimate)
        with freeze_time("2027-06-01 09:00:00"):  # prices older than 90 days: no guess
            self.assertNotIn("about", self.composer("a").duret_estimate)

    def test_commercial_counts_the_optout_mention(self):
        composer = self.composer("Promo", duret_category="commercial")
        self.assertEqual(composer.duret_optout_mention, "STOP au +33939000000")
        self.assertIn("opt-out mention included", composer.duret_estimate)
        self.assertIn("26 characters", composer.duret_estimate)

    def test_one_counter_in_the_form(self):
        arch = self.env["sms.composer"].get_view(self.env.ref("sms.sms_composer_view_form").id)[
            "arch"
        ]
        self.assertNotIn("sms_widget", arch)
        self.assertIn("duret_estimate", arch)


@tagged("post_install", "-at_install")
class TestNotificationReason(DuretTwilioCase):
    """A cancelled or deferred chatter SMS says why in the notification popover, in French."""

    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        # Field and selection labels (the failure type) are read from the database.
        cls.env["ir.module.module"]._load_module_terms(["sms", "duret_sms"], ["fr_FR"])

    def _post(self):
        message = self.partner._message_sms("Bonjour", partner_ids=self.partner.ids)
        return message

    def _format(self, message):
        (notification,) = message.notification_ids
        return notification.with_context(lang="fr_FR")._notification_format()[0]

    def test_deferred_sms_says_when(self):
        with freeze_time(SATURDAY_19H30):
            message = self._post()
            self.run_queue()
            values = self._format(message)
        self.assertTrue(values["duret_deferred"])
        self.assertEqual(values["duret_reason"], "Différé : il partira lundi 30 novembre 08:00.")

    def test_cancelled_sms_says_why(self):
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="Replied STOP")
        with freeze_time(WEDNESDAY_10H):
            message = self._post()
            self.run_queue()
            values = self._format(message)
        self.assertEqual(values["notification_status"], "canceled")
        self.assertFalse(values["duret_deferred"])
        self.assertIn("Replied STOP", values["duret_reason"])
        self.assertTrue(
            values["duret_reason"].startswith("+33612345678 est sur la liste noire SMS depuis le"),
            values["duret_reason"],
        )

    def test_sent_sms_has_no_reason(self):
        with freeze_time(WEDNESDAY_10H):
            message = self._post()
            self.run_queue()
            values = self._format(message)
        self.assertNotIn("duret_reason", values)
