from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import DuretTwilioCase

MOBILE = "+33612345678"


@tagged("post_install", "-at_install")
class TestPartnerConsent(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="duret_salesman",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_consent",
            name="Sophie Vendeuse",
        )
        cls.plain_user = new_test_user(cls.env, login="duret_plain", groups="base.group_user")
        cls.officer = new_test_user(
            cls.env,
            login="duret_officer_lift",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_officer",
            name="Olivier Officier",
        )

    def _optout(self, number=MOBILE, message="Replied STOP"):
        self.env["phone.blacklist"].sudo()._add([number], message=message)

    def test_form_records_who_when_how_and_tracks_it(self):
        partner = self.partner.with_user(self.salesman)
        with freeze_time("2026-03-12 09:30:00"):
            with Form(partner) as form:
                form.duret_sms_consent = True
                form.duret_sms_consent_source = "phone"
        self.assertEqual(partner.duret_sms_consent_date, datetime(2026, 3, 12, 9, 30))
        self.assertEqual(partner.duret_sms_consent_user_id, self.salesman)
        self.assertEqual(partner.duret_sms_consent_source, "phone")
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written at commit time
        tracked = partner.sudo().message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("duret_sms_consent", tracked)
        self.assertIn("duret_sms_consent_source", tracked)
        # Withdrawing clears the proof fields; the history keeps the trace.
        with Form(partner) as form:
            form.duret_sms_consent = False
        self.assertFalse(partner.duret_sms_consent_date)
        self.assertFalse(partner.duret_sms_consent_source)
        self.assertFalse(partner.duret_sms_consent_user_id)

    def test_sms_page_only_for_consent_group(self):
        def arch(user):
            view = self.env.ref("base.view_partner_form")
            return self.env["res.partner"].with_user(user).get_view(view.id)["arch"]

        self.assertIn('name="duret_sms"', arch(self.salesman))
        self.assertIn("action_duret_sms_lift_optout", arch(self.officer))
        self.assertNotIn('name="duret_sms"', arch(self.plain_user))

    def test_import_accepts_consent_columns(self):
        partners = self.env["res.partner"]
        with freeze_time("2026-03-12 10:00:00"):
            result = partners.load(
                ["name", "mobile", "duret_sms_consent", "duret_sms_consent_source"],
                [
                    ["Imported Yes", "0611111111", "1", "paper"],
                    ["Imported No", "0622222222", "0", ""],
                ],
            )
        self.assertFalse(result["messages"], result["messages"])
        yes, no = partners.browse(result["ids"])
        self.assertTrue(yes.duret_sms_consent)
        self.assertEqual(yes.duret_sms_consent_source, "paper")
        self.assertEqual(yes.duret_sms_consent_date, datetime(2026, 3, 12, 10, 0))
        self.assertEqual(yes.duret_sms_consent_user_id, self.env.user)
        self.assertFalse(no.duret_sms_consent)
        # Re-importing the same file later must not rewrite the proof of the earlier consent.
        with freeze_time("2026-06-01 10:00:00"):
            partners.load(
                ["id", "duret_sms_consent"],
                [[yes.export_data(["id"])["datas"][0][0], "1"]],
            )
        self.assertEqual(yes.duret_sms_consent_date, datetime(2026, 3, 12, 10, 0))

    def test_mass_action_records_consent_with_source(self):
        other = self.env["res.partner"].create({"name": "Paul Durand", "mobile": "0698765432"})
        selected = self.partner | other
        wizard = Form(
            self.env["duret.sms.consent.wizard"]
            .with_user(self.salesman)
            .with_context(active_model="res.partner", active_ids=selected.ids)
        )
        wizard.source = "form"
        wizard.note = "Salon de l'habitat"
        with freeze_time("2026-03-12 11:00:00"):
            wizard.save().action_apply()
        for partner in selected:
            self.assertTrue(partner.duret_sms_consent)
            self.assertEqual(partner.duret_sms_consent_source, "form")
            self.assertEqual(partner.duret_sms_consent_user_id, self.salesman)
            self.assertIn("Salon de l'habitat", partner.message_ids[0].body)
        action = self.env.ref("duret_sms.duret_sms_consent_wizard_action")
        self.assertEqual(action.binding_model_id.model, "res.partner")

    def test_filters_consent_and_optout(self):
        self._optout()
        consenting = self.env["res.partner"].create(
            {"name": "Léa Petit", "mobile": "0655555555", "duret_sms_consent": True}
        )
        partners = self.env["res.partner"]
        self.assertIn(self.partner, partners.search([("duret_sms_optout", "=", True)]))
        self.assertNotIn(consenting, partners.search([("duret_sms_optout", "=", True)]))
        self.assertIn(consenting, partners.search([("duret_sms_optout", "=", False)]))
        self.assertIn(consenting, partners.search([("duret_sms_consent", "=", True)]))
        self.assertNotIn(self.partner, partners.search([("duret_sms_consent", "=", True)]))

    def test_optout_state_shown_and_lifted_with_a_trace(self):
        with freeze_time("2026-02-01 08:00:00"):
            self._optout(message="Unsubscribed with the link of SMS abc.")
        partner = self.partner.with_user(self.salesman)
        self.assertTrue(partner.duret_sms_optout)
        self.assertEqual(partner.duret_sms_optout_since, datetime(2026, 2, 1).date())
        self.assertIn("Unsubscribed with the link", partner.duret_sms_optout_reason)
        self.assertFalse(partner.duret_sms_optout_at_twilio)

        # Lifting overrides the customer's word: SMS officers only (issue 17).
        action = self.partner.with_user(self.officer).action_duret_sms_lift_optout()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.officer).with_context(**action["context"])
        )
        wizard.reason = "Asked by phone to get the reminders again"
        wizard.save().action_lift()
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.duret_sms_optout)
        entry = (
            self.env["phone.blacklist"]
            .sudo()
            .with_context(active_test=False)
            .search([("number", "=", MOBILE)])
        )
        self.assertFalse(entry.active)
        self.assertIn("Asked by phone", entry.message_ids[0].body)
        self.assertIn("Olivier Officier", self.partner.message_ids[0].body)
        self.assertIn("Asked by phone", self.partner.message_ids[0].body)

    def test_lift_refused_when_twilio_blocks_the_number(self):
        self.env["duret.sms.reply"].create(
            {
                "number_from": MOBILE,
                "body": "Stop",
                "intent": "opt_out",
                "message_sid": "SM" + "1" * 32,
                "company_id": self.company.id,
            }
        )
        self._optout()
        self.assertTrue(self.partner.duret_sms_optout_at_twilio)
        with self.assertRaisesRegex(UserError, "START"):
            self.partner.with_user(self.officer).action_duret_sms_lift_optout()
        wizard = self.env["duret.sms.optout.lift.wizard"].create(
            {"partner_id": self.partner.id, "reason": "asked by phone"}
        )
        with self.assertRaisesRegex(UserError, "START"):
            wizard.action_lift()
        # START from the customer lifts Twilio's block: staff may act again afterwards.
        self.env["duret.sms.reply"].create(
            {
                "number_from": MOBILE,
                "body": "START",
                "intent": "opt_in",
                "message_sid": "SM" + "2" * 32,
                "company_id": self.company.id,
                "received_at": datetime(2099, 1, 1),
            }
        )
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.duret_sms_optout_at_twilio)

    def test_twilio_refusal_21610_is_a_twilio_optout(self):
        self.env["sms.sms"].create(
            {"number": MOBILE, "body": "x", "state": "error", "twilio_error_code": 21610}
        )
        self._optout()
        self.assertTrue(self.partner.duret_sms_optout_at_twilio)
        # An opt-out through Odoo's unsubscribe link only is lifted by staff.
        other = self.env["res.partner"].create({"name": "B", "mobile": "0677777777"})
        self._optout("+33677777777", message="link")
        self.assertFalse(other.duret_sms_optout_at_twilio)
