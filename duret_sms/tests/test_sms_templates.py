from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import FROM_NUMBER, DuretTwilioCase
from .test_reminders import paris

MOBILE = "+33612345678"
TEXTS = [
    "duret_sms.sms_template_appointment_reminder",
    "duret_sms.sms_template_appointment_moved",
    "duret_sms.sms_template_reply_opted_out",
    "duret_sms.sms_template_reply_opted_in",
    "duret_sms.sms_template_reply_help",
    "duret_sms.sms_template_reply_cancelled",
    "duret_sms.sms_template_technician_cancel_alert",
    "duret_sms.sms_template_technician_briefing",
    "duret_sms.sms_template_urgent_dispatch",
]


@tagged("post_install", "-at_install")
class TestSmsTemplates(DuretTwilioCase):
    """Every text customers and staff get is an SMS template the office can edit."""

    _sid = 0

    def receive(self, body):
        TestSmsTemplates._sid += 1
        params = {
            "MessageSid": f"SM{TestSmsTemplates._sid:032d}",
            "From": MOBILE,
            "To": FROM_NUMBER,
            "Body": body,
        }
        return self.env["duret.sms.reply"].sudo()._duret_receive(params, self.company)

    def sms_to(self, number):
        return self.env["sms.sms"].sudo().search([("number", "=", number)], order="id")

    def test_every_text_is_a_french_noupdate_template(self):
        for xmlid in TEXTS:
            template = self.env.ref(xmlid)
            self.assertEqual(template._name, "sms.template", xmlid)
            data = self.env["ir.model.data"].search(
                [("module", "=", "duret_sms"), ("name", "=", xmlid.split(".")[1])]
            )
            self.assertTrue(data.noupdate, f"{xmlid} must be noupdate (staff edit it)")
        self.assertEqual(
            self.env.ref("duret_sms.sms_template_technician_cancel_alert").duret_category,
            "internal_urgent",
        )

    def test_sms_officer_edits_templates_from_the_sms_menu(self):
        officer = new_test_user(
            self.env,
            login="duret_officer_tpl",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )
        template = self.env.ref("duret_sms.sms_template_reply_help").with_user(officer)
        template.body = "{{ object.company_id.name }} : appelez-nous."
        self.assertEqual(template.body, "{{ object.company_id.name }} : appelez-nous.")
        menu = self.env.ref("duret_sms.sms_template_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(officer)._visible_menu_ids())

    def test_edited_template_is_what_the_customer_gets(self):
        self.env.ref(
            "duret_sms.sms_template_reply_opted_out"
        ).body = "{{ object.company_id.name }} : c'est noté, plus aucun SMS."
        self.receive("STOP")
        self.assertEqual(
            self.sms_to(MOBILE).body, f"{self.company.name} : c'est noté, plus aucun SMS."
        )

    @mute_logger("odoo.addons.mail.models.mail_render_mixin")
    def test_broken_template_falls_back_and_logs(self):
        self.env.ref("duret_sms.sms_template_reply_opted_out").body = "{{ object.nope() }}"
        with self.assertLogs("odoo.addons.duret_sms.models.sms_template", "WARNING") as logs:
            reply = self.receive("STOP")
        self.assertIn("sms_template_reply_opted_out", logs.output[0])
        self.assertEqual(reply.action_taken, "opted_out")
        self.assertIn("vous ne recevrez plus de SMS", self.sms_to(MOBILE).body)

    def test_deleted_or_empty_template_falls_back(self):
        self.env.ref("duret_sms.sms_template_reply_help").unlink()
        self.env.ref("duret_sms.sms_template_reply_opted_in").body = "{{ '' }}"
        with self.assertLogs("odoo.addons.duret_sms.models.sms_template", "WARNING"):
            self.receive("AIDE")
            self.receive("START")
        help_sms, start_sms = self.sms_to(MOBILE)
        self.assertIn("pour toute question", help_sms.body)
        self.assertIn("vous recevrez à nouveau nos SMS", start_sms.body)

    @mute_logger("odoo.addons.mail.models.mail_render_mixin")
    def test_chatter_template_broken_uses_fallback(self):
        template = self.env["sms.template"].create(
            {
                "name": "Broken",
                "model_id": self.env["ir.model"]._get("res.partner").id,
                "body": "{{ object.nope }}",
            }
        )
        with self.assertLogs("odoo.addons.duret_sms.models.mail_thread", "WARNING"):
            message = self.partner._message_sms_with_template(
                template=template,
                template_fallback="Bonjour {{ object.name }}",
                partner_ids=self.partner.ids,
            )
        self.assertEqual(message.body, "<p>Bonjour Camille Martin</p>")
        with self.assertLogs("odoo.addons.duret_sms.models.mail_thread", "ERROR"):
            nothing = self.partner._message_sms_with_template(
                template=template, partner_ids=self.partner.ids
            )
        self.assertFalse(nothing)

    def test_technician_texts_come_from_templates(self):
        technician = self.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.tpl",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref("base.group_user").id])],
                "duret_sms_briefing": True,
            }
        )
        technician.partner_id.mobile = "06 99 88 77 66"
        self.env.ref(
            "duret_sms.sms_template_technician_briefing"
        ).body = "Planning {{ day }} ({{ company_name }})\n{{ lines }}"
        self.env.ref(
            "duret_sms.sms_template_technician_cancel_alert"
        ).body = "Annulé : {{ object.duret_rdv_customer }}"
        start = paris(date(2026, 6, 10), 9)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": technician.id,
                    "partner_ids": [Command.set((self.partner | technician.partner_id).ids)],
                }
            )
        )
        with freeze_time(paris(date(2026, 6, 9), 18)):
            technician._duret_send_briefing(self.company, date(2026, 6, 10))
            self.company.duret_sms_cancel_alert = True
            attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
            attendee._duret_customer_cancel("web")
        briefing, alert = self.sms_to("+33699887766")
        self.assertTrue(briefing.body.startswith("Planning mercredi 10/06 ("), briefing.body)
        self.assertIn("9h00 - Camille Martin", briefing.body)
        self.assertEqual(alert.body, "Annulé : Camille Martin")

    def test_template_form_counts_segments_on_a_real_record(self):
        template = self.env.ref("duret_sms.sms_template_reply_opted_out")
        self.receive("STOP")
        self.assertIn("1 SMS (standard)", template.duret_estimate)
        self.assertIn("for ", template.duret_estimate)
        template.body = "Votre équipe vous répond : ça marche ✅"
        self.assertIn("Unicode because of: ç ✅", template.duret_estimate)

    def test_template_edited_in_french_is_sent(self):
        """Office staff edit in French: that is the text customers get, whoever sends it."""
        self.env["res.lang"]._activate_lang("fr_FR")
        template = self.env.ref("duret_sms.sms_template_reply_opted_out")
        template.with_context(lang="fr_FR").body = "{{ object.company_id.name }} : c'est noté."
        self.assertNotIn("noté", template.with_context(lang="en_US").body)
        self.receive("STOP")  # the webhook runs in English
        self.assertEqual(self.sms_to(MOBILE).body, f"{self.company.name} : c'est noté.")
