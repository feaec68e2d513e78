from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.duret_sms.tests.common import DuretTwilioCase
from odoo.addons.sms.tools.sms_api import SmsApi

FROM = "+33939000000"
WEDNESDAY_10H = "2026-11-25 09:00:00"  # 10:00 in Paris
SUNDAY_10H = "2026-11-29 09:00:00"


@tagged("post_install", "-at_install")
class TestMailingConsent(DuretTwilioCase):
    """SMS Marketing campaigns sent through Odoo's own mailing.mailing flow."""

    all_hours = False  # the real sending hours: campaigns must wait for them

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner.write({"duret_sms_consent": True, "duret_sms_consent_source": "form"})
        cls.no_consent = cls.env["res.partner"].create(
            {
                "name": "Paul Durand",
                "mobile": "06 98 76 54 32",
                "country_id": cls.env.ref("base.fr").id,
            }
        )

    def _mailing(self, partners, **vals):
        return self.env["mailing.mailing"].create(
            dict(
                {
                    "name": "Promo",
                    "subject": "Promo",
                    "mailing_type": "sms",
                    "body_plaintext": "Duret : -10% sur les bornes de recharge en decembre.",
                    "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
                    "mailing_domain": repr([("id", "in", partners.ids)]),
                    "sms_allow_unsubscribe": True,
                },
                **vals,
            )
        )

    def _send(self, mailing):
        """What the Send button does: queue the mailing, then Odoo's mailing cron sends it."""
        mailing.action_put_in_queue()
        self.env.ref("mass_mailing.ir_cron_mass_mailing_queue").method_direct_trigger()

    def _sms(self, mailing, partner):
        return (
            self.env["sms.sms"]
            .sudo()
            .search([("mailing_id", "=", mailing.id), ("partner_id", "=", partner.id)])
        )

    def test_campaign_is_commercial_and_excludes_contacts_without_consent(self):
        mailing = self._mailing(self.partner | self.no_consent)
        with freeze_time(WEDNESDAY_10H):
            self._send(mailing)
            self.run_queue()
        sent = self._sms(mailing, self.partner)
        self.assertEqual(sent.duret_category, "commercial")
        self.assertEqual(sent.state, "process")  # handed over: Twilio answered "queued"
        (message,) = self.sim_messages_to("+33612345678")
        self.assertTrue(message["body"].endswith(f"STOP au {FROM}"), message["body"])
        self.assertNotIn("STOP SMS:", message["body"])  # one opt-out mention, not two
        self.assertFalse(self.sim_messages_to("+33698765432"))

        trace = mailing.mailing_trace_ids.filtered(lambda t: t.sms_number == "+33698765432")
        self.assertEqual((trace.trace_status, trace.failure_type), ("cancel", "sms_no_consent"))
        self.assertIn("Paul Durand", trace.failure_reason)
        self.assertEqual(mailing.duret_no_consent_count, 1)
        self.assertEqual(mailing.canceled, 1)
        action = mailing.action_duret_view_no_consent()
        self.assertEqual(self.env["mailing.trace"].search(action["domain"]), trace)

    def test_campaign_waits_for_sending_hours(self):
        mailing = self._mailing(self.partner)
        with freeze_time(SUNDAY_10H):
            self._send(mailing)
            self.run_queue()
        sms = self._sms(mailing, self.partner)
        self.assertEqual(sms.state, "outgoing")
        self.assertTrue(sms.duret_not_before)
        self.assertFalse(self.simulator.messages)
        with freeze_time("2026-11-30 08:30:00"):  # Monday 09:30 in Paris
            self.run_queue()
        self.assertEqual(sms.state, "process")

    def test_weekly_cap_applies_to_campaigns(self):
        first, second = self._mailing(self.partner), self._mailing(self.partner, name="Promo 2")
        with freeze_time(WEDNESDAY_10H):
            self._send(first)
            self.run_queue()
            self._send(second)
            self.run_queue()
        self.assertEqual(self._sms(first, self.partner).state, "process")
        capped = self._sms(second, self.partner)
        self.assertEqual((capped.state, capped.failure_type), ("canceled", "sms_duplicate"))
        self.assertEqual(second.mailing_trace_ids.trace_status, "cancel")
        self.assertEqual(len(self.sim_messages_to("+33612345678")), 1)

    def test_opted_out_contact_is_not_sent(self):
        self.env["phone.blacklist"].sudo()._add(["+33612345678"], message="STOP")
        mailing = self._mailing(self.partner)
        with freeze_time(WEDNESDAY_10H):
            self._send(mailing)
            self.run_queue()
        self.assertFalse(self.simulator.messages)
        self.assertEqual(mailing.mailing_trace_ids.trace_status, "cancel")

    def test_mailing_list_contact_covered_by_a_consenting_contact(self):
        contacts = self.env["mailing.contact"].create(
            [
                {"name": "Camille (list)", "mobile": "+33612345678"},
                {"name": "Unknown (list)", "mobile": "+33611112222"},
            ]
        )
        mailing = self._mailing(
            self.partner,
            mailing_model_id=self.env["ir.model"]._get("mailing.contact").id,
            mailing_domain=repr([("id", "in", contacts.ids)]),
        )
        with freeze_time(WEDNESDAY_10H):
            self._send(mailing)
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to("+33612345678")), 1)
        self.assertFalse(self.sim_messages_to("+33611112222"))
        excluded = mailing.mailing_trace_ids.filtered(lambda t: t.sms_number == "+33611112222")
        self.assertEqual(excluded.failure_type, "sms_no_consent")

    def test_iap_company_untouched(self):
        """Companies on Odoo IAP keep Odoo's behaviour (only the category is set)."""
        self.company.duret_sms_provider = "iap"
        mailing = self._mailing(self.no_consent)
        composer = self.env["sms.composer"].create(
            mailing._send_sms_get_composer_values(self.no_consent.ids)
        )
        values = composer._prepare_mass_sms_values(self.no_consent)[self.no_consent.id]
        self.assertEqual(values["state"], "outgoing")
        self.assertEqual(values["duret_category"], "commercial")
        self.assertIn("STOP SMS:", values["body"])

    def test_marketing_users_record_consent(self):
        marketer = new_test_user(
            self.env, login="duret_marketer", groups="mass_mailing.group_mass_mailing_user"
        )
        self.assertTrue(marketer.has_group("duret_sms.duret_sms_group_consent"))

    def test_test_button_goes_through_the_queue_as_commercial(self):
        """Issue 17: the campaign's Test button never calls IAP for a Twilio/Sandbox company;
        its SMS are commercial (mention, consent, hours) and go through duret_sms's queue."""
        mailing = self._mailing(self.partner)
        wizard = self.env["mailing.sms.test"].create(
            {"mailing_id": mailing.id, "numbers": "+33612345678\n06 98 76 54 32\npas un numéro"}
        )
        with patch.object(SmsApi, "_send_sms_batch", side_effect=AssertionError("IAP called")):
            with freeze_time(SUNDAY_10H):
                wizard.action_send_sms()
                self.run_queue()
            sms = self.env["sms.sms"].sudo().search([("body", "like", "-10% sur les bornes")])
            self.assertEqual(sorted(sms.mapped("number")), ["+33612345678", "+33698765432"])
            self.assertEqual(sms.mapped("duret_category"), ["commercial"] * 2)
            self.assertTrue(all(body.endswith(f"STOP au {FROM}") for body in sms.mapped("body")))
            self.assertFalse(self.simulator.messages, "Sunday: waits for the sending hours")
            with freeze_time("2026-11-30 08:30:00"):  # Monday 09:30 in Paris
                self.run_queue()
        self.assertEqual(len(self.sim_messages_to("+33612345678")), 1)
        self.assertFalse(self.sim_messages_to("+33698765432"), "no consent: not sent")
        refused = sms.filtered(lambda s: s.number == "+33698765432")
        self.assertEqual((refused.state, refused.failure_type), ("canceled", "sms_optout"))
        self.assertIn("pas un numéro", mailing.message_ids[0].body)

    def test_test_button_of_an_iap_company_is_odoos(self):
        self.company.duret_sms_provider = "iap"
        mailing = self._mailing(self.partner)
        wizard = self.env["mailing.sms.test"].create(
            {"mailing_id": mailing.id, "numbers": "+33612345678"}
        )
        with patch.object(SmsApi, "_send_sms_batch", return_value=[]) as send:
            wizard.action_send_sms()
        send.assert_called_once()

    def test_campaign_text_only_reads_fields(self):
        """Issue 17 #1: the mailing queue renders a campaign as superuser; a marketing user's
        placeholder never runs code there (nor in the Test button)."""
        marketer = new_test_user(
            self.env,
            login="duret_marketer_code",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
        )
        token = self.company.sudo().twilio_auth_token
        code = "Promo {{ object.env.company.sudo().twilio_auth_token }}"
        with self.assertRaisesRegex(UserError, "is refused"):
            self._mailing(self.partner).with_user(marketer).body_plaintext = code
        # Stored before the check existed (or written in SQL): the queue refuses it too.
        mailing = self._mailing(self.partner)
        mailing.flush_recordset()
        self.env.cr.execute(
            "UPDATE mailing_mailing SET body_plaintext = %s WHERE id = %s", [code, mailing.id]
        )
        mailing.invalidate_recordset()
        composer = self.env["sms.composer"].create(
            mailing._send_sms_get_composer_values(self.partner.ids)
        )
        with self.assertRaisesRegex(UserError, "is refused"):
            composer._prepare_body_values(self.partner)
        wizard = (
            self.env["mailing.sms.test"]
            .with_user(marketer)
            .create({"mailing_id": mailing.id, "numbers": "+33612345678"})
        )
        with self.assertRaisesRegex(UserError, "is refused"):
            wizard.action_send_sms()
        self.assertFalse(
            self.env["sms.sms"].sudo().search([("body", "like", token)]), "no SMS with the token"
        )
        # Field placeholders work for the campaign, sent by the queue as superuser.
        mailing = self._mailing(self.partner, body_plaintext="Promo pour {{ object.name }}")
        with freeze_time(WEDNESDAY_10H):
            self._send(mailing)
        self.assertTrue(
            self._sms(mailing, self.partner).body.startswith("Promo pour Camille Martin")
        )
