from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from .common import DuretTwilioCase

MOBILE = "+33612345678"
UNKNOWN = "+33755443322"
REASON_30003 = (
    "The recipient's phone is off or out of coverage (30003): Twilio advises one retry later; "
    "repeated failures mean carrier filtering"
)


@tagged("post_install", "-at_install")
class TestRepliesInbox(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env,
            login="duret_inbox_officer",
            groups="base.group_user,duret_sms.duret_sms_group_officer",
        )

    def make_reply(self, number, partner=None, body="Bonjour, à quelle heure ?"):
        count = self.env["duret.sms.reply"].sudo().search_count([])
        return (
            self.env["duret.sms.reply"]
            .sudo()
            .create(
                {
                    "number_from": number,
                    "body": body,
                    "partner_id": partner.id if partner else False,
                    "intent": "other",
                    "state": "needs_attention",
                    "message_sid": f"SM{count:032d}",
                    "company_id": self.company.id,
                }
            )
            .with_user(self.officer)
        )

    def test_reply_to_a_contact_posts_on_the_contact(self):
        reply = self.make_reply(MOBILE, self.partner)
        self.assertEqual(reply.duret_title, "Camille Martin")
        action = reply.action_duret_reply()
        self.assertEqual(action["res_model"], "sms.composer")
        composer = (
            self.env["sms.composer"].with_context(**action["context"]).create({"body": "À 9h."})
        )
        self.assertEqual(composer.composition_mode, "comment")
        composer.action_send_sms()
        message = self.partner.message_ids[:1]
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual((sms.number, sms.body), (MOBILE, "À 9h."))

    def test_reply_to_an_unknown_number_and_link_a_contact(self):
        first = self.make_reply(UNKNOWN)
        second = self.make_reply(UNKNOWN, body="Vous êtes là ?")
        self.assertEqual(first.duret_title, UNKNOWN)
        action = first.action_duret_reply()
        self.assertEqual(action["context"]["default_composition_mode"], "numbers")
        self.assertEqual(action["context"]["default_numbers"], UNKNOWN)
        contact = self.env["res.partner"].create({"name": "Léa Bernard", "mobile": UNKNOWN})
        first.partner_id = contact
        self.assertEqual(second.partner_id, contact, "the number's other replies follow")
        self.assertEqual(first.duret_title, "Léa Bernard")

    def test_status_bar_starts_with_needs_attention(self):
        selection = self.env["duret.sms.reply"]._fields["state"].selection
        self.assertEqual([key for key, _label in selection], ["needs_attention", "done"])

    def test_menu_shows_how_many_replies_wait(self):
        self.make_reply(UNKNOWN)
        self.make_reply(MOBILE, self.partner)
        self.make_reply(MOBILE, self.partner).action_mark_done()
        waiting = self.env["duret.sms.reply"].search_count([("state", "=", "needs_attention")])
        menu = self.env.ref("duret_sms.duret_sms_reply_menu")
        menus = self.env["ir.ui.menu"].with_user(self.officer).load_menus(False)
        self.assertEqual(menus[menu.id]["name"], f"Replies ({waiting})")
        self.env["duret.sms.reply"].search([("state", "=", "needs_attention")]).action_mark_done()
        menus = self.env["ir.ui.menu"].with_user(self.officer).load_menus(False)
        self.assertEqual(menus[menu.id]["name"], "Replies")


@tagged("post_install", "-at_install")
class TestAppointmentSmsDisplay(DuretTwilioCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.technician = new_test_user(cls.env, login="duret_tech_display", name="Paul Durand")

    def make_event(self, **vals):
        start = fields.Datetime.now() + timedelta(days=2)
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
                    **vals,
                }
            )
        )

    def test_failed_reminder_shows_its_reason_and_team_rows_say_why_no_status(self):
        event = self.make_event()
        sms = self.env["sms.sms"].sudo().create({"number": MOBILE, "body": "Rappel"})
        sms.write(
            {
                "state": "error",
                "failure_type": "sms_not_delivered",
                "twilio_error_code": 30003,
                "duret_failure_reason": REASON_30003,
            }
        )
        customer = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        customer.write(
            {
                "duret_reminder_state": "done",
                "duret_reminder_channel": "sms",
                "duret_reminder_sms_id": sms.id,
            }
        )
        self.assertEqual(event.duret_reminder_status, "failed")
        french = event.with_context(lang="fr_FR")
        self.assertIn("Camille Martin", french.duret_reminder_issue)
        self.assertIn("Le téléphone du destinataire est éteint", french.duret_reminder_issue)
        team_row = french.attendee_ids - customer
        self.assertFalse(team_row.duret_reminder_status)
        self.assertEqual(team_row.duret_reminder_note, "Équipe : pas de rappel client")

    def test_skipped_reminder_reason_in_the_company_language(self):
        self.company.partner_id.lang = "fr_FR"
        nobody = self.env["res.partner"].create({"name": "Sans Contact"})
        event = self.make_event(
            partner_ids=[Command.set((nobody | self.technician.partner_id).ids)]
        )
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == nobody)
        attendee._duret_remind(self.company, fields.Datetime.now())
        self.assertEqual(attendee.duret_reminder_status, "skipped")
        self.assertEqual(
            attendee.duret_reminder_skip_reason, "Ni numéro de mobile ni adresse e-mail."
        )
        self.assertIn("Sans Contact", event.duret_reminder_issue)

    def test_urgent_intervention_has_no_reminder(self):
        event = self.make_event(duret_is_urgent=True)
        self.assertFalse(event.duret_reminder_status)
        with self.assertRaises(UserError):
            event.action_duret_send_reminder()
        self.assertTrue(self.make_event().duret_reminder_status, "a normal appointment has one")


@tagged("post_install", "-at_install")
class TestSmsSettingsTimeZone(TransactionCase):
    def test_short_french_time_zone_list_with_any_other_zone_available(self):
        self.env.company.duret_sms_tz = "Europe/Paris"
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.duret_sms_tz_zone, "Europe/Paris")
        settings.duret_sms_tz_zone = "Indian/Reunion"
        settings._onchange_duret_sms_tz_zone()
        self.assertEqual(settings.duret_sms_tz, "Indian/Reunion")
        settings.execute()
        self.assertEqual(self.env.company.duret_sms_tz, "Indian/Reunion")
        self.env.company.duret_sms_tz = "Europe/Brussels"
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.duret_sms_tz_zone, "other")
        settings.duret_sms_tz = "Europe/Luxembourg"
        settings.execute()
        self.assertEqual(self.env.company.duret_sms_tz, "Europe/Luxembourg")
