import re
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.duret_sms.core.gateway import compute_signature

from .common import FROM_NUMBER, DuretTwilioMixin

PATH = "/twilio/sms/receive"
MOBILE = "+33612345678"
SHARED = "+33611223344"
UNKNOWN = "+33698765432"


def new_sid():
    return "SM" + uuid.uuid4().hex


@tagged("post_install", "-at_install")
class TestInboundSms(DuretTwilioMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"country_id": cls.env.ref("base.fr").id, "phone": "03 87 00 00 00"})
        fr = cls.env.ref("base.fr").id
        Partner = cls.env["res.partner"]
        # Written as people type them: the webhook's E.164 "From" must still find them.
        cls.customer = Partner.create({"name": "Camille Martin", "mobile": "06 12 34 56 78"})
        cls.customer.country_id = fr
        cls.spouse_a = Partner.create({"name": "Jean Petit", "phone": "06.11.22.33.44"})
        cls.spouse_b = Partner.create({"name": "Marie Petit", "mobile": "+33 6 11 22 33 44"})
        cls.organizer = new_test_user(
            cls.env, login="tech_h6", name="Luc Technicien", email="luc@example.com"
        )

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company)
        # Callbacks are built, and signatures checked, from the SMS setting Public URL.
        self.env["ir.config_parameter"].sudo().set_param("duret_sms.public_url", self.base_url())
        self.Reply = self.env["duret.sms.reply"].sudo()
        self.Reply.search([]).unlink()  # an empty inbox (databases with demo data have replies)
        self.Sms = self.env["sms.sms"].sudo()
        # Only the SMS this test creates count (the database may hold older ones).
        self.first_sms_id = (self.Sms.search([], order="id desc", limit=1).id or 0) + 1

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def params(self, body, sender=MOBILE, sid=None, **extra):
        sid = sid or new_sid()
        return {
            "ToCountry": "FR",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "To": FROM_NUMBER,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": self.simulator.account_sid,
            "From": sender,
            "FromCountry": "FR",
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def post(self, params, signature=None, token=None, signed_params=None, path=PATH):
        headers = {}
        if signature is None:
            signature = compute_signature(
                token or self.simulator.auth_token,
                self.base_url() + path,
                params if signed_params is None else signed_params,
            )
        if signature:
            headers["X-Twilio-Signature"] = signature
        response = self.url_open(path, data=params, headers=headers)
        self.env.invalidate_all()  # the request ran in the server thread's environment
        return response

    def receive(self, body, sender=MOBILE, **extra):
        """Post a correctly signed inbound SMS and return its reply record."""
        params = self.params(body, sender=sender, **extra)
        response = self.post(params)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("text/xml"))
        self.assertIn("<Response", response.text)
        reply = self.Reply.search([("message_sid", "=", params["MessageSid"])])
        self.assertEqual(len(reply), 1)
        return reply

    def appointment(self, days=2, reminded=True, partner=None):
        partner = partner or self.customer
        start = fields.Datetime.now() + timedelta(days=days)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage tableau électrique",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": self.organizer.id,
                    "partner_ids": [(4, partner.id), (4, self.organizer.partner_id.id)],
                }
            )
        )
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == partner)
        if reminded:
            attendee.duret_reminder_sent_at = fields.Datetime.now() - timedelta(hours=days)
        return attendee

    def sms_to(self, number):
        return self.Sms.search([("number", "=", number), ("id", ">=", self.first_sms_id)])

    def blacklisted(self, number):
        return bool(self.env["phone.blacklist"].sudo().search([("number", "=", number)]))

    def partner_notes(self, partner, text):
        return partner.message_ids.filtered(lambda m: text in (m.body or ""))

    def office_activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    # ------------------------------------------------------------------
    # opt-out / opt-in
    # ------------------------------------------------------------------

    def test_opt_out_blacklists_notes_and_confirms_once(self):
        reply = self.receive("Stop.")
        self.assertEqual(reply.intent, "opt_out")
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual((reply.action_taken, reply.state), ("opted_out", "done"))
        self.assertTrue(self.blacklisted(MOBILE))
        self.assertTrue(self.partner_notes(self.customer, "Stop."), "the reply is on the customer")
        self.assertTrue(self.partner_notes(self.customer, "opted out"))
        sms = self.sms_to(MOBILE)
        self.assertEqual(len(sms), 1)
        self.assertTrue(sms.duret_optout_ack)
        self.assertIn("ne recevrez plus", sms.body)
        self.assertEqual(sms.company_id, self.company)
        # The confirmation is the one SMS that may reach the number that just opted out.
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)
        self.customer._message_sms("Rappel : rendez-vous demain")
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1, "nothing else goes out")

    def test_opt_out_answered_by_twilio_sends_no_confirmation(self):
        reply = self.receive("STOP", OptOutType="STOP")
        self.assertEqual((reply.action_taken, reply.twilio_opt_out_type), ("opted_out", "STOP"))
        self.assertTrue(self.blacklisted(MOBILE))
        self.assertFalse(self.sms_to(MOBILE))

    def test_twilio_and_french_opt_out_words(self):
        for body in ("CANCEL", "arrêt", "Désabonner", "STOP SMS"):
            with self.subTest(body=body):
                self.env["phone.blacklist"].sudo()._remove([MOBILE])
                reply = self.receive(body)
                self.assertEqual(reply.intent, "opt_out")
                self.assertTrue(self.blacklisted(MOBILE))

    def test_opt_in_unblacklists_and_confirms(self):
        self.env["phone.blacklist"].sudo()._add([MOBILE])
        reply = self.receive("START")
        self.assertEqual((reply.intent, reply.action_taken), ("opt_in", "opted_in"))
        self.assertFalse(self.blacklisted(MOBILE))
        sms = self.sms_to(MOBILE)
        self.assertEqual(len(sms), 1)
        self.assertFalse(sms.duret_optout_ack)
        self.assertIn("à nouveau", sms.body)
        self.assertTrue(self.partner_notes(self.customer, "opted in"))
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)

    # ------------------------------------------------------------------
    # cancel / confirm
    # ------------------------------------------------------------------

    def test_cancel_with_one_reminded_appointment(self):
        attendee = self.appointment()
        self.appointment(days=-1)  # reminded, but already over: not a candidate
        self.appointment(days=5, reminded=False)  # not reminded yet: not a candidate
        reply = self.receive("Annule svp")
        self.assertEqual((reply.intent, reply.action_taken), ("cancel", "cancelled"))
        self.assertEqual(reply.state, "done")
        self.assertEqual(reply.calendar_event_id, attendee.event_id)
        self.assertEqual(attendee.state, "declined")
        self.assertEqual(
            (attendee.duret_customer_answer, attendee.duret_answer_channel), ("cancelled", "sms")
        )
        self.assertTrue(
            attendee.event_id.message_ids.filtered(lambda m: "Annule svp" in (m.body or "")),
            "the reply is posted on the appointment",
        )
        sms = self.sms_to(MOBILE)
        self.assertEqual(len(sms), 1)
        self.assertIn("est annulé", sms.body)
        self.assertIn(attendee.duret_rdv_when, sms.body)

    def test_cancel_without_reminded_appointment_goes_to_office(self):
        attendee = self.appointment(reminded=False)
        reply = self.receive("ANNULER")
        self.assertEqual((reply.action_taken, reply.state), ("office", "needs_attention"))
        self.assertNotEqual(attendee.state, "declined", "never a blind cancellation")
        self.assertTrue(self.office_activities(self.customer))
        self.assertFalse(self.sms_to(MOBILE))

    def test_cancel_with_two_candidates_goes_to_office(self):
        first, second = self.appointment(days=2), self.appointment(days=3)
        reply = self.receive("je veux annuler")
        self.assertEqual((reply.action_taken, reply.state), ("office", "needs_attention"))
        self.assertNotIn("declined", (first | second).mapped("state"))
        activity = self.office_activities(self.customer)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.organizer)
        self.assertIn("2", reply.action_note)
        self.assertFalse(self.sms_to(MOBILE))

    def test_confirm_accepts_the_reminded_appointment(self):
        attendee = self.appointment()
        reply = self.receive("Oui je confirme 👍")
        self.assertEqual((reply.intent, reply.action_taken), ("confirm", "confirmed"))
        self.assertEqual(reply.calendar_event_id, attendee.event_id)
        self.assertEqual(attendee.state, "accepted")
        self.assertEqual(attendee.duret_customer_answer, "confirmed")
        self.assertFalse(self.sms_to(MOBILE), "a confirmation is not answered (it costs an SMS)")

    # ------------------------------------------------------------------
    # help / other
    # ------------------------------------------------------------------

    def test_help_sends_a_short_french_help(self):
        reply = self.receive("AIDE")
        self.assertEqual((reply.intent, reply.action_taken), ("help", "help_sent"))
        sms = self.sms_to(MOBILE)
        self.assertEqual(len(sms), 1)
        self.assertIn(self.company.name, sms.body)
        self.assertIn("03 87 00 00 00", sms.body)
        self.assertIn("STOP pour ne plus recevoir de SMS", sms.body)
        reply = self.receive("HELP", OptOutType="HELP")
        self.assertEqual(reply.action_taken, "help_sent")
        self.assertIn("Twilio", reply.action_note)
        self.assertEqual(len(self.sms_to(MOBILE)), 1, "Twilio already answered HELP")

    def test_other_is_posted_on_appointment_and_organizer_notified(self):
        attendee = self.appointment()
        reply = self.receive("Je serai en retard de 10 min, le code du portail est 1234")
        self.assertEqual((reply.intent, reply.action_taken), ("other", "office"))
        self.assertEqual(reply.state, "needs_attention")
        self.assertEqual(reply.calendar_event_id, attendee.event_id)
        message = attendee.event_id.message_ids.filtered(lambda m: "portail" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn(self.organizer.partner_id, message.partner_ids)
        self.assertEqual(message.author_id, self.customer)
        self.assertTrue(self.partner_notes(self.customer, "portail"))
        self.assertFalse(self.sms_to(MOBILE))

    def test_other_without_appointment_gives_the_office_an_activity(self):
        reply = self.receive("Pouvez-vous me rappeler ?")
        self.assertEqual((reply.action_taken, reply.state), ("office", "needs_attention"))
        self.assertTrue(self.office_activities(self.customer))
        self.assertTrue(self.partner_notes(self.customer, "rappeler"))

    # ------------------------------------------------------------------
    # who wrote
    # ------------------------------------------------------------------

    def test_unknown_number_is_only_logged(self):
        reply = self.receive("Bonjour, c'est pour un devis", sender=UNKNOWN)
        self.assertFalse(reply.partner_id)
        self.assertEqual((reply.action_taken, reply.state), ("none", "needs_attention"))
        # STOP from an unknown number still stops it.
        reply = self.receive("STOP", sender=UNKNOWN)
        self.assertEqual(reply.action_taken, "opted_out")
        self.assertTrue(self.blacklisted(UNKNOWN))
        sms = self.sms_to(UNKNOWN)
        self.assertTrue(sms.duret_optout_ack)
        self.assertFalse(sms.partner_id)

    def test_ambiguous_number_is_left_to_staff(self):
        attendee = self.appointment(partner=self.spouse_a)
        reply = self.receive("ANNULE", sender=SHARED)
        self.assertFalse(reply.partner_id)
        self.assertEqual(reply.candidate_partner_ids, self.spouse_a | self.spouse_b)
        self.assertEqual((reply.action_taken, reply.state), ("none", "needs_attention"))
        self.assertNotEqual(attendee.state, "declined")
        self.assertIn("Several contacts", reply.action_note)
        for partner in self.spouse_a | self.spouse_b:
            self.assertTrue(self.partner_notes(partner, "ANNULE"))

    def test_ambiguous_number_prefers_last_sms_recipient(self):
        attendee = self.appointment(partner=self.spouse_a)
        self.spouse_b._message_sms("Votre devis est prêt")
        self.spouse_a._message_sms("Rappel : rendez-vous après-demain")
        self.run_queue()
        older = self.Sms.search([("partner_id", "=", self.spouse_b.id)])
        older.duret_handover_at = fields.Datetime.now() - timedelta(days=3)
        reply = self.receive("annulation", sender=SHARED)
        self.assertEqual(reply.partner_id, self.spouse_a)
        self.assertEqual(reply.action_taken, "cancelled")
        self.assertEqual(attendee.state, "declined")

    def test_partner_is_found_by_either_number(self):
        other = self.env["res.partner"].create(
            {"name": "Paul Durand", "mobile": "06 12 00 00 01", "phone": "06 55 44 33 22"}
        )
        self.assertEqual(other.phone_sanitized, "+33612000001")
        reply = self.receive("OK", sender="+33655443322")
        self.assertEqual(reply.partner_id, other, "found by its second number")
        self.assertEqual(self.customer.duret_sms_reply_count, 0)
        self.receive("bonjour")
        self.customer.invalidate_recordset(["duret_sms_reply_count"])
        self.assertEqual(self.customer.duret_sms_reply_count, 1)
        action = self.customer.action_view_duret_sms_replies()
        self.assertEqual(self.Reply.search(action["domain"]).partner_id, self.customer)

    # ------------------------------------------------------------------
    # security and robustness
    # ------------------------------------------------------------------

    def test_unsigned_or_forged_requests_are_refused_and_change_nothing(self):
        params = self.params("STOP")
        cases = {
            "unsigned": {"signature": ""},
            "garbage": {"signature": "bm90IGEgc2lnbmF0dXJl"},
            "wrong token": {"token": "0" * 32},
            "other params": {"signed_params": self.params("START", sid=params["MessageSid"])},
        }
        for name, kwargs in cases.items():
            with self.subTest(name):
                self.assertEqual(self.post(params, **kwargs).status_code, 403)
        # signed for another URL (the status route) than the one posted to
        signature = compute_signature(
            self.simulator.auth_token, self.base_url() + "/twilio/sms/status/x", params
        )
        self.assertEqual(self.post(params, signature=signature).status_code, 403)
        self.assertFalse(self.Reply.search([]))
        self.assertFalse(self.blacklisted(MOBILE))
        self.assertFalse(self.sms_to(MOBILE))

    def test_same_message_sid_is_processed_once(self):
        params = self.params("STOP")
        for _attempt in range(3):
            response = self.post(params)
            self.assertEqual(response.status_code, 200)
            self.assertIn("<Response", response.text)
        self.assertEqual(self.Reply.search_count([("message_sid", "=", params["MessageSid"])]), 1)
        self.assertEqual(len(self.sms_to(MOBILE)), 1, "one confirmation, not three")
        self.assertEqual(len(self.partner_notes(self.customer, "opted out")), 1)

    def test_malformed_signed_requests_get_4xx_and_are_not_recorded(self):
        for name, params in {
            "no MessageSid": {k: v for k, v in self.params("STOP").items() if k != "MessageSid"},
            "bad MessageSid": self.params("STOP", sid="SM123' OR 1=1"),
            "no From": {k: v for k, v in self.params("STOP").items() if k != "From"},
            "blank From": self.params("STOP", sender="  "),
            "only an unknown field": {"Foo": "bar"},
        }.items():
            with self.subTest(name):
                with self.assertLogs("odoo.addons.duret_sms.controllers", "WARNING"):
                    response = self.post(params)
                self.assertEqual(response.status_code, 400)
        self.assertFalse(self.Reply.search([]))
        self.assertEqual(self.url_open(PATH).status_code, 405)

    def test_mms_without_text_and_nul_characters_are_kept(self):
        reply = self.receive("", NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg")
        self.assertEqual((reply.intent, reply.num_media), ("other", 1))
        reply = self.receive("Oui\x00 merci")
        self.assertEqual(reply.body, "Oui merci")

    def test_reply_log_is_readable_by_officers_only(self):
        reply = self.receive("Bonjour")
        user = new_test_user(self.env, login="plain_h6", groups="base.group_user")
        officer = new_test_user(
            self.env, login="officer_h6", groups="base.group_user,duret_sms.duret_sms_group_officer"
        )
        Reply = self.env["duret.sms.reply"]
        self.assertFalse(Reply.with_user(user).check_access_rights("read", raise_exception=False))
        self.assertEqual(reply.with_user(officer).body, "Bonjour")
        for operation in ("create", "unlink"):
            self.assertFalse(
                Reply.with_user(officer).check_access_rights(operation, raise_exception=False)
            )
        reply.with_user(officer).action_mark_done()
        self.assertEqual(reply.state, "done")

    # ------------------------------------------------------------------
    # fuzzing
    # ------------------------------------------------------------------

    @settings(
        max_examples=100,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        body=st.one_of(
            st.none(),
            st.text(max_size=40),
            # long bodies (many segments, UCS-2) built fast from a repeated random chunk
            st.tuples(st.text(min_size=1, max_size=12), st.integers(40, 400)).map(
                lambda chunk: chunk[0] * chunk[1]
            ),
            st.sampled_from(["STOP", "annule svp", "OUI", "AIDE", "START", "CANCEL", "Merci 👍"]),
        ),
        sender=st.one_of(
            st.sampled_from([MOBILE, SHARED, UNKNOWN, "+447700900123", "DURET", " "]),
            st.none(),
            st.text(max_size=20),
        ),
        # valid identifiers most of the time, so that most signed requests must be recorded
        sid=st.one_of(
            st.uuids().map(lambda u: "SM" + u.hex),
            st.uuids().map(lambda u: "MM" + u.hex.upper()),
            st.none(),
            st.text(max_size=40),
        ),
        extra=st.dictionaries(
            st.sampled_from(["OptOutType", "NumMedia", "To", "MessagingServiceSid", "Foo", "é"])
            | st.text(min_size=1, max_size=10),
            st.text(max_size=50),
            max_size=4,
        ),
        signing=st.sampled_from(["signed", "signed", "signed", "unsigned", "forged"]),
    )
    def test_fuzz_webhook_never_fails_and_loses_nothing(self, body, sender, sid, extra, signing):
        params = dict(extra)
        for key, value in (("Body", body), ("From", sender), ("MessageSid", sid)):
            if value is not None:
                params[key] = value
        params["AccountSid"] = self.simulator.account_sid
        before = self.Reply.search_count([])
        signature = {"signed": None, "unsigned": "", "forged": "Zm9yZ2Vk"}[signing]
        response = self.post(params, signature=signature)
        self.assertLess(response.status_code, 500)
        valid = (
            signing == "signed"
            and isinstance(params.get("MessageSid"), str)
            and re.fullmatch("[A-Za-z]{2}[0-9A-Za-z]{32}", params["MessageSid"])
            and (params.get("From") or "").replace("\x00", "")[:64].strip()
        )
        if valid:
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                self.Reply.search_count([("message_sid", "=", params["MessageSid"])]), 1
            )
        else:
            self.assertIn(response.status_code, (400, 403))
            self.assertEqual(self.Reply.search_count([]), before)

    # ------------------------------------------------------------------
    # review findings (issue 10)
    # ------------------------------------------------------------------

    def test_cancel_acts_only_at_the_company_that_received_the_reply(self):
        other = self.env["res.company"].create(
            {"name": "Duret Alsace", "country_id": self.env.ref("base.fr").id}
        )
        other_tech = new_test_user(
            self.env,
            login="tech_alsace_i10",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        # The customer is shared (no company); only company B reminded them of an appointment.
        start = fields.Datetime.now() + timedelta(days=2)
        event_b = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage Alsace",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": other_tech.id,
                    "partner_ids": [(4, self.customer.id), (4, other_tech.partner_id.id)],
                }
            )
        )
        attendee_b = event_b.attendee_ids.filtered(lambda a: a.partner_id == self.customer)
        attendee_b.duret_reminder_sent_at = fields.Datetime.now() - timedelta(hours=2)
        for body in ("ANNULE", "OUI"):
            with self.subTest(body=body):
                reply = self.receive(body)  # to company A's number
                self.assertEqual(reply.company_id, self.company)
                self.assertEqual(reply.action_taken, "office")
                self.assertFalse(reply.calendar_event_id)
                self.assertEqual(attendee_b.state, "needsAction")
                self.assertEqual(attendee_b.duret_customer_answer, "none")
        # at company A, its own reminded appointment is the one acted on
        attendee_a = self.appointment()
        reply = self.receive("ANNULE")
        self.assertEqual(reply.calendar_event_id, attendee_a.event_id)
        self.assertEqual(attendee_a.state, "declined")
        self.assertEqual(attendee_b.state, "needsAction")

    def test_twilio_opt_out_type_is_authoritative(self):
        # A keyword configured in Twilio's Advanced Opt-Out, unknown to Odoo's own list.
        reply = self.receive("DESINSCRIPTION", OptOutType="STOP")
        self.assertEqual((reply.intent, reply.action_taken), ("opt_out", "opted_out"))
        self.assertTrue(self.blacklisted(MOBILE))
        self.assertFalse(self.sms_to(MOBILE), "Twilio already answered the customer")
        reply = self.receive("REVENIR", OptOutType="start")
        self.assertEqual((reply.intent, reply.action_taken), ("opt_in", "opted_in"))
        self.assertFalse(self.blacklisted(MOBILE))
        self.assertEqual(self.receive("Bonjour", OptOutType="").intent, "other")

    def test_officer_rpc_write_on_a_reply_is_refused(self):
        reply = self.receive("STOP")
        officer = new_test_user(
            self.env,
            login="officer_rpc_i10",
            password="officer_rpc_i10",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )
        self.authenticate("officer_rpc_i10", "officer_rpc_i10")
        evidence = {
            "body": "Bonjour",
            "number_from": "+33600000000",
            "intent": "other",
            "action_taken": "none",
        }
        for fname, value in evidence.items():
            with self.subTest(field=fname), self.assertRaises(Exception) as caught:
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw/duret.sms.reply/write",
                    {
                        "model": "duret.sms.reply",
                        "method": "write",
                        "args": [reply.ids, {fname: value}],
                        "kwargs": {},
                    },
                )
            self.assertIn("AccessError", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(
            (reply.body, reply.number_from, reply.intent, reply.action_taken),
            ("STOP", MOBILE, "opt_out", "opted_out"),
        )
        # the handling status stays theirs, through the buttons
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/duret.sms.reply/action_mark_needs_attention",
            {
                "model": "duret.sms.reply",
                "method": "action_mark_needs_attention",
                "args": [reply.ids],
                "kwargs": {},
            },
        )
        self.env.invalidate_all()
        self.assertEqual(reply.state, "needs_attention")
        reply.with_user(officer).action_mark_done()
        self.assertEqual(reply.state, "done")

    def test_reply_text_copies_go_with_the_reply(self):
        attendee = self.appointment()
        text = "Bonjour, le portail est cassé, code 4321"
        reply = self.receive(text)
        stop = self.receive("STOP merci")
        blacklist = self.env["phone.blacklist"].sudo().search([("number", "=", MOBILE)])
        self.assertFalse(blacklist.message_ids.filtered(lambda m: "merci" in (m.body or "")))
        self.assertFalse(
            self.partner_notes(self.customer, "opted out").filtered(lambda m: "merci" in m.body)
        )
        copies = reply.duret_copy_message_ids
        self.assertTrue(copies)
        self.assertTrue(all(text in message.body for message in copies))
        self.assertIn(attendee.event_id.id, copies.mapped("res_id"))
        (reply | stop).write({"received_at": fields.Datetime.now() - timedelta(days=800)})
        self.env.ref("duret_sms.ir_cron_sms_history_purge").sudo().method_direct_trigger()
        self.assertFalse(reply.exists())
        self.assertFalse(copies.exists(), "the copies in the chatter are purged too")
        self.assertFalse(self.partner_notes(self.customer, "portail"))
        self.assertFalse(attendee.event_id.message_ids.filtered(lambda m: "portail" in m.body))
        self.assertTrue(self.blacklisted(MOBILE), "the opt-out itself stays")

    def test_office_activity_with_reply_text_goes_with_the_reply(self):
        reply = self.receive("Rappelez-moi au 06 00 00 00 00")  # no appointment: to-do
        activity = reply.duret_copy_activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Rappelez-moi", str(activity.note))
        reply.unlink()
        self.assertFalse(activity.exists())
