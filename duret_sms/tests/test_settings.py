from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tests.common import TransactionCase, new_test_user

VALID_SID = "AC" + "0123456789abcdef" * 2


@tagged("post_install", "-at_install")
class TestSmsSettings(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.office_user = new_test_user(cls.env, login="office", groups="base.group_user")

    def test_default_provider_is_odoo_iap(self):
        company = self.env["res.company"].create({"name": "Nouvelle agence"})
        self.assertEqual(company.duret_sms_provider, "iap")

    def test_account_sid_validation(self):
        for bad in ("AC123", "XX" + "0" * 32, "AC" + "g" * 32, "AC" + "0" * 33):
            with (
                self.subTest(sid=bad),
                self.assertRaisesRegex(ValidationError, "AC followed by 32"),
            ):
                self.company.twilio_account_sid = bad
        self.company.twilio_account_sid = f"  {VALID_SID} \n"
        self.assertEqual(self.company.twilio_account_sid, VALID_SID, "pasted spaces are stripped")

    def test_sender_validation(self):
        for good in ("+33939000000", "DURET", "Duret2026", "A1"):
            self.company.twilio_from_number = good
        for bad in ("0939000000", "DURET ELEC", "DURETELECTRICITE", "12345", "+33-9-39"):
            with self.subTest(sender=bad), self.assertRaises(ValidationError):
                self.company.twilio_from_number = bad

    def test_messaging_service_validation(self):
        self.company.twilio_messaging_service_sid = "MG" + "a" * 32
        with self.assertRaisesRegex(ValidationError, "MG followed by 32"):
            self.company.twilio_messaging_service_sid = "MG42"

    def test_auth_token_readable_by_administrators_only(self):
        self.company.sudo().twilio_auth_token = "secret-token"
        company_as_office = self.company.with_user(self.office_user)
        self.assertEqual(company_as_office.twilio_account_sid, self.company.twilio_account_sid)
        with self.assertRaises(AccessError):
            company_as_office.read(["twilio_auth_token"])
        with self.assertRaises(AccessError):
            company_as_office.write({"twilio_auth_token": "stolen"})
        self.assertEqual(self.company.sudo().twilio_auth_token, "secret-token")

    def test_settings_form_saves_per_company(self):
        settings = Form(self.env["res.config.settings"])
        settings.duret_sms_provider = "twilio"
        settings.duret_twilio_account_sid = VALID_SID
        settings.duret_twilio_auth_token = "tok"
        settings.duret_twilio_from_number = "DURET"
        settings.save().execute()
        self.assertEqual(self.company.duret_sms_provider, "twilio")
        self.assertEqual(self.company.sudo().twilio_auth_token, "tok")
        self.assertFalse(self.company.duret_sms_can_receive, "alphanumeric senders get no replies")
        self.company.twilio_from_number = "+33939000000"
        self.assertTrue(self.company.duret_sms_can_receive)

    def test_twilio_without_credentials_is_refused_in_plain_words(self):
        settings = self.env["res.config.settings"].create({"duret_sms_provider": "twilio"})
        self.company.sudo().write(
            {"twilio_account_sid": False, "twilio_auth_token": False, "twilio_from_number": False}
        )
        with self.assertRaisesRegex(UserError, "Account SID.*Auth Token.*sender"):
            settings.execute()
        with self.assertRaisesRegex(UserError, "Auth Token"):
            settings.action_duret_sms_open_test_wizard()
        settings.write(
            {
                "duret_twilio_account_sid": VALID_SID,
                "duret_twilio_auth_token": "tok",
                "duret_twilio_from_number": "DURET",
            }
        )
        self.assertEqual(
            settings.action_duret_sms_open_test_wizard()["res_model"], "duret.sms.test.wizard"
        )
        self.assertEqual(self.company.duret_sms_provider, "twilio")

    def test_settings_form_rejects_bad_sid(self):
        settings = Form(self.env["res.config.settings"])
        settings.duret_sms_provider = "twilio"
        settings.duret_twilio_account_sid = "AC-not-a-sid"
        with self.assertRaises(ValidationError):
            settings.save().execute()

    def test_settings_do_not_clash_with_discuss_twilio_settings(self):
        """mail's own twilio_account_sid setting (Discuss ICE servers) must stay untouched."""
        self.company.write({"twilio_account_sid": VALID_SID, "twilio_from_number": "DURET"})
        icp_sudo = self.env["ir.config_parameter"].sudo()
        icp_sudo.set_param("mail.twilio_account_sid", "AC-discuss")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.duret_twilio_account_sid, VALID_SID)
        settings.execute()
        self.assertEqual(self.company.twilio_account_sid, VALID_SID, "saving keeps the SID")
        self.assertEqual(icp_sudo.get_param("mail.twilio_account_sid"), "AC-discuss")
