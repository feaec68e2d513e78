from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

MOBILE = "+33612345678"


@tagged("post_install", "-at_install")
class TestConsentHistoryTour(HttpCase):
    """The contact's SMS tab in the browser: the consent history and the officer-only lift."""

    def test_sms_tab_shows_the_history(self):
        new_test_user(
            self.env,
            login="duret_tour_consent",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_consent",
        )
        partner = self.env["res.partner"].create(
            {
                "name": "Camille Historique",
                "mobile": "06 12 34 56 78",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        partner._duret_sms_set_consent(True, "form")
        partner._duret_sms_set_consent(False, "phone")
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="Replied STOP")
        self.start_tour(
            f"/web#model=res.partner&id={partner.id}&view_type=form",
            "duret_sms_consent_history",
            login="duret_tour_consent",
        )

    def test_mass_consent_skips_a_contact_who_replied_stop(self):
        """Issue 18 #9: mass consent on a contact who replied STOP warns and skips him, rather
        than recording a consent that contradicts his opt-out."""
        user = new_test_user(
            self.env,
            login="duret_tour_mass_consent",
            groups="base.group_user,base.group_partner_manager,duret_sms.duret_sms_group_consent",
        )
        france = self.env.ref("base.fr").id
        agreed, stopped = self.env["res.partner"].create(
            [
                {"name": "Tour Consent Oui", "mobile": "0611223344", "country_id": france},
                {"name": "Tour Consent Stop", "mobile": "06 12 34 56 78", "country_id": france},
            ]
        )
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="Replied STOP")
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Tour contacts",
                "res_model": "res.partner",
                "view_mode": "list,form",
                "domain": repr([("id", "in", (agreed | stopped).ids)]),
            }
        )
        self.start_tour(
            f"/web#action={action.id}&view_type=list",
            "duret_sms_consent_mass_action",
            login=user.login,
        )
        self.assertTrue(agreed.duret_sms_consent)
        self.assertFalse(stopped.duret_sms_consent)
        events = self.env["duret.sms.consent.event"].sudo().search([("number", "=", MOBILE)])
        self.assertNotIn("grant", events.mapped("kind"), "no consent contradicting the STOP")

    def test_mass_consent_with_only_opted_out_contacts_records_nothing(self):
        partner = self.env["res.partner"].create(
            {"name": "Stop Seul", "mobile": MOBILE, "country_id": self.env.ref("base.fr").id}
        )
        self.env["phone.blacklist"].sudo()._add([MOBILE], message="Replied STOP")
        wizard = self.env["duret.sms.consent.wizard"].create(
            {"partner_ids": [(6, 0, partner.ids)], "consent": "given", "source": "form"}
        )
        self.assertEqual(wizard.optout_partner_ids, partner)
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertFalse(partner.duret_sms_consent)
        # Withdrawing consent is never contradictory: nobody is skipped.
        wizard.consent = "withdrawn"
        self.assertFalse(wizard.optout_partner_ids)
