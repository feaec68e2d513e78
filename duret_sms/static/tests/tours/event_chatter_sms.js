/** @odoo-module **/
import { registry } from "@web/core/registry";

// The appointment opened by tests/test_event_chatter_sms.py: its reminder SMS (the text starts
// with the company's name, "Duret Chatter") is in the chatter with its SMS icon, delivered.
// The checks look at elements and icons, never at English or French words.
const REMINDER = '.o-mail-Message:contains("Duret Chatter")';
const POPOVER = ".o-mail-MessageNotificationPopover";

registry.category("web_tour.tours").add("duret_sms_event_chatter_sms", {
    test: true,
    steps: () => [
        {
            content: "The appointment's form is open, with its chatter",
            trigger: ".o_form_view .o-mail-Chatter",
            isCheck: true,
        },
        {
            content: "The reminder SMS is in the chatter, once, with the SMS icon",
            trigger: `${REMINDER} .o-mail-Message-notification i.fa-mobile`,
            run: () => {
                const found = [...document.querySelectorAll(".o-mail-Message")].filter((el) =>
                    el.textContent.includes("Duret Chatter")
                ).length;
                if (found !== 1) {
                    console.error(`duret_sms tour: ${found} reminder messages in the chatter`);
                }
            },
        },
        {
            content: "Open its delivery status",
            trigger: `${REMINDER} .o-mail-Message-notification`,
        },
        {
            content: "Delivered: a check for the customer",
            trigger: `${POPOVER}:has(.fa-check):contains("Camille Chatter")`,
            isCheck: true,
        },
    ],
});
