from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..core import dispatch, twilio_codes
from ..core.gateway import TwilioGateway
from ..tools.twilio_texts import TWILIO_ERROR_TEXTS, translate_reason
from .common import DuretTwilioCase

MOBILE = "+33612345678"
# A Sunday 03:00 in Paris (02:00 UTC): outside every sending hour; Monday 10:00 Paris after it.
SUNDAY_NIGHT = "2030-01-13 02:00:00"
MONDAY_MORNING = "2030-01-14 09:00:00"


class FrenchCase(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["duret_sms", "sms"], ["fr_FR"])
        cls.officer = new_test_user(
            cls.env,
            login="duret_officer",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
            lang="fr_FR",
        )

    def _failed_undelivered(self, code=30003):
        """A chatter SMS that Twilio accepted, then reported undelivered with ``code``."""
        message = self.partner._message_sms("Bonjour")
        self.run_queue()
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        # What the status callback does (its HTTP side is tested in test_status_callback).
        sms._duret_apply_twilio_status("undelivered", code)
        self.assertEqual(sms.state, "error")
        return message, sms


@tagged("post_install", "-at_install")
class TestSmsStaffTexts(FrenchCase):
    def test_twilio_failure_reads_in_the_readers_language(self):
        message, sms = self._failed_undelivered(30003)
        self.assertTrue(sms.duret_failure_reason.startswith("The recipient's phone is off"))
        french = sms.with_user(self.officer).with_context(lang="fr_FR")
        self.assertIn("Le téléphone du destinataire est éteint", french.duret_failure_text)
        self.assertIn("(30003)", french.duret_failure_text, "a code is shown as a code")
        self.assertEqual(french.duret_error_code_text, "30003")
        self.assertEqual(french.duret_twilio_status_label, "Non distribué")
        english = sms.with_context(lang="en_US")
        self.assertTrue(english.duret_failure_text.startswith("The recipient's phone is off"))
        self.assertEqual(english.duret_twilio_status_label, "Not delivered")
        # The popover of the message's SMS icon gives the same reason, in French.
        notification = message.notification_ids.filtered(lambda n: n.notification_type == "sms")
        formatted = notification.with_context(lang="fr_FR")._notification_format()
        reason = formatted[0]["duret_reason"]
        self.assertIn("Le téléphone du destinataire est éteint", reason)
        # So does the "sending failures" dialog the author opens from that icon.
        resend = (
            self.env["sms.resend"]
            .with_context(lang="fr_FR", default_mail_message_id=message.id)
            .create({})
        )
        self.assertIn(
            "Le téléphone du destinataire est éteint",
            resend.recipient_ids.duret_failure_reason,
        )

    def test_reason_in_the_users_language_when_the_context_has_none(self):
        # A cron or a webhook runs without a language in its context: what it writes (a note
        # quoting Twilio's reason) follows its user's language, like Odoo's own _() does.
        english = twilio_codes.error_info(30003).message
        env = self.env(user=self.officer, context={})
        self.assertIn(
            "Le téléphone du destinataire est éteint", translate_reason(env, english, 30003)
        )
        env = self.env(user=self.officer, context={"lang": "en_US"})
        self.assertTrue(translate_reason(env, english, 30003).startswith("The recipient's phone"))

    def test_every_core_explanation_has_a_french_text(self):
        self.assertEqual(set(TWILIO_ERROR_TEXTS), set(twilio_codes.TWILIO_ERRORS))
        english_texts = [info.message for info in twilio_codes.TWILIO_ERRORS.values()]
        english_texts += [
            twilio_codes.error_info(99999).message,
            twilio_codes.error_info(None, 401).message,
            twilio_codes.error_info(None, 429).message,
            twilio_codes.error_info(None, 503).message,
            twilio_codes.error_info(None, 404).message,
            twilio_codes.error_info(None).message,
            str(TwilioGateway._network_error(OSError("x"), ambiguous=True, what="connection lost")),
            str(
                TwilioGateway._network_error(
                    OSError("x"), ambiguous=False, what="connection refused"
                )
            ),
            str(dispatch._unexpected(ValueError("boom"))),
        ]
        env_fr = self.env(context=dict(self.env.context, lang="fr_FR"))
        code_of = {info.message: code for code, info in twilio_codes.TWILIO_ERRORS.items()}
        for english in english_texts:
            code = code_of.get(english)
            with self.subTest(english=english):
                french = translate_reason(env_fr, english, code)
                self.assertNotEqual(french, english)
                self.assertNotRegex(french, r"\d \d{3}\b", "no thousands separator in codes")

    def test_test_wizard_answers_in_french_and_records_the_sms(self):
        wizard = (
            self.env["duret.sms.test.wizard"]
            .with_context(lang="fr_FR")
            .create({"number": "06 12 34 56 78", "body": "Test"})
        )
        wizard.action_send()
        self.assertEqual(wizard.result_state, "success")
        self.assertIn("statut : En file d'attente chez Twilio", wizard.result_message)
        self.assertEqual((wizard.sms_id.number, wizard.sms_id.state), (MOBILE, "process"))
        self.assertTrue(wizard.sms_id.twilio_sid)
        test_sms = wizard.sms_id
        self.simulator.fail_number(MOBILE, 30007)
        wizard.action_send()
        self.assertEqual(wizard.result_state, "error")
        self.assertIn("L'opérateur a filtré le message", wizard.result_message)
        self.assertEqual(wizard.sms_id.state, "error")
        self.assertEqual(wizard.sms_id.twilio_error_code, 30007)
        self.assertTrue(
            self.simulator.callback_url(test_sms.twilio_sid).endswith(test_sms.uuid),
            "its delivery report will reach the history",
        )


@tagged("post_install", "-at_install")
class TestSmsDeferralDisplay(FrenchCase):
    all_hours = False

    def test_deferral_is_information_in_the_company_language(self):
        self.company.partner_id.lang = "fr_FR"
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        with freeze_time(SUNDAY_NIGHT):
            sms.send()
            self.run_queue()
            self.assertEqual(sms.state, "outgoing")
            self.assertTrue(sms.duret_is_deferred)
            self.assertFalse(sms.duret_failure_text, "a deferral is not a failure")
            self.assertIn("Reporté au 14/01/2030 08:00", sms.duret_deferral_text)
            self.assertIn("en dehors des heures d'envoi", sms.duret_deferral_text)

    def test_unsent_sms_has_no_price_and_sent_sms_price_has_its_currency(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        self.assertFalse(sms.duret_handover_at)
        self.assertFalse(sms.duret_price_known)
        sms.write({"duret_price": 0.076, "duret_price_unit": "EUR", "duret_price_known": True})
        self.assertEqual(sms.duret_currency_id, self.env.ref("base.EUR"))
        self.assertAlmostEqual(sms.duret_price, 0.076)


@tagged("post_install", "-at_install")
class TestSmsHistoryActions(FrenchCase):
    all_hours = False

    def test_retry_a_retriable_failure_goes_through_the_queue_once(self):
        with freeze_time(MONDAY_MORNING):
            message, failed = self._failed_undelivered(30003)
            self.assertTrue(failed.duret_can_retry)
            action = failed.with_user(self.officer).action_duret_retry()
            retry = self.env["sms.sms"].sudo().browse(action["res_id"])
            self.assertEqual((retry.state, retry.duret_retry_of_id), ("outgoing", failed))
            self.assertEqual(failed.duret_retry_ids, retry)
            self.assertEqual(failed.state, "error", "the failed SMS stays in the history")
            notification = message.notification_ids.filtered(lambda n: n.notification_type == "sms")
            self.assertEqual(notification.notification_status, "ready")
            self.run_queue()
            self.assertEqual(len(self.sim_messages_to(MOBILE)), 2)
            self.assertEqual(retry.state, "process")
            retry._duret_apply_twilio_status("delivered")
            self.assertEqual(notification.notification_status, "sent")
            with self.assertRaises(UserError):
                failed.with_user(self.officer).action_duret_retry()

    def test_no_retry_for_a_wrong_number(self):
        with freeze_time(MONDAY_MORNING):
            self.simulator.fail_number(MOBILE, 21211)
            sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
            sms.send()
            self.run_queue()
            self.assertEqual(sms.state, "error")
            self.assertFalse(sms.duret_can_retry)
            with self.assertRaises(UserError):
                sms.with_user(self.officer).action_duret_retry()

    def test_cancel_a_deferred_sms(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        with freeze_time(SUNDAY_NIGHT):
            sms.send()
            self.run_queue()
            self.assertTrue(sms.duret_can_cancel)
            sms.with_user(self.officer).action_duret_cancel()
            self.assertEqual(sms.state, "canceled")
            self.assertIn(self.officer.name, sms.duret_failure_reason)
        with freeze_time(MONDAY_MORNING):
            self.run_queue()
        self.assertEqual(self.simulator.created_count, 0)

    def test_send_now_says_why_not_outside_sending_hours(self):
        self.company.partner_id.lang = "fr_FR"
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        with freeze_time(SUNDAY_NIGHT):
            sms.send()
            self.run_queue()
            action = sms.with_user(self.officer).with_context(lang="fr_FR").action_duret_send_now()
            self.assertEqual(action["params"]["type"], "warning")
            self.assertIn("en dehors des heures d'envoi", action["params"]["message"])
            self.run_queue()
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(self.simulator.created_count, 0)

    def test_send_now_skips_the_retry_wait_but_not_the_rules(self):
        with freeze_time(MONDAY_MORNING):
            self.simulator.queue_errors(503, count=50)
            self.env["ir.config_parameter"].sudo().set_param("duret_sms.twilio_retry_backoff", 0.01)
            first, second = self.env["sms.sms"].create(
                [
                    {"number": MOBILE, "body": "Bonjour"},
                    {"number": "+33698765432", "body": "Bonjour"},
                ]
            )
            (first | second).send()
            self.run_queue()
            self.assertTrue(first.duret_is_deferred and second.duret_is_deferred)
            self.simulator.clear_queued_errors()
            # The second number opted out meanwhile: "send now" is no way around the list.
            self.env["phone.blacklist"].sudo()._add(["+33698765432"])
            action = first.with_user(self.officer).action_duret_send_now()
            self.assertEqual(action["params"]["type"], "success")
            second.with_user(self.officer).action_duret_send_now()
            self.assertEqual((second.state, second.failure_type), ("canceled", "sms_blacklist"))
            self.run_queue()
            self.assertEqual(first.state, "process")
            self.assertEqual(self.simulator.created_count, 1)

    def test_actions_need_the_officer_group(self):
        user = new_test_user(self.env, login="duret_plain", groups="base.group_user")
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "Bonjour"})
        with self.assertRaises(UserError):
            sms.with_user(user).action_duret_cancel()
