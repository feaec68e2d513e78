"""Who can do what (issue 17): every sensitive action, performed as every role.

The expected outcomes are the table in ``role_matrix_data.MATRIX`` (also printed in
docs/production.md by scripts/role_matrix.py). Each test method performs one action as each
role in turn (``with_user``, or HTTP for the webhooks) and compares the outcome it observes,
never an error message: the fixes may word or raise things their own way.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DuretTwilioMixin
from .role_matrix_data import (
    ALLOWED,
    CANCELLED,
    DEFERRED,
    MATRIX,
    NOT_CHECKED,
    REFUSED,
    ROLE_KEYS,
)

# A template expression that calls methods: code, not a placeholder.
CODE = "Bonjour {{ object.env.company.sudo().twilio_auth_token }}"
WORDING = "Bonjour {{ object.name }}, votre rendez-vous est confirmé."
WEEKDAY_NOON = "2026-11-25 11:00:00"  # Wednesday 12:00 in Paris: inside the sending hours
SUNDAY_NIGHT = "2026-11-29 02:00:00"  # Sunday 03:00 in Paris: outside them
SENT = "sent"
_logger = logging.getLogger(__name__)
PARTLY = "partly"

# Office staff act for customers: they edit contacts (Contact Creation, as Odoo's default user
# template gives). Salesperson and SMS Marketing user need their apps (installed with the
# bridges); a role whose group is missing is not checked.
STAFF = "base.group_user,base.group_partner_manager"
ROLE_GROUPS = {
    "portal": "base.group_portal",
    "employee": STAFF,
    "salesperson": f"{STAFF},sales_team.group_sale_salesman",
    "sms_marketing": f"{STAFF},mass_mailing.group_mass_mailing_user",
    "technician": f"{STAFF},duret_sms.duret_sms_group_technician",
    "officer": f"{STAFF},duret_sms.duret_sms_group_officer",
    "admin": f"{STAFF},base.group_system",
}


@tagged("post_install", "-at_install")
class TestRoleMatrix(DuretTwilioMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.fr")
        cls.other_company = cls.env["res.company"].create(
            {"name": "Duret Lyon", "country_id": cls.env.ref("base.fr").id}
        )
        companies = cls.company | cls.other_company
        cls.users = {"public": cls.env.ref("base.public_user")}
        for role, groups in ROLE_GROUPS.items():
            if all(cls.env.ref(xmlid, raise_if_not_found=False) for xmlid in groups.split(",")):
                cls.users[role] = new_test_user(
                    cls.env,
                    login=f"matrix_{role}",
                    groups=groups,
                    company_id=cls.company.id,
                    company_ids=[Command.set(companies.ids)],
                )
        cls.forged_author = new_test_user(cls.env, login="matrix_forged_author")
        cls._number_seq = 0

    def setUp(self):
        super().setUp()
        self.setup_twilio(self.company, all_hours=False)  # Duret's real hours: 8-20 weekdays
        # The secret the probes try to get out (the simulator checks it: it stays the same).
        self.token = self.company.twilio_auth_token
        self.assertGreaterEqual(len(self.token), 16)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def each_role(self, action):
        """[(role, user, expected)] of the cells of ``action`` to check in this database (the
        salesperson and SMS Marketing roles need their apps, installed with the bridges)."""
        cells = []
        for role in ROLE_KEYS:
            expected = MATRIX[action][role]
            if expected == NOT_CHECKED:
                continue
            if role not in self.users:
                _logger.warning("Role matrix: %s not checked as %s (app missing)", action, role)
                continue
            cells.append((role, self.users[role], expected))
        return cells

    def assert_outcome(self, action, role, observed, expected):
        if expected == CANCELLED and observed == REFUSED:
            observed = CANCELLED  # refused outright: it never leaves either
        self.assertEqual(observed, expected, f"{action} as {role}")

    def attempt(self, func, *args, **kwargs):
        """Run ``func`` in a savepoint: False when the ORM refused it (any UserError, which
        covers AccessError and ValidationError), True otherwise; what it did is kept.

        The cache is emptied first: a value the test's superuser read stays in it, and Odoo
        does not check access rights on cached values."""
        self.env.invalidate_all()
        try:
            with self.env.cr.savepoint():
                func(*args, **kwargs)
        except UserError as error:
            _logger.info("Role matrix: %s refused: %s", getattr(func, "__name__", func), error)
            return False
        finally:
            self.env.invalidate_all()
        return True

    def wizard_action(self, user, model, vals, method, context=None):
        """As ``user``: create a ``model`` record with ``vals`` and call its ``method``."""
        model_as = self.env[model].with_user(user).with_context(**(context or {}))
        return getattr(model_as.create(vals), method)()

    def next_mobile(self):
        type(self)._number_seq += 1
        return f"+3361234{self._number_seq:04d}"

    def customer(self, **vals):
        number = self.next_mobile()
        partner = self.env["res.partner"].create(
            dict(
                {
                    "name": f"Client {number[-2:]}",
                    "mobile": "0" + number[3:],
                    "country_id": self.env.ref("base.fr").id,
                    "company_id": self.company.id,
                },
                **vals,
            )
        )
        self.assertEqual(partner.phone_sanitized, number)
        return partner, number

    def opt_out(self, number):
        self.env["phone.blacklist"].sudo()._add([number], message="Demande par téléphone")

    def template(self, body="Bonjour"):
        return self.env["sms.template"].create(
            {
                "name": "Matrix",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": body,
            }
        )

    def run_queue_at(self, when):
        with freeze_time(when):
            self.env.ref("duret_sms.ir_cron_sms_twilio_queue").sudo().method_direct_trigger()
        self.env.invalidate_all()

    def send_outcome(self, number, attempts_done, extra_sent=False):
        """What became of the SMS to ``number``: SENT, DEFERRED, CANCELLED, or REFUSED when
        no attempt got through the ORM."""
        if extra_sent or self.sim_messages_to(number):
            return SENT
        if not any(attempts_done):
            return REFUSED
        smss = self.env["sms.sms"].sudo().search([("number", "=", number)])
        if smss.filtered(lambda sms: sms.state in ("process", "pending", "sent")):
            return SENT
        if smss.filtered(lambda sms: sms.state == "outgoing"):
            return DEFERRED
        return CANCELLED

    def send_as(self, user, partner):
        """The role texts ``partner`` from the chatter and from the composer, asking for the
        internal urgent category (an RPC context can carry that string)."""
        urgent = {"duret_sms_category": "internal_urgent"}
        done = [self.attempt(partner.with_user(user).with_context(**urgent)._message_sms, "Urgent")]

        composer_context = dict(
            urgent,
            active_model="res.partner",
            active_id=partner.id,
            default_composition_mode="comment",
        )
        done.append(
            self.attempt(
                self.wizard_action,
                user,
                "sms.composer",
                {"body": "Urgent (composer)"},
                "action_send_sms",
                composer_context,
            )
        )
        return done

    @contextmanager
    def iap_recorder(self):
        """Record what reaches Odoo's own SMS API (IAP) instead of calling it."""
        numbers = []

        def fake_batch(_api, messages, delivery_reports_url=False):
            result = []
            for message in messages:
                for recipient in message["numbers"]:
                    numbers.append(recipient["number"])
                    result.append({"uuid": recipient["uuid"], "state": "success", "res_id": 0})
            return result

        with patch(
            "odoo.addons.sms.tools.sms_api.SmsApi._send_sms_batch",
            autospec=True,
            side_effect=fake_batch,
        ):
            yield numbers

    # ------------------------------------------------------------------
    # Templates
    # ------------------------------------------------------------------

    def test_template_edit_code(self):
        for role, user, expected in self.each_role("template_edit_code"):
            with self.subTest(role=role, expected=expected):
                template = self.template()
                self.attempt(template.with_user(user).write, {"body": CODE})
                observed = ALLOWED if template.body == CODE else REFUSED
                self.assert_outcome("template_edit_code", role, observed, expected)

    def test_template_edit_wording(self):
        for role, user, expected in self.each_role("template_edit_wording"):
            with self.subTest(role=role, expected=expected):
                template = self.template()
                self.attempt(template.with_user(user).write, {"body": WORDING})
                observed = ALLOWED if template.body == WORDING else REFUSED
                self.assert_outcome("template_edit_wording", role, observed, expected)

    def test_template_render_code(self):
        # The composer's text is a template too: in mass mode it is rendered per recipient.
        for role, user, expected in self.each_role("template_render_code"):
            with self.subTest(role=role, expected=expected):
                partner, number = self.customer()
                vals = {
                    "composition_mode": "mass",
                    "res_model": "res.partner",
                    "res_ids": repr(partner.ids),
                    "body": CODE,
                }
                self.attempt(self.wizard_action, user, "sms.composer", vals, "action_send_sms")
                bodies = self.env["sms.sms"].sudo().search([("number", "=", number)]).mapped("body")
                observed = ALLOWED if any(self.token in body for body in bodies) else REFUSED
                self.assert_outcome("template_render_code", role, observed, expected)

    def test_template_code_run_by_system(self):
        partner, _number = self.customer()
        for role, user, expected in self.each_role("template_code_run_by_system"):
            with self.subTest(role=role, expected=expected):
                template = self.template()
                self.attempt(template.with_user(user).write, {"body": CODE})
                # As the reminder cron and the inbound webhook do (they run as superuser).
                text = self.env["sms.template"]._duret_render(template, partner, lambda _r: "texte")
                observed = ALLOWED if self.token in text[partner.id] else REFUSED
                self.assert_outcome("template_code_run_by_system", role, observed, expected)

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def test_send_probe_sees_a_send(self):
        """The send probes can fail: inside the hours, to a number that is not opted out, the
        same two SMS leave (they reach the Twilio simulator)."""
        partner, number = self.customer()
        done = self.send_as(self.users["employee"], partner)
        self.run_queue_at(WEEKDAY_NOON)
        self.assertEqual(done, [True, True])
        self.assertEqual(self.send_outcome(number, done), SENT)
        self.assertEqual(len(self.sim_messages_to(number)), 2)

    def test_send_optout(self):
        for role, user, expected in self.each_role("send_optout"):
            with self.subTest(role=role, expected=expected):
                partner, number = self.customer()
                self.opt_out(number)
                done = self.send_as(user, partner)
                self.run_queue_at(WEEKDAY_NOON)
                observed = self.send_outcome(number, done)
                self.assert_outcome("send_optout", role, observed, expected)

    def test_send_optout_urgent_dispatch(self):
        technician = new_test_user(
            self.env,
            login="matrix_dispatched_technician",
            groups=f"{STAFF},duret_sms.duret_sms_group_technician",
        )
        for role, user, expected in self.each_role("send_optout_urgent_dispatch"):
            with self.subTest(role=role, expected=expected):
                customer, number = self.customer()
                self.opt_out(number)
                technician.partner_id.mobile = customer.mobile  # the same number
                vals = {
                    "partner_id": customer.id,
                    "description": "Plus de courant",
                    "technician_id": technician.id,
                }
                done = [
                    self.attempt(
                        self.wizard_action,
                        user,
                        "duret.sms.dispatch.wizard",
                        vals,
                        "action_dispatch",
                    )
                ]
                self.run_queue_at(WEEKDAY_NOON)
                observed = self.send_outcome(number, done)
                self.assert_outcome("send_optout_urgent_dispatch", role, observed, expected)

    def test_send_optout_mailing_test(self):
        if "mailing.sms.test" not in self.env:
            self.skipTest("mass_mailing_sms is not installed")
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Promo",
                "mailing_type": "sms",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "body_plaintext": "Promo -10%",
            }
        )
        for role, user, expected in self.each_role("send_optout_mailing_test"):
            with self.subTest(role=role, expected=expected):
                _partner, number = self.customer()
                self.opt_out(number)
                with self.iap_recorder() as iap_numbers:
                    done = [
                        self.attempt(
                            self.wizard_action,
                            user,
                            "mailing.sms.test",
                            {"mailing_id": mailing.id, "numbers": number},
                            "action_send_sms",
                        )
                    ]
                    self.run_queue_at(WEEKDAY_NOON)
                observed = self.send_outcome(number, done, extra_sent=number in iap_numbers)
                self.assert_outcome("send_optout_mailing_test", role, observed, expected)

    def test_send_outside_hours(self):
        for role, user, expected in self.each_role("send_outside_hours"):
            with self.subTest(role=role, expected=expected):
                partner, number = self.customer()
                done = self.send_as(user, partner)
                self.run_queue_at(SUNDAY_NIGHT)
                observed = self.send_outcome(number, done)
                self.assert_outcome("send_outside_hours", role, observed, expected)

    # ------------------------------------------------------------------
    # Consent and opt-out
    # ------------------------------------------------------------------

    def consent_wizard(self, user, partner):
        self.env["duret.sms.consent.wizard"].with_user(user).create(
            {"partner_ids": [Command.set(partner.ids)], "consent": "given", "source": "form"}
        ).action_apply()

    def withdrawn_customer(self):
        partner, _number = self.customer()
        partner._duret_sms_set_consent(True, "form")
        partner._duret_sms_set_consent(False, "sms")  # the customer withdrew it
        self.assertFalse(partner.duret_sms_consent)
        return partner

    def test_consent_set(self):
        for role, user, expected in self.each_role("consent_set"):
            with self.subTest(role=role, expected=expected):
                partner, _number = self.customer()
                self.attempt(partner.with_user(user).write, {"duret_sms_consent": True})
                observed = ALLOWED if partner.duret_sms_consent else REFUSED
                self.assert_outcome("consent_set", role, observed, expected)

    def test_consent_set_wizard(self):
        for role, user, expected in self.each_role("consent_set_wizard"):
            with self.subTest(role=role, expected=expected):
                partner, _number = self.customer()
                self.attempt(self.consent_wizard, user, partner)
                observed = ALLOWED if partner.duret_sms_consent else REFUSED
                self.assert_outcome("consent_set_wizard", role, observed, expected)

    def test_consent_forge_proof(self):
        for role, user, expected in self.each_role("consent_forge_proof"):
            with self.subTest(role=role, expected=expected):
                partner, _number = self.customer()
                self.attempt(
                    partner.with_user(user).write,
                    {
                        "duret_sms_consent": True,
                        "duret_sms_consent_source": "form",
                        "duret_sms_consent_user_id": self.forged_author.id,
                        "duret_sms_consent_date": "2020-01-01 09:00:00",
                    },
                )
                forged = partner.duret_sms_consent and (
                    partner.duret_sms_consent_user_id == self.forged_author
                    or (
                        partner.duret_sms_consent_date
                        and partner.duret_sms_consent_date.year == 2020
                    )
                )
                observed = ALLOWED if forged else REFUSED
                self.assert_outcome("consent_forge_proof", role, observed, expected)

    def test_consent_withdraw(self):
        for role, user, expected in self.each_role("consent_withdraw"):
            with self.subTest(role=role, expected=expected):
                partner, _number = self.customer()
                partner._duret_sms_set_consent(True, "form")
                partner_as = partner.with_user(user)
                if not self.attempt(partner_as.write, {"duret_sms_consent": False}):
                    # A fix may keep the field to the consent group and give everyone a button.
                    buttons = [
                        name
                        for name in dir(type(partner))
                        if name.startswith("action_") and "withdraw" in name
                    ]
                    for name in buttons:
                        self.attempt(getattr(partner_as, name))
                observed = REFUSED if partner.duret_sms_consent else ALLOWED
                self.assert_outcome("consent_withdraw", role, observed, expected)

    def test_consent_revive_field(self):
        for role, user, expected in self.each_role("consent_revive_field"):
            with self.subTest(role=role, expected=expected):
                partner = self.withdrawn_customer()
                self.attempt(partner.with_user(user).write, {"duret_sms_consent": True})
                observed = ALLOWED if partner.duret_sms_consent else REFUSED
                self.assert_outcome("consent_revive_field", role, observed, expected)

    def test_consent_revive_wizard(self):
        for role, user, expected in self.each_role("consent_revive_wizard"):
            with self.subTest(role=role, expected=expected):
                partner = self.withdrawn_customer()
                self.attempt(self.consent_wizard, user, partner)
                observed = ALLOWED if partner.duret_sms_consent else REFUSED
                self.assert_outcome("consent_revive_wizard", role, observed, expected)

    def test_optout_lift(self):
        blacklist = self.env["phone.blacklist"].sudo()
        for role, user, expected in self.each_role("optout_lift"):
            with self.subTest(role=role, expected=expected):
                partner, number = self.customer()
                self.opt_out(number)
                self.attempt(
                    self.wizard_action,
                    user,
                    "duret.sms.optout.lift.wizard",
                    {"partner_id": partner.id, "reason": "Le client l'a demandé."},
                    "action_lift",
                )
                observed = REFUSED if blacklist.search([("number", "=", number)]) else ALLOWED
                self.assert_outcome("optout_lift", role, observed, expected)

    # ------------------------------------------------------------------
    # Twilio secrets and figures
    # ------------------------------------------------------------------

    def readable(self, user, record, fname):
        """Whether ``user`` reads ``record.fname`` with its real value."""
        values = {}

        def read():
            values.update(record.with_user(user).read([fname])[0])

        self.attempt(read)
        return fname in values and values[fname] == record[fname]

    def test_read_auth_token(self):
        for role, user, expected in self.each_role("read_auth_token"):
            with self.subTest(role=role, expected=expected):
                observed = (
                    ALLOWED if self.readable(user, self.company, "twilio_auth_token") else REFUSED
                )
                self.assert_outcome("read_auth_token", role, observed, expected)

    def readable_outcome(self, user, fnames):
        """ALLOWED when ``user`` reads all of the company's ``fnames``, REFUSED when none,
        PARTLY otherwise."""
        read = [fname for fname in fnames if self.readable(user, self.company, fname)]
        return ALLOWED if len(read) == len(fnames) else (PARTLY if read else REFUSED), read

    def test_read_twilio_figures(self):
        self.company.write(
            {
                "duret_twilio_balance": 12.5,
                "duret_twilio_currency": "EUR",
                "duret_twilio_usage_count": 321,
                "duret_twilio_usage_price": 24.07,
            }
        )
        fnames = ["duret_twilio_balance", "duret_twilio_usage_count", "duret_twilio_usage_price"]
        for role, user, expected in self.each_role("read_twilio_figures"):
            with self.subTest(role=role, expected=expected):
                observed, read = self.readable_outcome(user, fnames)
                self.assertEqual(observed, expected, f"read_twilio_figures as {role}: {read}")

    def test_read_twilio_ids(self):
        self.company.twilio_messaging_service_sid = "MG" + "1" * 32
        fnames = ["twilio_account_sid", "twilio_messaging_service_sid"]
        for role, user, expected in self.each_role("read_twilio_ids"):
            with self.subTest(role=role, expected=expected):
                observed, read = self.readable_outcome(user, fnames)
                self.assertEqual(observed, expected, f"read_twilio_ids as {role}: {read}")

    # ------------------------------------------------------------------
    # Replies, settings, webhooks
    # ------------------------------------------------------------------

    def reply(self, company):
        return (
            self.env["duret.sms.reply"]
            .sudo()
            .create(
                {
                    "number_from": self.next_mobile(),
                    "number_to": "+33939000000",
                    "body": "C'est Mme Durand, je confirme",
                    "intent": "other",
                    "message_sid": f"SM{self._number_seq:032d}",
                    "company_id": company.id,
                }
            )
        )

    def test_link_reply(self):
        for role, user, expected in self.each_role("link_reply"):
            with self.subTest(role=role, expected=expected):
                reply = self.reply(self.company)
                partner, _number = self.customer()
                self.attempt(reply.with_user(user).write, {"partner_id": partner.id})
                observed = ALLOWED if reply.partner_id == partner else REFUSED
                self.assert_outcome("link_reply", role, observed, expected)

    def test_link_reply_other_company(self):
        both = (self.company | self.other_company).ids
        for role, user, expected in self.each_role("link_reply_other_company"):
            with self.subTest(role=role, expected=expected):
                reply = self.reply(self.company)
                partner, _number = self.customer(company_id=self.other_company.id)
                reply_as = reply.with_user(user).with_context(allowed_company_ids=both)
                self.attempt(reply_as.write, {"partner_id": partner.id})
                observed = ALLOWED if reply.partner_id == partner else REFUSED
                self.assert_outcome("link_reply_other_company", role, observed, expected)

    def test_en_route(self):
        for role, user, expected in self.each_role("en_route"):
            with self.subTest(role=role, expected=expected):
                partner, number = self.customer()
                with freeze_time(WEEKDAY_NOON):
                    start = fields.Datetime.now() + timedelta(hours=2)
                    event = self.env["calendar.event"].create(
                        {
                            "name": "Visite",
                            "start": start,
                            "stop": start + timedelta(hours=1),
                            "partner_ids": [Command.set(partner.ids)],
                        }
                    )
                    self.attempt(event.with_user(user).action_duret_en_route, 15)
                sent = self.env["sms.sms"].sudo().search([("number", "=", number)])
                observed = ALLOWED if sent else REFUSED
                self.assert_outcome("en_route", role, observed, expected)

    # ------------------------------------------------------------------
    # SMS conversations (issue 21)
    # ------------------------------------------------------------------

    def conversation(self, **vals):
        """A conversation of the company with a customer, holding one staff note."""
        partner, number = self.customer()
        conversation = self.env["duret.sms.conversation"].create(
            dict(
                {"company_id": self.company.id, "number": number, "partner_id": partner.id},
                **vals,
            )
        )
        conversation.message_post(body="Note matrice", subtype_xmlid="mail.mt_note")
        return conversation

    def can_read(self, user, conversation):
        """The user reads the conversation, or any of its messages (either is reading it)."""
        read = self.attempt(conversation.with_user(user).read, ["name", "number", "state"])
        messages = self.env["mail.message"].with_user(user)
        found = []
        self.attempt(
            lambda: found.extend(
                messages.search(
                    [("model", "=", conversation._name), ("res_id", "=", conversation.id)]
                ).ids
            )
        )
        return read or bool(found)

    def answer_outcome(self, action, role, user, conversation):
        body = f"Réponse {action} {role}"
        with freeze_time(WEEKDAY_NOON):
            self.attempt(
                conversation.with_user(user).message_post,
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("number", "=", conversation.number), ("body", "ilike", body)])
        )
        return ALLOWED if sms else REFUSED

    def test_conversation_read(self):
        for role, user, expected in self.each_role("conversation_read"):
            with self.subTest(role=role, expected=expected):
                other = self.users["technician"] if role != "technician" else self.env.user
                conversation = self.conversation(technician_id=other.id)
                observed = ALLOWED if self.can_read(user, conversation) else REFUSED
                self.assert_outcome("conversation_read", role, observed, expected)

    def test_conversation_read_own(self):
        for role, user, expected in self.each_role("conversation_read_own"):
            with self.subTest(role=role, expected=expected):
                theirs = self.conversation(technician_id=user.id)
                assigned = self.conversation(user_id=user.id)
                both = self.can_read(user, theirs) and self.can_read(user, assigned)
                self.assert_outcome(
                    "conversation_read_own", role, ALLOWED if both else REFUSED, expected
                )

    def test_conversation_answer(self):
        for role, user, expected in self.each_role("conversation_answer"):
            with self.subTest(role=role, expected=expected):
                other = self.users["technician"] if role != "technician" else self.env.user
                conversation = self.conversation(technician_id=other.id)
                observed = self.answer_outcome("conversation_answer", role, user, conversation)
                self.assert_outcome("conversation_answer", role, observed, expected)

    def test_conversation_answer_own(self):
        for role, user, expected in self.each_role("conversation_answer_own"):
            with self.subTest(role=role, expected=expected):
                conversation = self.conversation(technician_id=user.id)
                observed = self.answer_outcome("conversation_answer_own", role, user, conversation)
                self.assert_outcome("conversation_answer_own", role, observed, expected)

    def test_conversation_assign_done(self):
        for role, user, expected in self.each_role("conversation_assign_done"):
            with self.subTest(role=role, expected=expected):
                other = self.users["technician"] if role != "technician" else self.env.user
                conversation = self.conversation(technician_id=other.id)
                self.attempt(conversation.with_user(user).action_assign_to_me)
                self.attempt(conversation.with_user(user).action_done)
                changed = conversation.user_id == user or conversation.state == "done"
                observed = ALLOWED if changed else REFUSED
                self.assert_outcome("conversation_assign_done", role, observed, expected)

    def test_conversation_done_own(self):
        for role, user, expected in self.each_role("conversation_done_own"):
            with self.subTest(role=role, expected=expected):
                conversation = self.conversation(technician_id=user.id)
                self.attempt(conversation.with_user(user).action_done)
                observed = ALLOWED if conversation.state == "done" else REFUSED
                self.assert_outcome("conversation_done_own", role, observed, expected)

    def test_change_public_url(self):
        icp_sudo = self.env["ir.config_parameter"].sudo()
        for role, user, expected in self.each_role("change_public_url"):
            with self.subTest(role=role, expected=expected):
                icp_sudo.set_param("duret_sms.public_url", "https://sms.duret.example")
                url = f"https://{role}.attacker.example"
                self.attempt(
                    self.wizard_action,
                    user,
                    "res.config.settings",
                    {"duret_sms_public_url": url},
                    "execute",
                )
                icp_as = self.env["ir.config_parameter"].with_user(user)
                self.attempt(icp_as.set_param, "duret_sms.public_url", url + "/param")
                current = icp_sudo.get_param("duret_sms.public_url")
                observed = REFUSED if current == "https://sms.duret.example" else ALLOWED
                self.assert_outcome("change_public_url", role, observed, expected)

    def test_webhook_unsigned(self):
        icp_sudo = self.env["ir.config_parameter"].sudo()
        icp_sudo.set_param("duret_sms.public_url", self.base_url())
        sms = self.env["sms.sms"].create({"number": "+33612345699", "body": "x"})
        for role, user, expected in self.each_role("webhook_unsigned"):
            with self.subTest(role=role, expected=expected):
                if role == "public":
                    self.opener.cookies.clear()  # no session
                else:
                    self.authenticate(user.login, user.login)
                receive = self.url_open(
                    "/twilio/sms/receive",
                    data={
                        "From": "+33612345698",
                        "To": "+33939000000",
                        "Body": "STOP",
                        "MessageSid": "SM" + "9" * 32,
                        "AccountSid": self.simulator.account_sid,
                    },
                )
                status = self.url_open(
                    f"/twilio/sms/status/{sms.uuid}",
                    data={"MessageSid": "SM" + "8" * 32, "MessageStatus": "delivered"},
                )
                accepted = [r.status_code for r in (receive, status) if r.status_code < 400]
                observed = ALLOWED if accepted else REFUSED
                self.assertEqual(
                    observed,
                    expected,
                    f"webhook_unsigned as {role}: {receive.status_code}, {status.status_code}",
                )
