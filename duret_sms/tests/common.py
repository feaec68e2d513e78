from freezegun import api as freezegun_api

from odoo.tests.common import TransactionCase

from duret_sms_testing.twilio_simulator import TwilioSimulator

FROM_NUMBER = "+33939000000"
# Duret's defaults, written explicitly so tests do not depend on the database's settings.
# Ready code for HttpCase.browser_js on the customer pages (/rdv, /avis, /sms/optout). Customers
# get no JavaScript, but under tests the pages load Odoo's frontend (for the tours) lazily: the
# check must wait until it is mounted, or the browser closes while it still loads and Odoo logs
# "Can't load service 'localization' because: TypeError: Failed to fetch" after the test.
CUSTOMER_PAGE_READY = (
    "document.readyState === 'complete' && !!(window.odoo && window.odoo.__WOWL_DEBUG__)"
)

DEFAULT_HOURS = {
    "duret_sms_weekday_start": 8,
    "duret_sms_weekday_end": 20,
    "duret_sms_saturday_start": 9,
    "duret_sms_saturday_end": 18,
    "duret_sms_allow_sunday": False,
    "duret_sms_allow_holidays": False,
}
ALL_HOURS = {
    "duret_sms_weekday_start": 0,
    "duret_sms_weekday_end": 24,
    "duret_sms_saturday_start": 0,
    "duret_sms_saturday_end": 24,
    "duret_sms_allow_sunday": True,
    "duret_sms_allow_holidays": True,
}


class DuretTwilioMixin:
    """Start a local Twilio simulator and point a Twilio company at it.

    Callbacks are not automatic: tests post them with ``simulator.deliver()`` in the order
    they want, so that nothing runs behind the test's back.
    """

    def setup_twilio(self, company, all_hours=True):
        """Start a fresh simulator for this test and configure ``company`` for it.

        With ``all_hours`` the sending hours are opened round the clock, so that tests that are
        not about them pass whatever the day and hour CI runs them.
        """
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
        hours = ALL_HOURS if all_hours else DEFAULT_HOURS
        # The booking confirmation (on by default) is tested on its own (test_visit_messages):
        # elsewhere an appointment booked in a test sends only the SMS that test is about.
        company.write(
            dict(
                hours,
                duret_sms_tz="Europe/Paris",
                duret_sms_alsace_moselle=False,
                duret_sms_booking_confirmation=False,
            )
        )

    def assert_clock_independent(self):
        """Fail at once (at any hour) where a step would depend on the wall clock.

        Sending, deferring and reminding read the clock: a step doing so must run under
        ``freeze_time`` or with the sending hours of every Twilio company opened round the
        clock, or the test passes by day and fails at night (issue 11).
        """
        if freezegun_api.freeze_factories:
            return
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("duret_sms_provider", "in", ("twilio", "sandbox"))])
        )
        for company in companies:
            if any(company[field] != value for field, value in ALL_HOURS.items()):
                self.fail(
                    f"{company.name} keeps real sending hours: run this step under freeze_time "
                    "(or open the hours with setup_twilio), or the test depends on the wall clock"
                )

    def run_queue(self):
        self.assert_clock_independent()
        self.env.ref("duret_sms.ir_cron_sms_twilio_queue").sudo().method_direct_trigger()

    def apply_status_reports(self):
        """Run the cron that applies the delivery reports the status webhook recorded (the
        webhook itself only records them)."""
        self.env.ref("duret_sms.ir_cron_sms_status_reports").sudo().method_direct_trigger()
        self.env.invalidate_all()

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

    all_hours = True

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company, all_hours=self.all_hours)
