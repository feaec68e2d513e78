import importlib.util
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import file_path, mute_logger

from odoo.addons.duret_sms.tests.common import DuretTwilioCase

CUSTOMER_NUMBER = "+33612345678"  # DuretTwilioCase's partner, Camille Martin


@tagged("post_install", "-at_install")
class TestDunning(DuretTwilioCase):
    # Real sending hours: the dunning SMS must wait for them.
    all_hours = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "duret_sms_tz": "Europe/Paris",
                "duret_sms_dunning": True,
                "duret_sms_dunning_delay": 30,
                "duret_sms_cap_dunning": 1,
                "phone": "03 88 00 00 00",
            }
        )
        cls.cron = cls.env.ref("duret_sms_account.ir_cron_invoice_dunning_sms")

    def _invoice(self, amount=120.0, due=date(2025, 1, 1), partner=None):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.partner).id,
                "invoice_date": date(2024, 12, 1),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Dépannage", "price_unit": amount, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _sms(self, invoice):
        return (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "account.move"),
                    ("mail_message_id.res_id", "=", invoice.id),
                ],
                order="id",
            )
        )

    def _run_cron(self):
        self.cron.method_direct_trigger()

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_dunning_sms_after_delay_with_reference_amount_and_how_to_pay(self):
        invoice = self._invoice()
        with freeze_time("2025-01-30 09:00:00"):  # 29 days after the due date
            self._run_cron()
        self.assertFalse(self._sms(invoice))
        with freeze_time("2025-01-31 09:00:00"):  # 30 days, Friday 10:00 in Paris
            self._run_cron()
            sms = self._sms(invoice)
            self.assertEqual(len(sms), 1)
            self.assertEqual(sms.number, CUSTOMER_NUMBER)
            self.assertEqual(sms.duret_category, "dunning")
            self.assertIn(
                f"la facture {invoice.name} (120,00 {invoice.currency_id.symbol})", sms.body
            )
            self.assertIn("est échue depuis le 01/01/2025", sms.body)
            self.assertIn(invoice.company_id._duret_public_url(invoice.get_portal_url()), sms.body)
            self.assertIn("access_token=", sms.body)
            self.assertIn("Questions : 03 88 00 00 00", sms.body)
            # the history shows on the invoice
            self.assertIn(sms.mail_message_id, invoice.message_ids)
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 1)
        self.assertEqual(invoice.duret_dunning_count, 1)

    def test_dunning_waits_for_allowed_hours(self):
        invoice = self._invoice()
        with freeze_time("2025-01-31 21:00:00"):  # Friday 22:00 in Paris
            self._run_cron()
            self.run_queue()
        sms = self._sms(invoice)
        self.assertEqual(sms.state, "outgoing")
        self.assertFalse(self.sim_messages_to(CUSTOMER_NUMBER))
        self.assertEqual(sms.duret_not_before, datetime(2025, 2, 1, 8, 0))  # Saturday 9:00 Paris
        with freeze_time("2025-02-01 08:00:00"):
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 1)

    def test_stops_once_paid(self):
        invoice = self._invoice()
        with freeze_time("2025-01-31 21:00:00"):  # queued, waiting for the morning
            self._run_cron()
            self.run_queue()
        sms = self._sms(invoice)
        self.assertEqual(sms.state, "outgoing")
        with freeze_time("2025-01-31 21:30:00"):
            self._pay(invoice)
        with freeze_time("2025-02-01 08:00:00"):
            self.run_queue()
        self.assertEqual(sms.state, "canceled")
        self.assertIn("the invoice is paid", sms.duret_failure_reason)
        self.assertFalse(self.sim_messages_to(CUSTOMER_NUMBER))
        with freeze_time("2025-02-10 09:00:00"):
            self._run_cron()
        self.assertEqual(len(self._sms(invoice)), 1, "no dunning SMS for a paid invoice")

    def test_dispute_cancels_waiting_sms_and_stops_dunning(self):
        invoice = self._invoice()
        with freeze_time("2025-01-31 21:00:00"):
            self._run_cron()
            self.run_queue()
        invoice.duret_dunning_blocked = True
        sms = self._sms(invoice)
        self.assertEqual(sms.state, "canceled")
        self.assertIn("in dispute", sms.duret_failure_reason)
        with freeze_time("2025-02-10 09:00:00"):
            self._run_cron()
            self.run_queue()
        self.assertEqual(len(self._sms(invoice)), 1)
        self.assertFalse(self.sim_messages_to(CUSTOMER_NUMBER))

    def test_weekly_cap_across_invoices_and_one_a_week_per_invoice(self):
        first = self._invoice(amount=120.0)
        second = self._invoice(amount=80.0)
        with freeze_time("2025-01-31 09:00:00"):  # Friday 10:00 Paris
            self._run_cron()
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 1, "one a week per number")
        deferred = (self._sms(first) | self._sms(second)).filtered(lambda s: s.state == "outgoing")
        self.assertEqual(len(deferred), 1)
        # a week after the first one, at the opening of the sending hours of that day
        self.assertEqual(deferred.duret_not_before, datetime(2025, 2, 7, 9, 0))
        with freeze_time("2025-02-03 09:00:00"):  # Monday: the cron adds nothing
            self._run_cron()
            self.run_queue()
        self.assertEqual(len(self._sms(first) | self._sms(second)), 2)
        self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 1)
        with freeze_time("2025-02-07 09:00:00"):
            self.run_queue()
        self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 2)

    def test_at_most_max_sms_per_invoice(self):
        self.company.duret_sms_dunning_max = 2
        self.company.duret_sms_cap_dunning = 0
        invoice = self._invoice()
        for day in ("2025-01-31", "2025-02-03", "2025-02-07", "2025-02-14", "2025-02-21"):
            with freeze_time(f"{day} 09:00:00"):
                self._run_cron()
                self.run_queue()
        sms = self._sms(invoice)
        self.assertEqual(len(sms), 2)
        self.assertNotIn("outgoing", sms.mapped("state"))
        self.assertEqual(len(self.sim_messages_to(CUSTOMER_NUMBER)), 2)

    def test_no_mobile_is_noted_once_on_the_invoice(self):
        landline = self.env["res.partner"].create(
            {"name": "SCI Les Tilleuls", "phone": "03 88 11 22 33"}
        )
        invoice = self._invoice(partner=landline)
        for day in ("2025-01-31", "2025-02-01", "2025-02-02"):
            with freeze_time(f"{day} 09:00:00"):
                self._run_cron()
        self.assertFalse(self._sms(invoice))
        self.assertIn("has no mobile number", invoice.duret_dunning_skip_reason)
        notes = invoice.message_ids.filtered(lambda m: "has no mobile number" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_switched_off_or_iap_company_sends_nothing(self):
        invoice = self._invoice()
        self.company.duret_sms_dunning = False
        with freeze_time("2025-01-31 09:00:00"):
            self._run_cron()
        self.assertFalse(self._sms(invoice))
        self.company.write({"duret_sms_dunning": True, "duret_sms_provider": "iap"})
        with freeze_time("2025-01-31 09:00:00"):
            self._run_cron()
        self.assertFalse(self._sms(invoice))

    def test_one_company_failing_does_not_stop_the_others(self):
        invoice = self._invoice()
        other = self.env["res.company"].create(
            {"name": "Duret Lyon", "duret_sms_provider": "sandbox", "duret_sms_dunning": True}
        )
        move_model = type(self.env["account.move"])
        original = move_model._duret_dunning_company
        seen = []

        def crash_for_other(records, company, today):
            seen.append(company)
            if company == other:
                raise ValueError("broken dunning settings")
            return original(records, company, today)

        with (
            freeze_time("2025-01-31 09:00:00"),
            patch.object(move_model, "_duret_dunning_company", crash_for_other),
            mute_logger("odoo.addons.duret_sms.services.company_crons"),
        ):
            self._run_cron()
        self.assertEqual(set(seen), {self.company, other})
        self.assertEqual(len(self._sms(invoice)), 1, "the other company's error stopped nothing")
        self.assertIn("Invoice dunning", other.duret_sms_cron_error)
        self.assertFalse(self.company.duret_sms_cron_error)

    def test_blacklisted_customer_gets_no_dunning_sms_only_one_note(self):
        self.env["phone.blacklist"].sudo()._add([CUSTOMER_NUMBER])
        invoice = self._invoice()
        for day in ("2025-01-31", "2025-02-03", "2025-02-04", "2025-02-14"):
            with freeze_time(f"{day} 09:00:00"):
                self._run_cron()
                self.run_queue()
        self.assertFalse(self._sms(invoice), "no cancelled dunning SMS piling up in the chatter")
        self.assertIn("opted out of SMS", invoice.duret_dunning_skip_reason)
        notes = invoice.message_ids.filtered(lambda m: "opted out of SMS" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_undelivered_dunning_counts_and_is_not_resent_the_next_day(self):
        self.company.duret_sms_dunning_max = 2
        self.company.duret_sms_cap_dunning = 0
        invoice = self._invoice()
        with freeze_time("2025-01-31 09:00:00"):
            self._run_cron()
            self.run_queue()
            first = self._sms(invoice)
            # billed by Twilio, never reached the phone
            first._duret_apply_twilio_status("undelivered", 30003)
        self.assertEqual(first.state, "error")
        for day in ("2025-02-01", "2025-02-03", "2025-02-06"):
            with freeze_time(f"{day} 09:00:00"):
                self._run_cron()
                self.run_queue()
        self.assertEqual(len(self._sms(invoice)), 1, "not resent every day")
        with freeze_time("2025-02-07 09:00:00"):
            self._run_cron()
            self.run_queue()
            second = self._sms(invoice) - first
            second._duret_apply_twilio_status("failed", 30007)
        self.assertEqual(len(second), 1)
        for day in ("2025-02-14", "2025-02-21", "2025-02-28"):
            with freeze_time(f"{day} 09:00:00"):
                self._run_cron()
                self.run_queue()
        self.assertEqual(len(self._sms(invoice)), 2, "the maximum counts every attempt")
        self.assertIn("allowed per invoice", invoice.duret_dunning_skip_reason)
        notes = invoice.message_ids.filtered(lambda m: "allowed per invoice" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_uncertain_handover_is_not_followed_by_another_the_next_day(self):
        self.company.duret_sms_cap_dunning = 0
        invoice = self._invoice()
        with freeze_time("2025-01-31 09:00:00"):
            self._run_cron()
        sms = self._sms(invoice)
        # Twilio never answered: closed as interrupted (maybe sent, maybe not)
        sms.write({"state": "process", "duret_provider": "twilio"})
        sms.sudo()._duret_set_failed("unknown", "The hand-over to Twilio was interrupted")
        with freeze_time("2025-02-01 09:00:00"):
            self._run_cron()
        self.assertEqual(len(self._sms(invoice)), 1)

    # Issue 17 #1: the dunning text is edited by SMS Officers and rendered by the cron as
    # superuser: placeholders only read fields.

    def _officer(self):
        return new_test_user(
            self.env,
            login="duret_officer_dunning",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )

    def test_dunning_text_reads_ready_made_fields_as_before(self):
        migration = _load_migration()
        invoice = self._invoice(amount=1234.5)
        invoice._portal_ensure_token()
        template = self.env.ref("duret_sms_account.sms_template_invoice_dunning")
        before = self.env["sms.template"]._render_template(
            migration.OLD_BODY, "account.move", invoice.ids
        )
        after = template.with_context(duret_restricted_render=True)._render_field(
            "body", invoice.ids
        )
        self.assertEqual(after, before)
        self.assertIn("(1234,50 ", after[invoice.id])
        template.with_user(self._officer()).body = template.body + " Merci."  # passes the check

    def test_upgrade_switches_the_unedited_old_text(self):
        migration = _load_migration()
        template = self.env.ref("duret_sms_account.sms_template_invoice_dunning")
        new_body = template.body
        template.write({"body": migration.OLD_BODY})
        template.flush_recordset()
        migration.migrate(self.env.cr, "17.0.1.0.0")
        self.assertEqual(template.body, new_body)

    def test_officer_code_in_the_dunning_text_never_runs(self):
        officer = self._officer()
        template = self.env.ref("duret_sms_account.sms_template_invoice_dunning")
        payload = (
            "{{ object.env.ref('base.group_system').sudo().write({'users': [(4, "
            + str(officer.id)
            + ")]}) }} {{ object.company_id.twilio_auth_token }}"
        )
        with self.assertRaises(UserError):
            template.with_user(officer).body = payload
        # stored before the check existed
        template.sudo().write({"body": payload, "duret_restricted": True})
        invoice = self._invoice()
        with (
            freeze_time("2025-01-31 09:00:00"),
            mute_logger("odoo.addons.duret_sms.models.mail_thread"),
        ):
            self._run_cron()
        sms = self._sms(invoice)
        self.assertEqual(len(sms), 1)
        self.assertIn("sauf erreur, la facture", sms.body)  # the built-in text
        self.assertNotIn(self.company.sudo().twilio_auth_token, sms.body)
        self.env.invalidate_all()
        self.assertFalse(officer.has_group("base.group_system"))


def _load_migration():
    path = file_path("duret_sms_account/migrations/17.0.1.1.0/post-migrate.py")
    spec = importlib.util.spec_from_file_location("duret_sms_account_post_migrate_1_1", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration

    def test_dunning_link_uses_the_public_url_in_french_too(self):
        """Issue 17, item 13: the payment link is at the Public URL, not web.base.url (which
        Odoo rewrites when an administrator logs in through another name), in every language
        the template is translated to: the French translation said get_base_url()."""
        public = "https://erp.duret-electricite.fr"
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("duret_sms.public_url", public)
        icp.set_param("web.base.url", "http://localhost:8069")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "duret_sms_account")]
        )._load_module_terms(["duret_sms_account"], ["fr_FR"], overwrite=True)
        invoice = self._invoice()
        with freeze_time("2025-01-31 09:00:00"):
            # Run by a French-speaking user (the template then reads its French text).
            self.env["account.move"].with_context(lang="fr_FR")._cron_duret_sms_dunning()
        body = self._sms(invoice).body
        self.assertIn(f"Réglez-la en ligne : {public}/my/invoices/{invoice.id}?", body)
        self.assertNotIn("localhost", body)
