"""Review findings of issue 10 that involve a request: public URL and webhook signatures,
unsubscribe choices, customer pages' caching."""

import re
import uuid
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config

from odoo.addons.duret_sms.core.gateway import compute_signature

from .common import FROM_NUMBER, DuretTwilioMixin

MOBILE = "+33612345678"
PUBLIC = "https://odoo.duret.example"
RECEIVE = "/twilio/sms/receive"


def stop_params(account_sid, body="STOP"):
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": account_sid,
        "From": MOBILE,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


class PublicCase(DuretTwilioMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.fr")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Camille Martin", "mobile": "06 12 34 56 78", "email": "c@example.com"}
        )

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company)
        self.icp = self.env["ir.config_parameter"].sudo()
        self.icp.set_param("duret_sms.public_url", PUBLIC)
        self.icp.set_param("web.base.url", PUBLIC)

    def post_signed(self, path, params, signed_url, headers=None):
        signature = compute_signature(self.simulator.auth_token, signed_url, params)
        response = self.url_open(
            path, data=params, headers=dict(headers or {}, **{"X-Twilio-Signature": signature})
        )
        self.env.invalidate_all()
        return response

    def blacklisted(self):
        return bool(self.env["phone.blacklist"].sudo().search([("number", "=", MOBILE)]))


@tagged("post_install", "-at_install")
class TestPublicUrl(PublicCase):
    """Item 2: Twilio's webhooks and the customers' links survive a host-name change."""

    def admin_login_through(self, host_url):
        """Log in as admin through ``host_url``, as an administrator's browser would."""
        page = self.url_open(f"{host_url}/web/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"{host_url}/web/login",
            data={"login": "admin", "password": "admin", "csrf_token": csrf},
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()

    def test_admin_login_via_localhost_then_signed_stop_to_the_public_url(self):
        local = self.base_url().replace("127.0.0.1", "localhost")
        self.admin_login_through(local)
        # Odoo itself moved web.base.url to the address the administrator used...
        self.assertEqual(self.icp.get_param("web.base.url"), local)
        # ...but Twilio still calls (and signs) the public address.
        response = self.post_signed(
            RECEIVE, stop_params(self.simulator.account_sid), PUBLIC + RECEIVE
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(self.blacklisted(), "the opt-out is not lost")

    def test_links_and_callbacks_use_the_public_url(self):
        self.icp.set_param("web.base.url", "http://localhost:8069")
        self.company.twilio_from_number = "DURET"  # alphanumeric: unsubscribe link
        promo = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "Promo", "duret_category": "commercial"}
        )
        self.assertIn(f"{PUBLIC}/sms/optout/{promo.uuid}", promo.body)
        [job] = promo._duret_prepare_jobs(self.company)
        self.assertEqual(job.status_callback, f"{PUBLIC}/twilio/sms/status/{promo.uuid}")
        start = fields.Datetime.now() + timedelta(days=3)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "RDV",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "partner_ids": [(4, self.customer.id)],
                }
            )
        )
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.customer)
        self.assertEqual(attendee.duret_rdv_url, f"{PUBLIC}/rdv/{attendee.duret_rdv_token}")

    def test_behind_a_tls_proxy_with_proxy_mode(self):
        # Twilio calls the public host over http (its console says http://...); the TLS proxy
        # says so, and Odoo believes it with proxy_mode only.
        headers = {"X-Forwarded-Host": "odoo.duret.example", "X-Forwarded-Proto": "http"}
        params = stop_params(self.simulator.account_sid)
        signed = "http://odoo.duret.example" + RECEIVE
        with patch.dict(config.options, {"proxy_mode": False}):
            response = self.post_signed(RECEIVE, params, signed, headers)
        self.assertEqual(response.status_code, 403)
        with patch.dict(config.options, {"proxy_mode": True}):
            response = self.post_signed(RECEIVE, params, signed, headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(self.blacklisted())

    def test_signature_for_another_host_is_refused_and_not_echoed(self):
        """Issue 17, item 8: the URL the request claims to have reached counts only when its
        host is the Public URL's; a request signed for another server (a copy of the database
        on the same Twilio account) replayed here with that server's Host is refused."""
        headers = {"X-Forwarded-Host": "staging.duret.example", "X-Forwarded-Proto": "https"}
        params = stop_params(self.simulator.account_sid)
        with patch.dict(config.options, {"proxy_mode": True}):
            response = self.post_signed(
                RECEIVE, params, "https://staging.duret.example" + RECEIVE, headers
            )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.blacklisted())
        reason = self.env["res.config.settings"].create({}).duret_sms_webhook_refused_reason
        self.assertIn(PUBLIC, reason)
        self.assertNotIn("staging", reason, "the Host header is the sender's word")
        self.assertIn("another host", reason)

    def test_refused_webhook_is_shown_in_settings_with_the_reason(self):
        self.icp.set_param("duret_sms.public_url", "https://old-name.duret.example")
        params = stop_params(self.simulator.account_sid)
        response = self.post_signed(RECEIVE, params, "https://elsewhere.example" + RECEIVE)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.blacklisted())
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.duret_sms_webhook_refused_at)
        self.assertIn("https://old-name.duret.example", settings.duret_sms_webhook_refused_reason)
        self.assertIn("proxy_mode", settings.duret_sms_webhook_refused_reason)
        # a request naming no known Twilio account (a scanner) writes nothing
        self.company.duret_sms_webhook_refused_at = False
        response = self.post_signed(
            RECEIVE, stop_params("AC" + "0" * 32), "https://elsewhere.example" + RECEIVE
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.company.duret_sms_webhook_refused_at)

    def test_public_url_setting_is_filled_and_checked_at_save(self):
        self.icp.set_param("duret_sms.public_url", False)
        self.icp.set_param("web.base.url", "http://erp.duret.example/")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.duret_sms_public_url, "http://erp.duret.example")
        self.assertTrue(settings.duret_sms_public_url_insecure, "not https: warned")
        settings.execute()
        self.assertEqual(self.icp.get_param("duret_sms.public_url"), "http://erp.duret.example")
        for bad in ("odoo.duret.example", "ftp://odoo.duret.example", "https://x.example/?a=1"):
            with self.subTest(url=bad), self.assertRaises(UserError):
                self.env["res.config.settings"].create({"duret_sms_public_url": bad}).execute()
        settings = self.env["res.config.settings"].create({"duret_sms_public_url": PUBLIC + "/"})
        self.assertFalse(settings.duret_sms_public_url_insecure)
        settings.execute()
        self.assertEqual(self.icp.get_param("duret_sms.public_url"), PUBLIC)


@tagged("post_install", "-at_install")
class TestOversizedWebhooks(PublicCase):
    """Item 12: oversized bodies are refused (413) before they are parsed or hashed."""

    def test_two_megabyte_bodies_get_413(self):
        sms = self.env["sms.sms"].create({"number": MOBILE, "body": "x"})
        replies = self.env["duret.sms.reply"].sudo()
        before = replies.search_count([])
        for path in (RECEIVE, f"/twilio/sms/status/{sms.uuid}"):
            with self.subTest(path=path):
                params = dict(stop_params(self.simulator.account_sid), Body="A" * 2_000_000)
                signature = compute_signature(self.simulator.auth_token, PUBLIC + path, params)
                with patch(
                    "odoo.addons.duret_sms.services.twilio_account.gateway.validate_signature"
                ) as validate:
                    response = self.url_open(
                        path, data=params, headers={"X-Twilio-Signature": signature}
                    )
                self.assertEqual(response.status_code, 413)
                validate.assert_not_called()
        self.assertEqual(replies.search_count([]), before)
        self.assertFalse(self.blacklisted())
        # an ordinary long SMS (10 segments of UCS-2) still goes through
        response = self.post_signed(
            RECEIVE, stop_params(self.simulator.account_sid, "STOP " + "é" * 700), PUBLIC + RECEIVE
        )
        self.assertEqual(response.status_code, 200)


@tagged("post_install", "-at_install")
class TestOptoutChoices(PublicCase):
    """Item 3: the unsubscribe page does what it says: no more promotions, or no SMS at all."""

    def setUp(self):
        super().setUp()
        self.company.twilio_from_number = "DURET"
        self.customer._duret_sms_set_consent(True, "staff")
        self.promo = self.env["sms.sms"].create(
            {
                "number": MOBILE,
                "body": "Promo",
                "duret_category": "commercial",
                "partner_id": self.customer.id,
            }
        )
        self.url = f"/sms/optout/{self.promo.uuid}"

    def test_page_offers_both_choices_and_get_changes_nothing(self):
        response = self.url_open(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ne plus recevoir d'offres commerciales", response.text)
        self.assertIn(
            "rendez-vous et à vos factures (rappels, confirmations) continueront", response.text
        )
        self.assertIn("Ne plus recevoir aucun SMS", response.text)
        self.assertIn("y compris les rappels de rendez-vous", response.text)
        self.assertNotIn("Vous continuerez à recevoir les SMS liés", response.text)
        self.env.invalidate_all()
        self.assertTrue(self.customer.duret_sms_consent)
        self.assertFalse(self.blacklisted())

    def test_no_more_promotions_keeps_service_sms(self):
        response = self.url_open(self.url, data={"choice": "commercial"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Vous ne recevrez plus d'offres commerciales par SMS", response.text)
        self.assertIn("continueront", response.text)
        self.env.invalidate_all()
        self.assertFalse(self.customer.duret_sms_consent)
        self.assertEqual(self.customer.duret_sms_consent_source, False)
        self.assertFalse(self.blacklisted(), "service SMS (reminders, invoices) still go")
        reminder = self.customer._message_sms("Rappel : rendez-vous demain")
        promo = self.env["sms.sms"].create(
            {
                "number": MOBILE,
                "body": "Promo 2",
                "duret_category": "commercial",
                "partner_id": self.customer.id,
            }
        )
        promo.send()
        self.run_queue()
        service = self.env["sms.sms"].sudo().search([("mail_message_id", "=", reminder.id)])
        self.assertEqual(service.state, "process")
        self.assertEqual((promo.state, promo.failure_type), ("canceled", "sms_optout"))

    def test_no_sms_at_all_blacklists(self):
        response = self.url_open(self.url, data={"choice": "all"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("ne recevra plus aucun SMS", response.text)
        self.env.invalidate_all()
        self.assertTrue(self.blacklisted())
        self.assertFalse(self.customer.duret_sms_consent)

    def test_web_unsubscribe_is_signed_by_the_customer_without_the_token(self):
        """Issue 18 #11: the traces name the customer and the link, not "Public user", and
        the opt-out reason shows no token."""
        self.url_open(self.url, data={"choice": "all"})
        self.env.invalidate_all()
        who = "the customer (unsubscribe link)"
        note = self.customer.message_ids.filtered(lambda m: "withdrawn" in (m.body or ""))[:1]
        self.assertFalse(note.author_id, "not Odoo's Public user")
        self.assertEqual(note.email_from, who)
        self.assertIn(who, self.customer.duret_sms_optout_reason)
        self.assertNotIn(self.promo.uuid, self.customer.duret_sms_optout_reason)
        entry = self.env["phone.blacklist"].sudo().search([("number", "=", MOBILE)])
        self.assertFalse(entry.message_ids.author_id & self.env.ref("base.public_partner"))

    def test_back_on_the_link_it_says_what_was_chosen(self):
        optout = self.env["sms.sms"]._duret_optout_previous_choice
        self.assertEqual(optout(self.promo.uuid), "")
        self.assertIsNone(optout("f" * 32))
        self.url_open(self.url, data={"choice": "commercial"})
        self.assertEqual(optout(self.promo.uuid), "commercial")
        response = self.url_open(self.url)
        self.assertIn("Vous avez déjà choisi de ne plus recevoir d'offres", response.text)
        self.assertNotIn('value="commercial"', response.text)
        self.url_open(self.url, data={"choice": "all"})
        self.assertEqual(optout(self.promo.uuid), "all")
        response = self.url_open(self.url)
        self.assertIn("Vous avez déjà choisi de ne plus recevoir aucun SMS", response.text)
        self.assertNotIn("<form", response.text)
        # Consent given again later (the wizard): the link no longer says "already chosen".
        self.env["phone.blacklist"].sudo()._remove([MOBILE])
        self.customer._duret_sms_set_consent(True, "form")
        self.assertEqual(optout(self.promo.uuid), "")

    def test_post_without_a_choice_asks_again(self):
        response = self.url_open(self.url, data={"confirm": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ne plus recevoir aucun SMS", response.text)
        self.env.invalidate_all()
        self.assertFalse(self.blacklisted())
        self.assertTrue(self.customer.duret_sms_consent)


@tagged("post_install", "-at_install")
class TestCustomerPagesAreNotCached(PublicCase):
    """Item 13: customer pages are never stored by a cache and set no session cookie."""

    def test_no_store_and_no_session_cookie(self):
        promo = self.env["sms.sms"].create(
            {"number": MOBILE, "body": "Promo", "duret_category": "commercial"}
        )
        start = fields.Datetime.now() + timedelta(days=3)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "RDV",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": new_test_user(self.env, login="tech_cache_i10").id,
                    "partner_ids": [(4, self.customer.id)],
                }
            )
        )
        token = event.attendee_ids.filtered(lambda a: a.partner_id == self.customer).duret_rdv_token
        requests = [
            (f"/sms/optout/{promo.uuid}", None),
            (f"/sms/optout/{'f' * 32}", None),
            (f"/sms/optout/{promo.uuid}", {"choice": "commercial"}),
            (f"/rdv/{token}", None),
            (f"/rdv/{'f' * 32}", None),
            (f"/rdv/confirm/{token}", {"x": "1"}),
        ]
        for path, data in requests:
            with self.subTest(path=path, post=bool(data)):
                self.opener.cookies.clear()
                response = self.url_open(path, data=data)
                self.assertIn(response.status_code, (200, 404))
                self.assertEqual(response.headers.get("Cache-Control"), "no-store")
                self.assertNotIn("session_id", response.headers.get("Set-Cookie", ""))
