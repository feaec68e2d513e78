from odoo.tests.common import TransactionCase

from odoo.addons.duret_sms.core.twilio_simulator import TwilioSimulator

FROM_NUMBER = "+33939000000"


class DuretTwilioMixin:
    """Start a local Twilio simulator and point a Twilio company at it.

    Callbacks are not automatic: tests post them with ``simulator.deliver()`` in the order
    they want, so that nothing runs behind the test's back.
    """

    def setup_twilio(self, company):
        """Start a fresh simulator for this test and configure ``company`` for it."""
        self.simulator = TwilioSimulator(auto_callbacks=False)
        self.simulator.start()
        self.addCleanup(self.simulator.stop)
        icp_sudo = self.env["ir.config_parameter"].sudo()
        icp_sudo.set_param("duret_sms.twilio_api_url", self.simulator.base_url)
        company.write(
            {
                "duret_sms_provider": "twilio",
                "twilio_account_sid": self.simulator.account_sid,
                "twilio_auth_token": self.simulator.auth_token,
                "twilio_from_number": FROM_NUMBER,
            }
        )

    def run_queue(self):
        self.env.ref("duret_sms.ir_cron_sms_twilio_queue").sudo().method_direct_trigger()

    def sim_messages_to(self, number):
        return [m for m in self.simulator.messages.values() if m["to"] == number]


class DuretTwilioCase(DuretTwilioMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.fr")
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Camille Martin",
                "mobile": "06 12 34 56 78",
                "country_id": cls.env.ref("base.fr").id,
            }
        )

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company)
