from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import DuretTwilioCase


@tagged("post_install", "-at_install")
class TestTwilioFigures(DuretTwilioCase):
    def activities(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.company.partner_id.id),
                ("summary", "=", "Twilio balance low"),
            ]
        )

    def test_balance_and_usage_next_to_odoo_total(self):
        self.simulator.set_balance("25.00")
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {"number": "+33612345678", "body": body, "company_id": self.company.id}
                    for body in ("Rappel court", "x" * 200)
                ]
            )
        )
        sms.send()
        self.run_queue()
        for sid in list(self.simulator.messages):
            self.simulator.deliver(sid)
        self.apply_status_reports()
        # Twilio's prices are fetched a few minutes after the hand-over.
        sms.write({"duret_handover_at": sms[0].duret_handover_at - timedelta(minutes=10)})
        self.env["sms.sms"].sudo()._cron_duret_fetch_prices()
        self.env.ref("duret_sms.ir_cron_twilio_figures").sudo().method_direct_trigger()
        self.assertAlmostEqual(self.company.duret_twilio_balance, 25.0 - 3 * 0.076)
        self.assertEqual(self.company.duret_twilio_currency, "EUR")
        self.assertEqual(self.company.duret_twilio_usage_count, 3)
        self.assertAlmostEqual(self.company.duret_twilio_usage_price, 0.228)
        self.assertFalse(self.activities(), "the balance is above the threshold")
        roi = self.env["duret.sms.roi"].create({"company_id": self.company.id})
        self.assertTrue(roi.twilio_used)
        # Twilio bills in EUR; the company's currency may be another one (USD in demo data).
        spent = self.env.ref("base.EUR")._convert(
            0.228, self.company.currency_id, self.company, fields.Date.today(), round=False
        )
        self.assertAlmostEqual(roi.twilio_usage_company, spent, places=2)
        self.assertFalse(roi.twilio_balance_low)
        # Odoo's own total of the month (demo data of this company included).
        [(odoo_total,)] = self.env["duret.sms.report"]._read_group(
            [("company_id", "=", self.company.id), ("date", ">=", roi.date.replace(day=1))],
            aggregates=["cost:sum"],
        )
        [(ours,)] = self.env["duret.sms.report"]._read_group(
            [("id", "in", sms.ids)], aggregates=["cost:sum"]
        )
        self.assertAlmostEqual(ours, spent)
        self.assertAlmostEqual(roi.odoo_month_cost, odoo_total, places=2)
        self.assertAlmostEqual(roi.twilio_difference, spent - odoo_total, places=2)

    def test_low_balance_warns_administrators_once(self):
        self.simulator.set_balance("4.50")
        self.company.duret_sms_balance_threshold = 5.0
        self.company._cron_duret_twilio_figures()
        self.company._cron_duret_twilio_figures()
        activities = self.activities()
        admins = self.env.ref("base.group_system").users.filtered(
            lambda u: self.company in u.company_ids and not u.share
        )
        self.assertTrue(admins)
        self.assertEqual(activities.user_id, admins)
        self.assertEqual(len(activities), len(admins), "one to-do per administrator, not more")
        self.assertIn("4.50 EUR", activities[0].note)
        roi = self.env["duret.sms.roi"].create({"company_id": self.company.id})
        self.assertTrue(roi.twilio_balance_low)

    def test_failure_is_kept_in_words(self):
        last_fetched = self.company.duret_twilio_figures_at
        self.company.sudo().twilio_auth_token = "0" * 32
        self.company._cron_duret_twilio_figures()
        self.assertIn("20003", self.company.duret_twilio_figures_error)
        self.assertEqual(self.company.duret_twilio_figures_at, last_fetched, "last figures kept")

    def test_sandbox_shows_simulated_figures(self):
        """Issue 18 #17: a Sandbox company (the demo) sees a balance and this month's usage,
        said to be simulated, without any call to Twilio."""
        self.company.duret_sms_provider = "sandbox"
        now = fields.Datetime.now()
        cron = self.env.ref("duret_sms.ir_cron_twilio_figures").sudo()
        cron.method_direct_trigger()  # the demo's own SMS, when the database has them
        count, price = self.company.duret_twilio_usage_count, self.company.duret_twilio_usage_price
        self.env["sms.sms"].sudo().create(
            [
                {
                    "number": "+33612345678",
                    "body": "Rappel",
                    "company_id": self.company.id,
                    "state": "sent",
                    "duret_provider": "sandbox",
                    "duret_handover_at": now,
                    "duret_price": 0.076,
                    "duret_price_known": True,
                }
                for _i in range(2)
            ]
        )
        requests = len(self.simulator.requests) if hasattr(self.simulator, "requests") else None
        cron.method_direct_trigger()
        self.assertEqual(self.company.duret_twilio_usage_count, count + 2)
        self.assertAlmostEqual(self.company.duret_twilio_usage_price, price + 0.152)
        self.assertAlmostEqual(self.company.duret_twilio_balance, 20.0 - price - 0.152)
        self.assertTrue(self.company.duret_twilio_figures_at)
        self.assertFalse(self.company.duret_twilio_figures_error)
        if requests is not None:
            self.assertEqual(len(self.simulator.requests), requests, "Twilio never called")
        roi = self.env["duret.sms.roi"].create({})
        self.assertTrue(roi.twilio_used and roi.twilio_simulated)
