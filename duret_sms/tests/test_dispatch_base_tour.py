"""Issue 17, item 18: the dispatch base is set on the user form by the office, and only the
office (officers, administrators) reads it."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDispatchBaseTour(HttpCase):
    def test_admin_sets_a_technician_base_on_the_user_form(self):
        technician = self.env["res.users"].create(
            {
                "name": "Paul Base",
                "login": "paul.base.tour",
                "groups_id": [
                    Command.set([self.env.ref("duret_sms.duret_sms_group_technician").id])
                ],
            }
        )
        self.start_tour(
            f"/web#action=base.action_res_users&model=res.users&id={technician.id}&view_type=form",
            "duret_sms_dispatch_base",
            login="admin",
        )
        self.assertEqual(technician.duret_base_address, "12 rue de l'Industrie, 69100 Villeurbanne")
        self.assertAlmostEqual(technician.duret_base_latitude, 45.77)
        self.assertAlmostEqual(technician.duret_base_longitude, 4.88)

    def test_settings_say_what_goes_to_the_geocoder(self):
        self.start_tour(
            "/web#action=base_setup.action_general_configuration",
            "duret_sms_dispatch_geocoder_settings",
            login="admin",
        )

    def test_colleagues_do_not_read_a_technician_base(self):
        technician = self.env["res.users"].create(
            {
                "name": "Paul Secret",
                "login": "paul.secret.base",
                "duret_base_latitude": 45.77,
                "duret_base_longitude": 4.88,
                "groups_id": [
                    Command.set([self.env.ref("duret_sms.duret_sms_group_technician").id])
                ],
            }
        )
        colleague = self.env["res.users"].create(
            {
                "name": "Colleague",
                "login": "colleague.base",
                "groups_id": [Command.set([self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            technician.with_user(colleague).read(["duret_base_latitude"])
        with self.assertRaises(AccessError):
            technician.with_user(technician).read(["duret_base_longitude"])
