"""Issue 17 (trust in every role and at every seam): consent is proof, a withdrawal sticks,
opt-outs are lifted by officers only and their evidence survives retention, Twilio's figures
stay internal, retention removes the SMS text everywhere."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.duret_sms.services.sms_optout import SmsOptout

from .common import DuretTwilioCase

MOBILE = "+33612345678"


@tagged("post_install", "-at_install")
class TestConsentTrust(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consent_user = new_test_user(
            cls.env,
            login="duret_trust_consent",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_consent",
            name="Sophie Vendeuse",
        )
        cls.officer = new_test_user(
            cls.env,
            login="duret_trust_officer",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_officer",
            name="Olivier Officier",
        )
        # May edit contacts, but is not in the SMS Consent group.
        cls.clerk = new_test_user(
            cls.env,
            login="duret_trust_clerk",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.portal = new_test_user(cls.env, login="duret_trust_portal", groups="base.group_portal")

    def events(self, partner=None, number=MOBILE):
        domain = [("number", "=", number)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["duret.sms.consent.event"].sudo().search(domain)

    def consent_wizard(self, user, partners, source, consent="given"):
        wizard = Form(
            self.env["duret.sms.consent.wizard"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=partners.ids)
        )
        wizard.consent = consent
        wizard.source = source
        return wizard.save().action_apply()

    def receive(self, body, sid, **extra):
        params = {
            "MessageSid": sid,
            "AccountSid": self.simulator.account_sid,
            "From": MOBILE,
            "To": self.company.twilio_from_number,
            "Body": body,
            **extra,
        }
        return self.env["duret.sms.reply"].sudo()._duret_receive(params, self.company)

    # -- #4 consent is proof -----------------------------------------------------------------

    def test_only_consent_group_sets_consent_at_model_level(self):
        partner = self.partner.with_user(self.clerk)
        with self.assertRaisesRegex(AccessError, "SMS Consent"):
            partner.write({"duret_sms_consent": True})
        with self.assertRaisesRegex(AccessError, "SMS Consent"):
            partner.write({"duret_sms_consent_source": "paper"})
        with self.assertRaisesRegex(AccessError, "SMS Consent"):
            partner.create({"name": "Nouveau", "duret_sms_consent": True})
        result = partner.load(["name", "duret_sms_consent"], [["Importé", "1"]])
        self.assertFalse(result["ids"])
        self.assertIn("SMS Consent", result["messages"][0]["message"])
        # Other fields of the contact stay editable for them.
        partner.write({"function": "Client", "duret_sms_consent": False})
        self.assertFalse(self.partner.duret_sms_consent)
        # The consent group may.
        self.partner.with_user(self.consent_user).write({"duret_sms_consent": True})
        self.assertTrue(self.partner.duret_sms_consent)
        # Any employee may record a withdrawal (it only protects the customer), stamped.
        partner.write({"duret_sms_consent": False})
        self.assertFalse(self.partner.duret_sms_consent)
        withdrawal = self.events(self.partner).filtered(lambda e: e.kind == "withdraw")
        self.assertEqual(withdrawal.user_id, self.clerk)
        with self.assertRaisesRegex(AccessError, "SMS Consent"):
            partner.write({"duret_sms_consent": False, "duret_sms_consent_source": "paper"})

    def test_author_and_time_are_stamped_by_the_server(self):
        with freeze_time("2026-03-12 09:30:00"):
            self.partner.with_user(self.consent_user).write(
                {
                    "duret_sms_consent": True,
                    "duret_sms_consent_source": "paper",
                    "duret_sms_consent_date": "2020-01-01 00:00:00",
                    "duret_sms_consent_user_id": self.officer.id,
                }
            )
        self.assertEqual(self.partner.duret_sms_consent_date, datetime(2026, 3, 12, 9, 30))
        self.assertEqual(self.partner.duret_sms_consent_user_id, self.consent_user)
        # The date the request gave is kept as the declared one, apart.
        self.assertEqual(self.partner.duret_sms_consent_declared_date, date(2020, 1, 1))
        grant = self.events(self.partner)
        self.assertEqual((grant.kind, grant.channel), ("grant", "paper"))
        self.assertEqual(grant.user_id, self.consent_user)
        self.assertEqual(grant.date, datetime(2026, 3, 12, 9, 30))
        # Nobody but the code rewrites the stamps afterwards.
        with self.assertRaises(AccessError):
            self.partner.with_user(self.clerk).write({"duret_sms_consent_user_id": self.clerk.id})

    # -- #5 withdrawal sticks ----------------------------------------------------------------

    def test_withdrawal_by_link_sticks_until_the_wizard_records_a_new_consent(self):
        self.consent_wizard(self.consent_user, self.partner, "form")
        promo = self.env["sms.sms"].create(
            {
                "number": MOBILE,
                "body": "Promo",
                "duret_category": "commercial",
                "partner_id": self.partner.id,
            }
        )
        with freeze_time("2026-04-01 08:00:00"):
            SmsOptout(self.env(user=self.env.ref("base.public_user").id)).from_link(
                promo.uuid, "commercial"
            )
        self.assertFalse(self.partner.duret_sms_consent)
        withdrawal = self.events(self.partner).filtered(lambda e: e.kind == "withdraw")
        self.assertEqual(withdrawal.channel, "link")
        self.assertEqual(withdrawal.date, datetime(2026, 4, 1, 8, 0))
        # Neither the form, nor an import, nor a new contact with the number grant it again.
        partner = self.partner.with_user(self.consent_user)
        with self.assertRaisesRegex(UserError, "withdrew"):
            partner.write({"duret_sms_consent": True, "duret_sms_consent_source": "phone"})
        result = partner.load(
            ["id", "duret_sms_consent"], [[self.partner.export_data(["id"])["datas"][0][0], "1"]]
        )
        self.assertIn("withdrew", result["messages"][0]["message"])
        with self.assertRaisesRegex(UserError, "withdrew"):
            partner.create({"name": "Doublon", "mobile": "0612345678", "duret_sms_consent": True})
        self.assertFalse(self.partner.duret_sms_consent)
        # The wizard, with the source of the new consent, does.
        self.consent_wizard(self.consent_user, self.partner, "phone")
        self.assertTrue(self.partner.duret_sms_consent)
        self.assertEqual(self.partner.duret_sms_consent_source, "phone")
        self.assertEqual(self.events(self.partner).sorted("id")[-1].kind, "grant")

    def test_stop_reply_withdraws_consent_and_is_recorded(self):
        self.partner._duret_sms_set_consent(True, "form")
        self.receive("STOP", "SM" + "a" * 32)
        self.assertFalse(self.partner.duret_sms_consent)
        kinds = set(self.events(self.partner).mapped("kind"))
        self.assertEqual(kinds, {"grant", "withdraw", "opt_out"})
        with self.assertRaisesRegex(UserError, "withdrew"):
            self.partner.with_user(self.consent_user).write({"duret_sms_consent": True})

    def test_consent_history_is_append_only_and_for_the_consent_group(self):
        self.partner._duret_sms_set_consent(True, "form")
        event = self.events(self.partner)
        self.assertEqual(len(event), 1)
        Event = self.env["duret.sms.consent.event"]
        for user in (self.officer, self.env.ref("base.user_admin")):
            self.assertEqual(Event.with_user(user).search([("id", "=", event.id)]), event)
            with self.assertRaises(AccessError):
                event.with_user(user).write({"kind": "withdraw"})
            with self.assertRaises(AccessError):
                event.with_user(user).unlink()
            with self.assertRaises(AccessError):
                Event.with_user(user).create({"number": MOBILE, "kind": "grant"})
        with self.assertRaises(AccessError):
            Event.with_user(self.clerk).search([])
        arch = (
            self.env["res.partner"]
            .with_user(self.consent_user)
            .get_view(self.env.ref("base.view_partner_form").id)["arch"]
        )
        self.assertIn("duret_sms_consent_event_ids", arch)

    # -- #10 opt-out lift, Twilio's STOP, evidence ---------------------------------------------

    def test_only_officers_lift_an_optout(self):
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="link")
        partner = self.partner.with_user(self.consent_user)
        with self.assertRaisesRegex(AccessError, "officers"):
            partner.action_duret_sms_lift_optout()
        with self.assertRaises(AccessError):
            self.env["duret.sms.optout.lift.wizard"].with_user(self.consent_user).create(
                {"partner_id": self.partner.id, "reason": "asked by phone"}
            )
        arch = partner.get_view(self.env.ref("base.view_partner_form").id)["arch"]
        self.assertNotIn("action_duret_sms_lift_optout", arch)
        action = self.partner.with_user(self.officer).action_duret_sms_lift_optout()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.officer).with_context(**action["context"])
        )
        wizard.reason = "Asked by phone"
        wizard.save().action_lift()
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.duret_sms_optout)
        self.assertEqual(self.events(self.partner).sorted("id")[-1].kind, "opt_in")

    def test_twilio_optout_type_marks_a_twilio_block(self):
        # A keyword of the Messaging Service's Advanced Opt-Out (not one of Twilio's defaults).
        self.receive("ARRET", "SM" + "b" * 32, OptOutType="STOP")
        self.partner.invalidate_recordset()
        self.assertTrue(self.partner.duret_sms_optout)
        self.assertTrue(self.partner.duret_sms_optout_at_twilio)

    def backdate(self, table, records, column="create_date", when="2024-01-10 10:00:00"):
        self.env.flush_all()
        # create_date comes from the database clock, which freezegun does not move.
        self.env.cr.execute(
            f"UPDATE {table} SET {column} = %s WHERE id IN %s",  # noqa: S608 (test constants)
            [when, tuple(records.ids)],
        )
        records.invalidate_recordset()

    def test_last_optout_evidence_survives_retention(self):
        self.company.duret_sms_retention_months = 12
        Reply = self.env["duret.sms.reply"].sudo()
        vals = {"number_from": MOBILE, "company_id": self.company.id}
        stop = Reply.create(
            dict(
                vals,
                body="STOP",
                intent="opt_out",
                message_sid="SM" + "1" * 32,
                received_at="2024-01-10 10:00:00",
            )
        )
        chat = Reply.create(
            dict(
                vals,
                body="Bonjour",
                intent="other",
                message_sid="SM" + "2" * 32,
                received_at="2024-01-10 11:00:00",
            )
        )
        refusal = {"number": MOBILE, "state": "error", "twilio_error_code": 21610}
        refused = self.env["sms.sms"].create(
            [dict(refusal, body="Rappel 1"), dict(refusal, body="Rappel 2")]
        )
        # Another number: refused by Twilio, then START: no evidence of a block is left.
        other = "+33698765432"
        other_refused = self.env["sms.sms"].create(dict(refusal, number=other, body="Rappel"))
        self.backdate("sms_sms", refused | other_refused)
        self.backdate("sms_sms", other_refused, column="write_date")
        restart = Reply.create(
            dict(
                vals,
                number_from=other,
                body="START",
                intent="opt_in",
                message_sid="SM" + "3" * 32,
                received_at="2024-02-10 10:00:00",
            )
        )
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="STOP")
        self.env.ref("duret_sms.ir_cron_sms_history_purge").sudo().method_direct_trigger()
        self.assertTrue(stop.exists())
        self.assertFalse(chat.exists())
        self.assertEqual(refused.exists(), refused[1])
        self.assertFalse(refused[1].body)
        self.partner.invalidate_recordset()
        self.assertTrue(self.partner.duret_sms_optout_at_twilio)
        self.assertFalse(other_refused.exists())
        self.assertTrue(restart.exists())
        # The evidence kept is kept as it is on the next runs.
        self.env.ref("duret_sms.ir_cron_sms_history_purge").sudo().method_direct_trigger()
        self.assertTrue(stop.exists() and refused[1].exists())

    # -- #14 Twilio's identifiers and figures ---------------------------------------------------

    def test_twilio_identifiers_and_figures_are_not_for_portal_users(self):
        self.company.write(
            {
                "duret_twilio_balance": 12.5,
                "duret_sms_webhook_refused_reason": "signature for https://odoo.internal/",
            }
        )
        company = self.company.with_user(self.portal)
        for fname in (
            "twilio_account_sid",
            "twilio_from_number",
            "twilio_messaging_service_sid",
            "duret_twilio_balance",
            "duret_twilio_usage_count",
            "duret_twilio_usage_price",
            "duret_twilio_figures_error",
            "duret_sms_webhook_refused_at",
            "duret_sms_webhook_refused_reason",
        ):
            with self.assertRaises(AccessError, msg=fname):
                company.read([fname])
        self.assertIn("duret_sms_can_receive", company.read(["duret_sms_can_receive"])[0])
        # Internal users still see the sender where they need it.
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="STOP")
        message = self.partner.with_user(self.consent_user)._duret_twilio_optout_message()
        self.assertIn(self.company.twilio_from_number, message)
        self.assertEqual(
            self.company.with_user(self.consent_user).read(["twilio_from_number"])[0][
                "twilio_from_number"
            ],
            self.company.twilio_from_number,
        )
        composer = (
            self.env["sms.composer"]
            .with_user(self.consent_user)
            .with_context(default_composition_mode="numbers", default_numbers=MOBILE)
            .create({"body": "Promo", "duret_category": "commercial"})
        )
        self.assertIn(self.company.twilio_from_number, composer.duret_optout_mention)

    # -- #17 retention strips the text everywhere ------------------------------------------------

    def test_retention_strips_chatter_copies_and_handles_sms_without_company(self):
        self.company.duret_sms_retention_months = 12
        message = self.partner._message_sms("Votre code secret 4242", sms_numbers=[MOBILE])
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        sms.write({"state": "sent"})
        message.notification_ids.write({"failure_reason": "Votre code secret 4242"})
        orphan = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "Sans société", "state": "sent", "company_id": False}
        )
        self.backdate("sms_sms", sms | orphan)
        self.backdate("mail_message", message, column="date")
        self.env.ref("duret_sms.ir_cron_sms_history_purge").sudo().method_direct_trigger()
        self.assertFalse(sms.exists())
        self.assertFalse(orphan.exists())
        message.invalidate_recordset()
        self.assertNotIn("4242", message.body)
        self.assertIn("retention", message.body)
        self.assertFalse(any(message.notification_ids.mapped("failure_reason")))
