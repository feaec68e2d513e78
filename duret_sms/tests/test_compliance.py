from datetime import datetime

from freezegun import freeze_time

from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.duret_sms.services.sms_urgent import urgent_alert_context

from .common import DuretTwilioCase, DuretTwilioMixin

MOBILE = "+33612345678"
STAFF_MOBILE = "+33699887766"
SUNDAY_NIGHT = "2026-11-29 02:00:00"  # 03:00 in Paris: outside Duret's sending hours


@tagged("post_install", "-at_install")
class TestComplianceGate(DuretTwilioCase):
    all_hours = False  # Duret's default hours: weekdays 8-20, Saturday 9-18, no Sunday/holiday

    def sms_for(self, message):
        return self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])

    def staff_alert(self, body, number=STAFF_MOBILE):
        """An internal urgent SMS as the staff alert paths create it (to an employee whose
        Urgent SMS Mobile is STAFF_MOBILE)."""
        staff = new_test_user(self.env, login=f"staff_{len(body)}").partner_id
        staff.duret_sms_urgent_mobile = STAFF_MOBILE
        return (
            self.env["sms.sms"]
            .with_context(**urgent_alert_context())
            .create({"number": number, "body": body, "partner_id": staff.id})
        )

    def blacklist(self, number=MOBILE):
        self.env["phone.blacklist"].sudo()._add([number], message="STOP reçu par SMS")

    # -- opt-out ----------------------------------------------------------------------------

    def test_blacklisted_number_gets_no_chatter_sms(self):
        self.blacklist()
        message = self.partner._message_sms("Votre rendez-vous demain")
        with freeze_time(SUNDAY_NIGHT):  # cancelled at once, not deferred to Monday first
            self.run_queue()
        sms = self.sms_for(message)
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_blacklist"))
        self.assertIn("STOP reçu par SMS", sms.duret_failure_reason)
        self.assertEqual(self.simulator.created_count, 0)
        notification = message.notification_ids.filtered(lambda n: n.notification_type == "sms")
        self.assertEqual(notification.notification_status, "canceled")

    def test_blacklist_applies_to_composer_comment_mode(self):
        self.blacklist()
        composer = Form(
            self.env["sms.composer"].with_context(
                active_model="res.partner", active_id=self.partner.id
            )
        )
        composer.body = "Bonjour"
        composer.save().action_send_sms()
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        self.assertEqual(self.simulator.created_count, 0)
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.partner.id)])
        self.assertEqual(sms.state, "canceled")

    def test_blacklist_applies_to_calendar_sms_alarms(self):
        if "sms" not in dict(self.env["calendar.alarm"]._fields["alarm_type"].selection):
            self.skipTest("calendar_sms is not installed")
        self.blacklist()
        event = self.env["calendar.event"].create(
            {
                "name": "Mise en conformité",
                "start": datetime(2030, 1, 10, 9, 0),
                "stop": datetime(2030, 1, 10, 10, 0),
                "partner_ids": [(6, 0, self.partner.ids)],
                "alarm_ids": [(0, 0, {"name": "SMS", "alarm_type": "sms", "duration": 1})],
            }
        )
        event._do_sms_reminder(event.alarm_ids)
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        self.assertEqual(self.simulator.created_count, 0)
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.partner.id)])
        self.assertEqual(sms.failure_type, "sms_blacklist")

    def test_staff_alert_never_reaches_a_customers_opted_out_number(self):
        # Turned around (issue 17): a "staff alert" addressed to the customer's blacklisted
        # number reached it at 03:00 on a Sunday. Only the opt-out confirmation may go.
        self.blacklist()
        urgent = self.staff_alert("URGENT", number=MOBILE)
        self.assertEqual(urgent.duret_category, "transactional")
        ack = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "Vous ne recevrez plus de SMS.", "duret_optout_ack": True}
        )
        (urgent | ack).send()
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        self.assertEqual(self.simulator.created_count, 1)
        self.assertEqual(self.sim_messages_to(MOBILE)[0]["body"], ack.body)
        self.assertEqual((urgent.state, urgent.failure_type), ("canceled", "sms_blacklist"))

    def test_internal_urgent_to_an_opted_out_staff_number_is_cancelled(self):
        self.blacklist(STAFF_MOBILE)
        urgent = self.staff_alert("URGENT")
        self.assertEqual(urgent.duret_category, "internal_urgent")
        urgent.send()
        with freeze_time(SUNDAY_NIGHT):
            self.run_queue()
        self.assertEqual((urgent.state, urgent.failure_type), ("canceled", "sms_blacklist"))
        self.assertEqual(self.simulator.created_count, 0)

    # -- consent and opt-out mention ---------------------------------------------------------

    def test_commercial_needs_consent_and_carries_stop_mention(self):
        sms = self.env["sms.sms"].create(
            {
                "number": MOBILE,
                "body": "Promo",
                "duret_category": "commercial",
                "partner_id": self.partner.id,
            }
        )
        self.assertTrue(sms.body.endswith("STOP au +33939000000"))
        sms.send()
        with freeze_time("2026-11-25 10:00:00"):
            self.run_queue()
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_optout"))
        self.assertIn("consent", sms.duret_failure_reason)

        self.partner._duret_sms_set_consent(True, "staff")
        self.assertEqual(self.partner.duret_sms_consent_source, "staff")
        self.assertTrue(self.partner.duret_sms_consent_date)
        sms2 = self.env["sms.sms"].create(
            {
                "number": MOBILE,
                "body": "Promo",
                "duret_category": "commercial",
                "partner_id": self.partner.id,
            }
        )
        sms2.send()
        with freeze_time("2026-11-25 10:00:00"):
            self.run_queue()
        self.assertEqual(sms2.state, "process")
        sent = self.sim_messages_to(MOBILE)[0]
        self.assertTrue(sent["body"].endswith("STOP au +33939000000"))

    def test_alphanumeric_sender_gets_unsubscribe_link(self):
        self.company.twilio_from_number = "DURET"
        sms = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "Promo", "duret_category": "commercial"}
        )
        self.assertIn(f"/sms/optout/{sms.uuid}", sms.body)

    def test_template_category_reaches_the_sms(self):
        template = self.env["sms.template"].create(
            {
                "name": "Relance",
                "model_id": self.env.ref("base.model_res_partner").id,
                "body": "Bonjour {{ object.name }}",
                "duret_category": "dunning",
            }
        )
        message = self.partner._message_sms_with_template(template=template)
        self.assertEqual(self.sms_for(message).duret_category, "dunning")

    # -- sending hours -----------------------------------------------------------------------

    def assert_deferred(self, now_utc, expected_utc, category="transactional"):
        sms = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "x", "duret_category": category}
        )
        sms.send()
        with freeze_time(now_utc):
            self.run_queue()
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(sms.duret_not_before, expected_utc)
        self.assertIn("Deferred", sms.duret_failure_reason)
        with freeze_time(expected_utc):
            self.run_queue()
        self.assertEqual(sms.state, "process", "it goes out when the window opens")
        return sms

    def test_saturday_evening_waits_for_monday_across_dst(self):
        # Saturday 28 March 2026 18:30 Paris (UTC+1); clocks go forward on Sunday 29.
        self.assert_deferred("2026-03-28 17:30:00", datetime(2026, 3, 30, 6, 0))

    def test_autumn_dst_weekend(self):
        # Saturday 24 October 2026 19:00 Paris (UTC+2) -> Monday 26 08:00 (UTC+1).
        self.assert_deferred("2026-10-24 17:00:00", datetime(2026, 10, 26, 7, 0))

    def test_easter_monday_is_closed(self):
        # Easter Sunday 5 April 2026 -> Easter Monday closed -> Tuesday 7 April 08:00 (UTC+2).
        self.assert_deferred("2026-04-05 08:00:00", datetime(2026, 4, 7, 6, 0))

    def test_ascension_and_14_july(self):
        self.assert_deferred("2026-05-14 10:00:00", datetime(2026, 5, 15, 6, 0))
        self.assert_deferred("2026-07-14 10:00:00", datetime(2026, 7, 15, 6, 0))

    def test_saturday_hours(self):
        self.assert_deferred("2026-11-28 07:30:00", datetime(2026, 11, 28, 8, 0))  # 8:30 → 9:00

    def test_alsace_moselle_good_friday(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "x"})
        sms.send()
        with freeze_time("2026-04-03 09:00:00"):  # Good Friday, 11:00 Paris
            self.run_queue()
        self.assertEqual(sms.state, "process", "an ordinary Friday outside Alsace-Moselle")
        self.company.duret_sms_alsace_moselle = True
        self.assert_deferred("2026-04-03 09:00:00", datetime(2026, 4, 4, 7, 0))

    def test_internal_urgent_goes_at_any_hour(self):
        sms = self.staff_alert("x")
        sms.send()
        with freeze_time("2026-12-25 02:00:00"):
            self.run_queue()
        self.assertEqual(sms.state, "process")

    # -- weekly caps -------------------------------------------------------------------------

    def test_weekly_caps(self):
        self.partner._duret_sms_set_consent(True, "sms")
        vals = {"number": MOBILE, "body": "x", "partner_id": self.partner.id}
        promo1, promo2 = self.env["sms.sms"].create([dict(vals, duret_category="commercial")] * 2)
        dun1, dun2 = self.env["sms.sms"].create([dict(vals, duret_category="dunning")] * 2)
        (promo1 | promo2 | dun1 | dun2).send()
        with freeze_time("2026-11-25 09:00:00"):  # Wednesday 10:00 Paris
            self.run_queue()
        self.assertEqual((promo1.state, dun1.state), ("process", "process"))
        self.assertEqual((promo2.state, promo2.failure_type), ("canceled", "sms_duplicate"))
        self.assertEqual(dun2.state, "outgoing")
        self.assertEqual(dun2.duret_not_before, datetime(2026, 12, 2, 9, 0))
        with freeze_time("2026-12-02 09:00:00"):
            self.run_queue()
        self.assertEqual(dun2.state, "process")
        self.assertEqual(self.simulator.created_count, 3)

    # -- retention ---------------------------------------------------------------------------

    def test_retention_purges_old_history_keeps_optouts(self):
        self.company.duret_sms_retention_months = 12
        self.blacklist()
        old = self.env["sms.sms"].create({"number": MOBILE, "body": "old", "state": "sent"})
        queued = self.env["sms.sms"].create({"number": MOBILE, "body": "queued"})
        # create_date comes from the database clock, which freezegun does not move
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sms_sms SET create_date = '2024-01-10 10:00:00' WHERE id IN %s",
            [(old.id, queued.id)],
        )
        (old | queued).invalidate_recordset()
        recent = self.env["sms.sms"].create({"number": MOBILE, "body": "new", "state": "sent"})
        Reply = self.env["duret.sms.reply"].sudo()
        reply_vals = {
            "number_from": MOBILE,
            "body": "STOP",
            "intent": "opt_out",
            "company_id": self.company.id,
        }
        old_reply = Reply.create(
            dict(reply_vals, message_sid="SM" + "1" * 32, received_at="2024-01-10 10:00:00")
        )
        new_reply = Reply.create(dict(reply_vals, message_sid="SM" + "2" * 32))
        self.env.ref("duret_sms.ir_cron_sms_history_purge").sudo().method_direct_trigger()
        self.assertFalse(old_reply.exists())
        self.assertTrue(new_reply.exists())
        self.assertFalse(old.exists())
        self.assertTrue(queued.exists() and recent.exists())
        self.assertTrue(self.env["phone.blacklist"].sudo().search([("number", "=", MOBILE)]))


@tagged("post_install", "-at_install")
class TestOptoutPage(DuretTwilioMixin, HttpCase):
    def test_get_shows_post_acts(self):
        self.setup_twilio(self.env.company)
        self.env.company.twilio_from_number = "DURET"
        sms = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "Promo", "duret_category": "commercial"}
        )
        response = self.url_open(f"/sms/optout/{sms.uuid}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ne plus recevoir aucun SMS", response.text)
        blacklist = self.env["phone.blacklist"].sudo()
        self.assertFalse(blacklist.search([("number", "=", MOBILE)]), "GET changes nothing")
        response = self.url_open(f"/sms/optout/{sms.uuid}", data={"choice": "all"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(blacklist.search([("number", "=", MOBILE)]))
        self.assertEqual(self.url_open("/sms/optout/" + "f" * 32).status_code, 404)
        self.assertEqual(self.url_open("/sms/optout/nope").status_code, 404)
