"""duret_sms on Odoo 17.0's newer ``sms`` module (builds since September 2025).

Those builds carry Odoo's own ``sms_twilio`` and a reworked ``sms.sms.send()``: it splits the
SMS by provider (``_split_by_api()`` yields ``(sms_api, records)``), then calls ``_send()``
per batch with ``sms_api`` in the context, and ``_send()`` hands the batch to that API
(``SmsApiBase._send_sms_batch``). The 17.0 tree the tests run on has the older ``send()``;
these tests put the newer flow in its place (the same loop, an API object per company as
``sms_twilio`` does) and check that duret_sms keeps its promises on it.
"""

from collections import defaultdict
from unittest.mock import patch

from odoo import tools
from odoo.tests import tagged

from odoo.addons.sms.models.sms_sms import SmsSms as BaseSmsSms

from .common import DuretTwilioCase

OTHER_MOBILE = "+33611111111"
MOBILE = "+33612345678"


class FakeApi:
    """Stands for ``SmsApi`` (IAP) or ``sms_twilio``'s ``SmsApiTwilio``: records its batches."""

    PROVIDER_TO_SMS_FAILURE_TYPE = {"server_error": "sms_server"}

    def __init__(self, name, calls):
        self.name = name
        self.calls = calls

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        self.calls.append((self.name, messages))
        return [
            {"uuid": number["uuid"], "state": "success"}
            for message in messages
            for number in message["numbers"]
        ]


def newer_send(self, unlink_failed=False, unlink_sent=True, auto_commit=False,
               raise_exception=False):  # fmt: skip
    """``sms.sms.send()`` of the newer 17.0 ``sms`` module (auto_commit left out: tests)."""
    to_send = self.filtered(lambda sms: sms.state == "outgoing" and not sms.to_delete)
    for sms_api, sms in to_send._split_by_api():
        for batch_ids in sms._split_batch():
            self.env["sms.sms"].browse(batch_ids).with_context(sms_api=sms_api)._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )


def newer_base_send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
    """The newer ``sms.sms._send()``: hand the batch to ``sms_api`` from the context."""
    sms_api = self.env.context["sms_api"]  # always set by newer_send
    messages = [
        {"content": body, "numbers": [{"number": s.number, "uuid": s.uuid} for s in records]}
        for body, records in self.grouped("body").items()
    ]
    results = sms_api._send_sms_batch(messages, delivery_reports_url="/sms/status")
    for result in results:
        sms = self.filtered(lambda s, uuid=result["uuid"]: s.uuid == uuid)
        sms.write({"state": "pending", "failure_type": False, "to_delete": unlink_sent})


@tagged("post_install", "-at_install")
class TestNewerSmsModule(DuretTwilioCase):
    """The main company sends through duret_sms (Twilio); a second one does not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create(
            {"name": "Filiale", "country_id": cls.env.ref("base.fr").id}
        )

    def setUp(self):
        super().setUp()
        self.calls = []
        # Companies whose Odoo sms_twilio is configured (res.company.sms_provider == "twilio").
        self.odoo_twilio_companies = self.env["res.company"]
        test = self

        def split_by_api(records):
            # sms_twilio's override: one API per company, Odoo's Twilio where configured
            by_company = defaultdict(lambda: records.browse())
            for sms in records:
                by_company[sms.mail_message_id.record_company_id or sms.company_id] += sms
            for company, company_sms in by_company.items():
                odoo_twilio = company in test.odoo_twilio_companies
                yield FakeApi("odoo_twilio" if odoo_twilio else "iap", test.calls), company_sms

        def split_batch(records):
            yield from tools.split_every(500, records.ids)

        for name, method in (
            ("send", newer_send),
            ("_send", newer_base_send),
            ("_split_by_api", split_by_api),
            ("_split_batch", split_batch),
        ):
            patcher = patch.object(BaseSmsSms, name, method, create=True)
            patcher.start()
            self.addCleanup(patcher.stop)

    def _sms(self, company, number, body="Bonjour"):
        return (
            self.env["sms.sms"]
            .sudo()
            .create({"number": number, "body": body, "company_id": company.id})
        )

    def test_own_provider_sms_are_queued_and_handed_over_by_duret_sms(self):
        ours = self._sms(self.company, MOBILE)
        theirs = self._sms(self.other_company, OTHER_MOBILE)
        (ours | theirs).send()
        self.assertEqual(ours.state, "outgoing", "queued for duret_sms's runner")
        self.assertEqual(theirs.state, "pending", "sent by the provider Odoo chose")
        self.assertEqual([(name, len(m)) for name, m in self.calls], [("iap", 1)])
        self.assertEqual(self.calls[0][1][0]["numbers"][0]["number"], OTHER_MOBILE)
        self.run_queue()
        self.assertEqual(ours.state, "process", "handed over to Twilio")
        self.assertTrue(ours.twilio_sid)
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)
        self.assertFalse(self.sim_messages_to(OTHER_MOBILE))

    def test_duret_sms_sends_when_both_twilio_modules_are_configured(self):
        self.odoo_twilio_companies = self.company | self.other_company
        ours = self._sms(self.company, MOBILE)
        theirs = self._sms(self.other_company, OTHER_MOBILE)
        (ours | theirs).send()
        self.assertEqual([name for name, _messages in self.calls], ["odoo_twilio"])
        self.assertEqual(self.calls[0][1][0]["numbers"][0]["number"], OTHER_MOBILE)
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1, "once, by duret_sms")
        self.assertFalse(any(MOBILE in str(messages) for _name, messages in self.calls))

    def test_chatter_sms_of_a_record_goes_through_its_company(self):
        partner = self.env["res.partner"].create(
            {"name": "Client filiale", "mobile": OTHER_MOBILE, "company_id": self.other_company.id}
        )
        partner._message_sms("Bonjour", partner_ids=partner.ids)
        self.partner._message_sms("Bonjour", partner_ids=self.partner.ids)
        self.assertEqual([name for name, _messages in self.calls], ["iap"])
        self.assertEqual(self.calls[0][1][0]["numbers"][0]["number"], OTHER_MOBILE)
        self.run_queue()
        self.assertEqual(len(self.sim_messages_to(MOBILE)), 1)


@tagged("post_install", "-at_install")
class TestNoClashWithOdooSmsTwilio(DuretTwilioCase):
    """Names Odoo's own ``sms_twilio`` (17.0 builds since September 2025, 18.0) defines, read
    from its source: duret_sms must define none of them, so both install side by side."""

    SMS_TWILIO_FIELDS = {
        "res.company": {"sms_provider", "sms_twilio_account_sid", "sms_twilio_auth_token",
                        "sms_twilio_number_ids", "sms_twilio_config_id"},
        "sms.sms": {"sms_twilio_sid", "record_company_id"},
        "sms.tracker": {"sms_twilio_sid"},
        "res.config.settings": {"sms_provider", "sms_twilio_account_sid",
                                "sms_twilio_auth_token"},
    }  # fmt: skip
    SMS_TWILIO_FAILURE_TYPES = {
        "twilio_authentication",
        "twilio_callback",
        "twilio_from_missing",
        "twilio_from_to",
        "twilio_wrong_credentials",
    }
    SMS_TWILIO_MODELS = {"sms.twilio.number", "sms.twilio.account.manage", "sms_twilio.config"}

    def _duret_fields(self, model):
        """Fields of ``model`` that duret_sms defines (from their XML ids)."""
        data = self.env["ir.model.data"].search(
            [("model", "=", "ir.model.fields"), ("module", "=like", "duret_sms%")]
        )
        fields_ = self.env["ir.model.fields"].browse(data.mapped("res_id"))
        return set(fields_.filtered(lambda f: f.model == model).mapped("name"))

    def test_no_field_model_or_route_of_sms_twilio_is_taken(self):
        self.assertIn("twilio_sid", self._duret_fields("sms.sms"))
        for model, names in self.SMS_TWILIO_FIELDS.items():
            if model in self.env:
                self.assertFalse(self._duret_fields(model) & names, model)
        duret_failures = {
            value
            for value, _label in self.env["sms.sms"]._fields["failure_type"].selection
            if value.startswith("twilio_")
        }
        self.assertFalse(duret_failures & self.SMS_TWILIO_FAILURE_TYPES)
        data = self.env["ir.model.data"].search(
            [("model", "=", "ir.model"), ("module", "=like", "duret_sms%")]
        )
        duret_models = set(self.env["ir.model"].browse(data.mapped("res_id")).mapped("model"))
        self.assertIn("duret.sms.reply", duret_models)
        self.assertFalse(duret_models & self.SMS_TWILIO_MODELS)
        # sms_twilio is not installed here: any /sms_twilio/ route would be duret_sms's.
        routes = {rule.rule for rule in self.env["ir.http"].routing_map().iter_rules()}
        self.assertIn("/twilio/sms/receive", routes)
        self.assertFalse([route for route in routes if route.startswith("/sms_twilio")])
