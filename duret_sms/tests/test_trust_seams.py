"""Issue 17 (trust at every seam): categories kept by the composer and the resend wizard,
opt-outs kept per company, replies filed only on contacts of their own company."""

import uuid

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import DuretTwilioCase

MOBILE = "+33612345678"  # DuretTwilioCase's customer, Camille Martin


def reply_params(body, sender=MOBILE):
    sid = "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "SmsSid": sid, "From": sender, "To": "+33939000000", "Body": body}


@tagged("post_install", "-at_install")
class TestCommercialCategoryIsKept(DuretTwilioCase):
    """Item 9: a commercial template stays commercial; a resent SMS keeps its category."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = new_test_user(
            cls.env,
            login="office_i17_9",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_officer",
        )
        cls.template = cls.env["sms.template"].create(
            {
                "name": "Promo bornes",
                "model_id": cls.env["ir.model"]._get("res.partner").id,
                "body": "Duret : -10% sur les bornes de recharge.",
                "duret_category": "commercial",
            }
        )

    def composer(self):
        return (
            self.env["sms.composer"]
            .with_user(self.office)
            .with_context(active_model="res.partner", active_id=self.partner.id)
        )

    def test_commercial_template_category_cannot_be_lowered(self):
        with self.assertRaisesRegex(ValidationError, "Promo bornes is commercial"):
            self.composer().create(
                {"template_id": self.template.id, "duret_category": "transactional"}
            )
        composer = self.composer().create({"template_id": self.template.id})
        self.assertEqual(composer.duret_category, "commercial")
        with self.assertRaisesRegex(ValidationError, "Promo bornes is commercial"):
            composer.write({"duret_category": "transactional"})
        self.assertFalse(self.env["sms.sms"].sudo().search([("partner_id", "=", self.partner.id)]))

    def test_commercial_template_is_sent_as_commercial(self):
        composer = self.composer().create({"template_id": self.template.id})
        composer.action_send_sms()
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.partner.id)])
        self.assertEqual(sms.duret_category, "commercial")
        self.assertTrue(sms.body.endswith("STOP au +33939000000"))

    def test_resend_keeps_the_original_category(self):
        message = self.partner.with_context(duret_sms_category="commercial")._message_sms(
            "Duret : -10% sur les bornes de recharge."
        )
        original = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(original.duret_category, "commercial")
        original._duret_set_failed("sms_server", "Erreur du serveur")
        wizard = (
            self.env["sms.resend"]
            .with_user(self.office)
            .with_context(default_mail_message_id=message.id)
            .create({})
        )
        self.assertTrue(wizard.recipient_ids)
        wizard.action_resend()
        again = (
            self.env["sms.sms"]
            .sudo()
            .search([("mail_message_id", "=", message.id), ("id", "!=", original.id)])
        )
        self.assertEqual(len(again), 1)
        self.assertEqual(again.duret_category, "commercial")
        self.assertIn("STOP au +33939000000", again.body)


@tagged("post_install", "-at_install")
class TestOptOutsPerCompany(DuretTwilioCase):
    """Item 11: START to company A does not lift the opt-out the customer made at company B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "Duret Bâtiment", "country_id": cls.env.ref("base.fr").id}
        )

    def setUp(self):
        super().setUp()
        self.company_b.write({"duret_sms_provider": "sandbox", "duret_sms_tz": "Europe/Paris"})

    def receive(self, body, company):
        return self.env["duret.sms.reply"].sudo()._duret_receive(reply_params(body), company)

    def blacklisted(self):
        return bool(self.env["phone.blacklist"].sudo().search([("number", "=", MOBILE)]))

    def test_start_to_a_keeps_the_stop_sent_to_b(self):
        self.assertEqual(self.receive("STOP", self.company_b).action_taken, "opted_out")
        self.assertTrue(self.blacklisted())
        start = self.receive("START", self.company)
        self.assertTrue(self.blacklisted(), "company B's opt-out stays")
        self.assertEqual((start.action_taken, start.state), ("none", "needs_attention"))
        self.assertIn("Duret Bâtiment", start.action_note)

    def test_start_lifts_once_every_company_opted_in_again(self):
        self.receive("STOP", self.company_b)
        self.receive("STOP", self.company)
        self.assertEqual(self.receive("START", self.company).action_taken, "none")
        self.assertTrue(self.blacklisted())
        self.assertEqual(self.receive("START", self.company_b).action_taken, "opted_in")
        self.assertFalse(self.blacklisted())
        self.receive("STOP", self.company_b)
        self.assertEqual(self.receive("START", self.company_b).action_taken, "opted_in")
        self.assertFalse(self.blacklisted(), "its own opt-out: START lifts it")

    def test_start_to_a_keeps_a_twilio_refusal_of_b(self):
        self.env["sms.sms"].sudo().create(
            {
                "number": MOBILE,
                "body": "x",
                "company_id": self.company_b.id,
                "state": "error",
                "twilio_error_code": 21610,
            }
        )
        self.env["phone.blacklist"].sudo()._add([MOBILE])
        self.receive("START", self.company)
        self.assertTrue(self.blacklisted())


@tagged("post_install", "-at_install")
class TestReplyCompany(DuretTwilioCase):
    """Item 12: a reply is filed only on a contact of its own company, or a shared one."""

    def test_reply_links_only_to_contacts_of_its_company(self):
        company_b = self.env["res.company"].create({"name": "Duret Bâtiment"})
        officer = new_test_user(
            self.env,
            login="officer_i17_12",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_officer",
        )
        reply = (
            self.env["duret.sms.reply"]
            .sudo()
            ._duret_receive(reply_params("Bonjour", sender="+33698765432"), self.company)
        )
        self.assertFalse(reply.partner_id)
        other = self.env["res.partner"].create(
            {"name": "Client de Duret Bâtiment", "company_id": company_b.id}
        )
        refused = (
            self.env["duret.sms.reply"]
            .sudo()
            ._duret_receive(reply_params("Allo", sender="+33698765431"), self.company)
        )
        with self.assertRaisesRegex(ValidationError, "received by"):
            refused.with_user(officer).write({"partner_id": other.id})
        with self.assertRaisesRegex(ValidationError, "received by"):
            self.env["duret.sms.reply"].sudo().create(
                {
                    "number_from": "+33698765432",
                    "intent": "other",
                    "message_sid": "SM" + uuid.uuid4().hex,
                    "company_id": self.company.id,
                    "partner_id": other.id,
                }
            )
        shared = self.env["res.partner"].create({"name": "Client partagé"})
        reply.with_user(officer).write({"partner_id": shared.id})
        self.assertEqual(reply.partner_id, shared)
