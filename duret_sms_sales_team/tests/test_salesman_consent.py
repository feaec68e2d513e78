from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSalesmanConsent(TransactionCase):
    def test_salesman_sees_the_sms_tab(self):
        salesman = new_test_user(
            self.env, login="duret_sales_tab", groups="sales_team.group_sale_salesman"
        )
        self.assertTrue(salesman.has_group("duret_sms.duret_sms_group_consent"))
        arch = (
            self.env["res.partner"]
            .with_user(salesman)
            .get_view(self.env.ref("base.view_partner_form").id)["arch"]
        )
        self.assertIn('name="duret_sms"', arch)
        plain = new_test_user(self.env, login="duret_plain_tab", groups="base.group_user")
        self.assertFalse(plain.has_group("duret_sms.duret_sms_group_consent"))
