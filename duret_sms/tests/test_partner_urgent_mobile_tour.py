from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPartnerUrgentMobileTour(HttpCase):
    """Issue 17: the SMS tab of a contact shows officers the staff flag and the Urgent SMS
    Mobile, and saves it, in the browser."""

    def test_officer_registers_an_urgent_mobile(self):
        technician = new_test_user(self.env, login="tech_tour_i17", name="Paul Tour")
        partner = technician.partner_id
        partner.country_id = self.env.ref("base.fr")
        self.start_tour(
            f"/web#model=res.partner&id={partner.id}&view_type=form",
            "duret_sms_partner_urgent_mobile",
            login="admin",
        )
        partner.invalidate_recordset()
        self.assertEqual(partner.duret_sms_urgent_mobile, "06 99 88 77 66")
        self.assertEqual(partner._duret_urgent_number(), "+33699887766")
