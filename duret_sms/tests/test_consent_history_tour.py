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
