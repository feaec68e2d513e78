"""Issue 17 #1: staff-written SMS texts never run code, least of all as superuser.

SMS Officers edit the wording of every text; webhooks and crons render those texts as
superuser. A placeholder such as ``{{ object.env.ref('base.group_system').sudo().write(...) }}``
written by an officer and rendered by the AIDE answer made the officer an administrator.
"""

import importlib.util
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import file_path, mute_logger

from .common import FROM_NUMBER, DuretTwilioCase
from .test_reminders import paris
from .test_sms_templates import TEXTS

MOBILE = "+33612345678"
TECH_MOBILE = "+33699887766"


def attacks(officer):
    """What a malicious officer writes: become administrator, or read the Auth Token."""
    return [
        "Aide {{ object.env.ref('base.group_system').sudo().write({'users': [(4, "
        + str(officer.id)
        + ")]}) }}",
        "Aide {{ object.env.company.twilio_auth_token }}",
        "Aide {{ object.env['res.company'].sudo().search([]).mapped('twilio_auth_token') }}",
    ]


@tagged("post_install", "-at_install")
class TestTemplatePlaceholders(DuretTwilioCase):
    _sid = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"phone": "04 72 00 00 00"})
        cls.officer = new_test_user(
            cls.env,
            login="duret_officer_attack",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )
        cls.technician = cls.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.placeholders",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set([cls.env.ref("base.group_user").id])],
                "duret_sms_briefing": True,
            }
        )
        cls.technician.partner_id.mobile = "06 99 88 77 66"
        cls.partner.write({"street": "12 rue des Lilas", "zip": "69003", "city": "Lyon"})

    # ------------------------------------------------------------------
    # helpers

    def receive(self, body):
        TestTemplatePlaceholders._sid += 1
        params = {
            "MessageSid": f"SM{TestTemplatePlaceholders._sid:032d}",
            "From": MOBILE,
            "To": FROM_NUMBER,
            "Body": body,
        }
        return self.env["duret.sms.reply"].sudo()._duret_receive(params, self.company)

    def make_event(self, start):
        return (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Dépannage",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": self.technician.id,
                    "partner_ids": [Command.set((self.partner | self.technician.partner_id).ids)],
                }
            )
        )

    def customer_attendee(self, event):
        return event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)

    def setUp(self):
        super().setUp()
        last = self.env["sms.sms"].sudo().search([], order="id desc", limit=1)
        self.first_sms_id = last.id + 1

    def all_sms(self):
        return self.env["sms.sms"].sudo().search([("id", ">=", self.first_sms_id)], order="id")

    def officer_tries(self, xmlid, payload):
        """The officer saves ``payload`` in template ``xmlid``; True when it was refused."""
        template = self.env.ref(xmlid).with_user(self.officer)
        try:
            template.body = payload
        except UserError:
            return True
        return False

    def stored_before_the_fix(self, xmlid, payload):
        """``payload`` as an officer could save it before the write-time check existed."""
        self.env.ref(xmlid).sudo().write({"body": payload, "duret_restricted": True})

    def assert_no_harm(self):
        self.env.invalidate_all()
        self.assertFalse(
            self.officer.has_group("base.group_system"), "the officer became administrator"
        )
        token = self.company.sudo().twilio_auth_token
        for sms in self.all_sms():
            self.assertNotIn(token, sms.body or "", "the Auth Token left by SMS")
            self.assertNotIn("True", sms.body or "", "staff code ran: " + (sms.body or ""))

    def run_path(self, xmlid, trigger):
        """Every attack on template ``xmlid``: refused when saved, and harmless when it was
        stored anyway (older database); ``trigger`` renders the template."""
        for payload in attacks(self.officer):
            for store in (self.officer_tries, self.stored_before_the_fix):
                with self.subTest(xmlid=xmlid, payload=payload, store=store.__name__):
                    with mute_logger(
                        "odoo.addons.duret_sms.models.sms_template",
                        "odoo.addons.mail.models.mail_render_mixin",
                    ):
                        store(xmlid, payload)
                        trigger()
                    self.assert_no_harm()

    # ------------------------------------------------------------------
    # write time

    def test_officer_is_told_which_placeholder_is_refused(self):
        template = self.env.ref("duret_sms.sms_template_reply_help").with_user(self.officer)
        before = template.body
        for payload, words in (
            ("{{ object.env.ref('base.group_system') }}", "object.env"),
            ("{{ object.company_id.twilio_auth_token }}", "twilio_auth_token"),
            ("{{ format_date(object.create_date) }}", "format_date"),
            ("{{ user.name }}", "user"),
            ("{{ object.company_id.__class__ }}", "__class__"),
            ("{{ ('%.2f' % 1) }}", "refused"),
            ("{{ object.name[0] }}", "refused"),
        ):
            with self.subTest(payload=payload), self.assertRaises(UserError) as caught:
                template.body = payload
            self.assertIn("refused", str(caught.exception))
            self.assertIn(words, str(caught.exception))
        self.assertEqual(template.body, before)

    def test_officer_edits_wording_and_field_placeholders(self):
        template = self.env.ref("duret_sms.sms_template_reply_help").with_user(self.officer)
        template.body = (
            "{{ object.company_id.name }} : appelez le {{ object.company_id.phone or '' }}"
            "{{ object.partner_id and (', ' + object.partner_id.name) or '' }}."
        )
        self.assertTrue(template.sudo().duret_restricted)
        self.receive("AIDE")
        self.assertEqual(
            self.all_sms().body, f"{self.company.name} : appelez le 04 72 00 00 00, Camille Martin."
        )
        # translations an officer writes are checked too
        self.env["res.lang"]._activate_lang("fr_FR")
        with self.assertRaises(UserError):
            template.with_context(lang="fr_FR").body = "{{ object.env.user.name }}"

    def test_officer_cannot_unflag_a_template(self):
        template = self.env.ref("duret_sms.sms_template_reply_help")
        template.with_user(self.officer).write({"body": "Bonjour", "duret_restricted": False})
        self.assertTrue(template.duret_restricted)

    def test_administrator_writes_code_for_odoo_renders_not_for_ours(self):
        """Choice: an administrator's template renders with Odoo's full engine where Odoo
        renders it (chatter SMS, composer) — as in Odoo; our own texts, rendered by webhooks
        and crons, never run code whoever wrote them (the built-in text goes instead)."""
        admin = self.env.ref("base.user_admin")
        template = self.env.ref("duret_sms.sms_template_reply_help").with_user(admin)
        template.body = "{{ object.company_id.name.upper() }}"
        self.assertFalse(template.duret_restricted)
        reply = self.receive("bonjour")
        rendered = template._render_field("body", reply.ids)
        # Odoo's engine runs the administrator's code where Odoo renders
        self.assertEqual(rendered[reply.id], self.company.name.upper())
        with self.assertLogs("odoo.addons.duret_sms.models.sms_template", "WARNING"):
            self.receive("AIDE")
        self.assertIn("pour toute question", self.all_sms()[-1].body)

    # ------------------------------------------------------------------
    # every render path

    def test_help_answer(self):
        self.run_path("duret_sms.sms_template_reply_help", lambda: self.receive("AIDE"))

    def test_stop_and_start_answers(self):
        self.run_path("duret_sms.sms_template_reply_opted_out", lambda: self.receive("STOP"))
        self.run_path("duret_sms.sms_template_reply_opted_in", lambda: self.receive("START"))

    def test_cancel_answer_and_technician_alert(self):
        self.company.duret_sms_cancel_alert = True

        def cancel():
            event = self.make_event(fields.Datetime.now() + timedelta(days=2))
            self.customer_attendee(event).duret_reminder_sent_at = fields.Datetime.now()
            self.receive("ANNULE")
            self.assertFalse(event.active and self.customer_attendee(event).state != "declined")

        self.run_path("duret_sms.sms_template_reply_cancelled", cancel)
        self.run_path("duret_sms.sms_template_technician_cancel_alert", cancel)

    def test_rdv_cancel_page(self):
        """The /rdv cancel POST calls _duret_customer_cancel('web') as the public user."""
        self.company.duret_sms_cancel_alert = True

        def cancel():
            event = self.make_event(fields.Datetime.now() + timedelta(days=2))
            self.customer_attendee(event).sudo()._duret_customer_cancel("web")

        self.run_path("duret_sms.sms_template_technician_cancel_alert", cancel)

    def test_reminder_cron(self):
        def remind():
            with freeze_time(paris(date(2026, 6, 9), 18, 10)):
                self.make_event(paris(date(2026, 6, 10), 9))
                self.env["calendar.event"]._cron_duret_appointment_reminder()

        self.run_path("duret_sms.sms_template_appointment_reminder", remind)
        self.company.duret_sms_reminder_template_id = self.env.ref(
            "duret_sms.sms_template_appointment_reminder_full"
        )
        self.run_path("duret_sms.sms_template_appointment_reminder_full", remind)

    def test_briefing_and_dispatch(self):
        def brief():
            with freeze_time(paris(date(2026, 6, 9), 18)):
                self.make_event(paris(date(2026, 6, 10), 9))
                self.technician._duret_send_briefing(self.company, date(2026, 6, 10))

        self.run_path("duret_sms.sms_template_technician_briefing", brief)

        def dispatch():
            wizard = self.env["duret.sms.dispatch.wizard"].create(
                {"partner_id": self.partner.id, "description": "Panne"}
            )
            self.env["sms.sms"].sudo().create(
                {"number": TECH_MOBILE, "body": wizard._duret_sms_body(), "state": "canceled"}
            )

        self.run_path("duret_sms.sms_template_urgent_dispatch", dispatch)

    def test_chatter_sms_with_an_officer_template(self):
        """Odoo's own path (chatter, bridges): a template an officer edited renders fields
        only, even when the sending runs as superuser."""
        template = self.env["sms.template"].create(
            {
                "name": "Chatter",
                "model_id": self.env["ir.model"]._get("res.partner").id,
                "body": "Bonjour",
            }
        )
        for payload in attacks(self.officer):
            with self.subTest(payload=payload):
                self.assertTrue(self._officer_writes(template, payload))
                template.sudo().write({"body": payload, "duret_restricted": True})
                with mute_logger("odoo.addons.duret_sms.models.mail_thread"):
                    self.partner._message_sms_with_template(
                        template=template,
                        template_fallback="Bonjour {{ object.name }}",
                        partner_ids=self.partner.ids,
                    )
                self.assert_no_harm()

    def _officer_writes(self, template, payload):
        try:
            template.with_user(self.officer).body = payload
        except UserError:
            return True
        return False

    # ------------------------------------------------------------------
    # the e-mail reminder (mail.template)

    def email_reminder(self):
        """Remind a customer without mobile: the e-mail reminder goes (cron, superuser)."""
        self.partner.write({"mobile": False, "phone": False, "email": "camille@example.com"})
        with freeze_time(paris(date(2026, 6, 9), 18, 10)):
            event = self.make_event(paris(date(2026, 6, 10), 9))
            self.env["calendar.event"]._cron_duret_appointment_reminder()
        return self.customer_attendee(event)

    def test_email_reminder_officer_wording(self):
        template = self.env.ref("duret_sms.mail_template_appointment_reminder")
        officer_template = template.with_user(self.officer)
        for field, payload in (
            ("subject", "RDV {{ object.env.ref('base.group_system').sudo().write({}) }}"),
            ("subject", "RDV {{ object.duret_rdv_company_id.twilio_auth_token }}"),
            ("body_html", '<p t-out="object.env.company.twilio_auth_token"/>'),
            ("body_html", '<p t-call="mail.mail_notification_light"/>'),
            ("body_html", '<p t-attf-title="{{ object.env.user.name }}"/>'),
        ):
            with self.subTest(payload=payload), self.assertRaises(UserError) as caught:
                officer_template.write({field: payload})
            self.assertIn("refused", str(caught.exception))
        officer_template.write(
            {
                "subject": "Votre RDV du {{ object.duret_rdv_when }}",
                "body_html": "<p>Bonjour <t t-out=\"object.partner_id.name or ''\"/> !</p>",
            }
        )
        self.assertTrue(template.duret_restricted)
        attendee = self.email_reminder()
        self.assertEqual(attendee.duret_reminder_channel, "email")
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "calendar.attendee"), ("res_id", "=", attendee.id)])
        )
        self.assertIn("Votre RDV du", mail.subject)
        self.assertIn("Bonjour Camille Martin !", str(mail.body_html))

    def test_email_reminder_stored_code_never_runs(self):
        template = self.env.ref("duret_sms.mail_template_appointment_reminder")
        grant = (
            "{{ object.env.ref('base.group_system').sudo().write({'users': [(4, "
            + str(self.officer.id)
            + ")]}) }}"
        )
        # as an officer could save it before the check (Odoo lets internal users edit it)
        template.sudo().write({"subject": "RDV " + grant, "duret_restricted": True})
        with mute_logger("odoo.addons.duret_sms.models.mail_template"):
            attendee = self.email_reminder()
        self.assert_no_harm()
        self.assertEqual(attendee.duret_reminder_state, "skipped")
        self.assertIn("administrator", attendee.duret_reminder_skip_reason)

    def test_upgrade_flags_templates_staff_changed(self):
        path = file_path("duret_sms/migrations/17.0.1.2.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("duret_sms_post_migrate_1_2", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        edited = self.env.ref("duret_sms.sms_template_reply_help")
        edited.with_user(self.officer).body = "Bonjour"
        email = self.env.ref("duret_sms.mail_template_appointment_reminder")
        email.with_user(self.officer).subject = "Rappel"
        # as before the upgrade: the column is new
        self.env.cr.execute("UPDATE sms_template SET duret_restricted = FALSE")
        self.env.cr.execute("UPDATE mail_template SET duret_restricted = FALSE")
        self.env.invalidate_all()
        migration.migrate(self.env.cr, "17.0.1.1.0")
        self.assertTrue(edited.duret_restricted)
        self.assertTrue(email.duret_restricted)
        self.assertFalse(self.env.ref("duret_sms.sms_template_reply_opted_out").duret_restricted)

    # ------------------------------------------------------------------
    # the default texts render as before

    def test_defaults_pass_the_check_and_render_as_with_odoo(self):
        with freeze_time(paris(date(2026, 6, 9), 18)):
            event = self.make_event(paris(date(2026, 6, 10), 9))
        attendee = self.customer_attendee(event)
        reply = self.receive("bonjour")
        samples = {
            "calendar.attendee": attendee,
            "duret.sms.reply": reply,
            "res.users": self.technician,
            "duret.sms.dispatch.wizard": self.env["duret.sms.dispatch.wizard"].create(
                {"partner_id": self.partner.id, "description": "Panne"}
            ),
        }
        context = {
            "company_name": "Duret",
            "day": "mercredi 10/06",
            "lines": "9h00 - Camille Martin",
            "customer": "Camille Martin",
            "address": "",
            "phone": "+33612345678",
            "problem": "Panne",
        }
        for xmlid in [*TEXTS, "duret_sms.sms_template_appointment_reminder_full"]:
            template = self.env.ref(xmlid)
            with self.subTest(xmlid=xmlid):
                template._duret_check_placeholders()  # what an officer saving it goes through
                record = samples.get(template.model) or self.env[template.model].search([], limit=1)
                odoo = template._render_field("body", record.ids, add_context=context)
                ours = template.with_context(duret_restricted_render=True)._render_field(
                    "body", record.ids, add_context=context
                )
                self.assertEqual(ours, odoo)
                self.assertTrue(ours[record.id].strip())

    # The text typed in the SMS composer is rendered per recipient in mass mode (the action
    # "Send SMS" on a list): it is a template too.

    def _mass_composer(self, user, body):
        partner = self.env["res.partner"].create({"name": "Léa Petit", "mobile": "06 11 22 33 44"})
        composer = (
            self.env["sms.composer"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=partner.ids)
            .create(
                {
                    "composition_mode": "mass",
                    "res_model": "res.partner",
                    "res_ids": repr(partner.ids),
                    "body": body,
                }
            )
        )
        return composer, partner

    def _sms_to(self, partner):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)])

    def test_mass_composer_text_of_an_employee_only_reads_fields(self):
        employee = new_test_user(
            self.env, login="duret_employee_composer", groups="base.group_user"
        )
        self.assertTrue(employee.has_group("mail.group_mail_template_editor"))  # Odoo's default
        token = self.company.sudo().twilio_auth_token
        for body in [
            *attacks(employee),
            "Aide {{ object.env.company.sudo().twilio_auth_token }}",
            "Aide {{ object.company_id.twilio_auth_token }}",
        ]:
            with self.subTest(body=body):
                composer, partner = self._mass_composer(employee, body)
                with self.assertRaisesRegex(UserError, "is refused"):
                    composer.action_send_sms()
                self.assertFalse(self._sms_to(partner))
        self.env.invalidate_all()
        self.assertFalse(employee.has_group("base.group_system"))
        composer, partner = self._mass_composer(employee, "Bonjour {{ object.name }}")
        composer.action_send_sms()
        (sms,) = self._sms_to(partner)
        self.assertEqual(sms.body, "Bonjour Léa Petit")
        self.assertNotIn(token, sms.body)

    def test_mass_composer_text_of_an_administrator_keeps_odoos_placeholders(self):
        admin = new_test_user(
            self.env, login="duret_admin_composer", groups="base.group_user,base.group_system"
        )
        composer, partner = self._mass_composer(admin, "Bonjour {{ object.name.upper() }}")
        composer.action_send_sms()
        self.assertEqual(self._sms_to(partner).body, "Bonjour LÉA PETIT")
