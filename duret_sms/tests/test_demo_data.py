from odoo.tests import TransactionCase, tagged

from odoo.addons.duret_sms.core import encoding


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo scenario (demo/duret_sms_demo.xml) shows every state, and stays inert in the
    databases that load it for tests: nothing queued, nothing sent, nothing blacklisted."""

    def setUp(self):
        super().setUp()
        self.camille_event = self.env.ref(
            "duret_sms.calendar_event_camille_demo", raise_if_not_found=False
        )
        if not self.camille_event:
            self.skipTest("database without demo data")

    def _demo_records(self, model):
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "duret_sms"),
                ("model", "=", model),
                ("name", "=like", "%_demo"),
                # the reporting figures' own demo (demo/duret_sms_reporting_demo.xml)
                ("name", "not like", "reporting"),
            ]
        )
        return self.env[model].browse(data.mapped("res_id"))

    def test_appointments_tomorrow_with_their_reminders_and_answers(self):
        events = self._demo_records("calendar.event")
        self.assertEqual(len(events), 8)
        for event in events:
            days = (event.start.date() - event.create_date.date()).days
            # Élodie's in four days, or the Monday after (never a weekend): far enough to be
            # moved from her link (issue 20).
            self.assertIn(days, (1, 2, 4, 5, 6), "relative to the installation")
            if days >= 4:
                self.assertLess(event.start.weekday(), 5, "a working day")
        self.assertEqual(
            set(events.mapped("duret_reminder_status")),
            {"delivered", "sent", "failed", "email", "scheduled"},
        )
        self.assertEqual(
            set(events.mapped("duret_customer_answer")), {"confirmed", "cancelled", "none"}
        )
        camille = self.camille_event.attendee_ids.filtered("duret_is_customer")
        self.assertEqual(camille.duret_rdv_token, "de5000000000000000000000000000c1")
        self.assertEqual((camille.state, camille.duret_answer_channel), ("accepted", "web"))

    def test_sms_of_every_final_status_and_none_to_hand_over(self):
        sms = self._demo_records("sms.sms")
        self.assertEqual(set(sms.mapped("state")), {"pending", "sent", "error", "canceled"})
        self.assertTrue(
            all(s.duret_failure_reason for s in sms if s.state in ("error", "canceled"))
        )
        # Nothing for a queue to pick up, nothing the price or recovery crons would ask
        # Twilio about (those only look at SMS sent through "twilio").
        self.assertFalse(sms.filtered(lambda s: s.state in ("outgoing", "process")))
        self.assertFalse(sms.filtered(lambda s: s.duret_provider == "twilio"))
        self.assertEqual(self.env.ref("base.main_company").duret_sms_provider, "iap")

    def test_replies_and_an_empty_opt_out_list(self):
        replies = self._demo_records("duret.sms.reply")
        self.assertEqual(set(replies.mapped("intent")), {"opt_out", "cancel", "confirm", "other"})
        self.assertEqual(len(replies.filtered(lambda r: r.state == "needs_attention")), 2)
        # Odoo's own tests count the queries of a blacklist check on an empty list.
        numbers = self._demo_records("res.partner").mapped("mobile")
        blacklist = self.env["phone.blacklist"].sudo().search([("number", "in", numbers)])
        self.assertFalse(blacklist)

    def test_twilio_prices_show_in_euros(self):
        """The demo's SMS are billed in euros: the currency is active, so the SMS history and
        the analysis show "€" next to the prices (the web client knows active currencies
        only)."""
        self.assertTrue(self.env.ref("base.EUR").active)

    def test_demo_reminders_are_one_segment_like_the_real_ones(self):
        """Issue 18 #17: the demo's reminders read as the reminder template writes them, in
        one SMS (GSM-7, at most 160 characters)."""
        reminders = self._demo_records("sms.sms").filtered("duret_is_reminder")
        self.assertEqual(len(reminders), 5)
        for sms in reminders:
            analysis = encoding.analyze(sms.body)
            self.assertEqual((analysis.encoding, analysis.segments), ("GSM-7", 1), sms.body)
            self.assertEqual(sms.duret_segments, 1)

    def test_two_conversations_one_answered_one_waiting_for_the_technician(self):
        """Issue 21: the demo has two SMS conversations, built through the inbound webhook's
        entry point and an answer posted in the thread (demo/duret_sms_conversation_demo.xml)."""
        conversations = self.env["duret.sms.conversation"].search(
            [("number", "in", ("+33612000002", "+33612000001"))]
        )
        by_number = {c.number: c for c in conversations}
        self.assertEqual(set(by_number), {"+33612000002", "+33612000001"})

        waiting = by_number["+33612000001"]
        paul = self.env.ref("duret_sms.res_users_technician_paul_demo")
        self.assertEqual(waiting.state, "waiting")
        self.assertEqual(
            waiting.partner_id, self.env.ref("duret_sms.res_partner_camille_martin_demo")
        )
        self.assertEqual(waiting.event_id, self.env.ref("duret_sms.calendar_event_camille_demo"))
        self.assertEqual((waiting.user_id, waiting.technician_id), (paul, paul))
        self.assertIn("Le code du portail est 1234", waiting.last_message_preview)
        self.assertFalse(waiting.auto_answer_at, "the same demo at any hour of installation")
        self.assertEqual(
            waiting.reply_ids.mapped("message_sid"), ["SM00000000000000000000000000de5107"]
        )

        done = by_number["+33612000002"]
        self.assertEqual(done.state, "done")
        self.assertEqual(done.partner_id, self.env.ref("duret_sms.res_partner_jean_dupuis_demo"))
        bodies = [m.body for m in done.message_ids.sorted("id")]
        self.assertTrue(any("VMC de la salle de bains" in b for b in bodies), bodies)
        self.assertTrue(any("Karim regardera la VMC" in b for b in bodies), bodies)
        # The answer left as an SMS, delivered by the Sandbox: nothing stays queued.
        answer = (
            self.env["sms.sms"]
            .sudo()
            .search([("number", "=", "+33612000002"), ("body", "like", "Karim regardera la VMC")])
        )
        self.assertEqual(len(answer), 1)
        self.assertEqual((answer.state, answer.duret_provider), ("sent", "sandbox"))
        self.assertFalse(
            self.env["sms.sms"]
            .sudo()
            .search_count(
                [("number", "in", list(by_number)), ("state", "in", ("outgoing", "process"))]
            )
        )
        # The company is back on Odoo's own provider (test databases keep it), and hours.
        company = self.env.ref("base.main_company")
        self.assertEqual(company.duret_sms_provider, "iap")
        self.assertEqual(
            (company.duret_sms_weekday_start, company.duret_sms_weekday_end), (8.0, 20.0)
        )


@tagged("post_install", "-at_install")
class TestFieldLabels(TransactionCase):
    def test_no_two_fields_of_a_model_share_a_label(self):
        """Issue 18 #17: Odoo warns "Two fields ... have the same label" at install (and the
        filters and exports cannot tell them apart): none for the fields of our addons."""
        clashes = []
        for model_name in self.env.registry:
            by_label = {}
            for field in self.env[model_name]._fields.values():
                other = by_label.setdefault(field.string, field)
                if other is not field and "duret_sms" in f"{field._module}{other._module}":
                    clashes.append(f"{model_name}: {other.name}, {field.name} ({field.string})")
        self.assertEqual(clashes, [])
