"""Issue 18: the customer pages (appointment, unsubscribe) in a real browser at phone size
(390x844, touch). They carry no Odoo JavaScript, so HttpCase.browser_js evaluates the checks in
the page: any failed check is a console error, which fails the test."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import CUSTOMER_PAGE_READY, DuretTwilioMixin

MOBILE = "+33612345678"

# Shared checks: the page fits the phone's width, nothing overflows sideways, every button is
# big enough to tap (44 px), and a button never looks disabled (grey, faded).
PHONE_CHECKS = """
const fail = (msg) => console.error("duret_sms phone page: " + msg);
const check = (cond, msg) => { if (!cond) { fail(msg); } };
const width = document.documentElement.scrollWidth;
check(width <= window.innerWidth, `wider than the phone (${width} > ${window.innerWidth})`);
for (const btn of document.querySelectorAll(".btn")) {
    const style = getComputedStyle(btn);
    const box = btn.getBoundingClientRect();
    check(box.height >= 44, `${btn.textContent.trim()}: too small to tap (${box.height}px)`);
    check(box.right <= window.innerWidth, `${btn.textContent.trim()}: cut off on the right`);
    check(parseFloat(style.opacity) === 1, `${btn.textContent.trim()}: faded`);
    // A grey block on grey (the browser's default button) reads as disabled.
    const grey = ["rgb(239, 239, 239)", "rgb(240, 240, 240)", "rgba(0, 0, 0, 0)"];
    check(!grey.includes(style.backgroundColor) || style.borderTopWidth !== "0px"
          || btn.classList.contains("back"),
          `${btn.textContent.trim()}: looks disabled (${style.backgroundColor}, no border)`);
}
"""


@tagged("post_install", "-at_install")
class TestCustomerPagesPhone(DuretTwilioMixin, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.write(
            {
                "name": "Duret Électricité",
                "phone": "+33478123456",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        self.setup_twilio(self.company)
        self.company.twilio_from_number = "DURET"  # alphanumeric: the link, not STOP
        self.customer = self.env["res.partner"].create(
            {"name": "Camille Martin", "mobile": MOBILE, "country_id": self.env.ref("base.fr").id}
        )

    def check_page(self, path, code):
        self.browser_js(
            path,
            PHONE_CHECKS + code + "\nconsole.log('test successful');",
            ready=CUSTOMER_PAGE_READY,
        )

    def test_unsubscribe_page_at_phone_size(self):
        self.customer._duret_sms_set_consent(True, "form")
        promo = self.env["sms.sms"].create(
            {
                "number": MOBILE,
                "body": "Promo",
                "duret_category": "commercial",
                "partner_id": self.customer.id,
            }
        )
        path = f"/sms/optout/{promo.uuid}"
        # Both choices equally clear: two cards of the same kind, each a coloured button.
        self.check_page(
            path,
            """
            const gentle = document.querySelector("button.o_duret_optout_commercial");
            const drastic = document.querySelector("button.o_duret_optout_all");
            check(gentle && drastic, "both choices are offered");
            const g = gentle.getBoundingClientRect(), d = drastic.getBoundingClientRect();
            check(Math.abs(g.width - d.width) < 2, "both buttons have the same width");
            check(getComputedStyle(gentle).fontSize === getComputedStyle(drastic).fontSize
                  && getComputedStyle(gentle).fontWeight === getComputedStyle(drastic).fontWeight,
                  "both buttons have the same type");
            check(gentle.closest(".card") && drastic.closest(".card"), "each choice in its card");
            check(!document.querySelector(".o_duret_optout_previous"), "nothing chosen yet");
            """,
        )
        self.url_open(path, data={"choice": "commercial"})
        # Back on the link: it says what was chosen, and offers only the other choice.
        self.check_page(
            path,
            """
            check(document.querySelector(".o_duret_optout_previous"), "says what was chosen");
            check(!document.querySelector("button.o_duret_optout_commercial"), "not offered again");
            check(document.querySelector("button.o_duret_optout_all"), "the other choice stays");
            """,
        )
        self.url_open(path, data={"choice": "all"})
        self.check_page(
            path,
            """
            check(document.querySelector(".notice.ok"), "says it is already done");
            check(!document.querySelector("form"), "nothing left to choose");
            """,
        )

    def test_appointment_pages_at_phone_size(self):
        start = datetime(2099, 3, 10, 13, 0)
        event = (
            self.env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                {
                    "name": "Remplacement du tableau électrique",
                    "start": start,
                    "stop": start + timedelta(hours=2),
                    "location": "12 rue des Lilas, 69003 Lyon",
                    "partner_ids": [Command.set([self.customer.id])],
                }
            )
        )
        token = event.attendee_ids.duret_rdv_token
        self.check_page(
            f"/rdv/{token}",
            'check(document.querySelector("a.btn.call[href^=\'tel:\']"), "a call button");',
        )
        self.check_page(
            f"/rdv/cancel/{token}",
            'check(document.querySelector("form button.btn.danger"), "the cancel button");',
        )
