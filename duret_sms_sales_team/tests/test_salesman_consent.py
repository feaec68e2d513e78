from odoo.exceptions import AccessError
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

    def test_salesman_records_consent_at_model_level(self):
        # Consent is protected at model level (issue 17): salespeople may set it because this
        # bridge puts them in the SMS Consent group; a contact editor outside it may not.
        salesman = new_test_user(
            self.env,
            login="duret_sales_write",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
        )
        partner = self.env["res.partner"].create({"name": "Client Salon", "mobile": "0611223344"})
        partner.with_user(salesman).write(
            {"duret_sms_consent": True, "duret_sms_consent_source": "form"}
        )
        self.assertTrue(partner.duret_sms_consent)
        self.assertEqual(partner.duret_sms_consent_user_id, salesman)
        editor = new_test_user(
            self.env,
            login="duret_sales_editor",
            groups="base.group_user,base.group_partner_manager",
        )
        other = self.env["res.partner"].create({"name": "Client Comptoir", "mobile": "0611223355"})
        with self.assertRaises(AccessError):
            other.with_user(editor).write(
                {"duret_sms_consent": True, "duret_sms_consent_source": "form"}
            )
        # A withdrawal is open to every employee (wave 2 merge fixes): it only protects the
        # customer, and is recorded with its author.
        partner.with_user(editor).write({"duret_sms_consent": False})
        self.assertFalse(partner.duret_sms_consent)
