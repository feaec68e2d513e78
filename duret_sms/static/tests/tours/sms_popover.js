/** @odoo-module **/
import { registry } from "@web/core/registry";

// The SMS icon of each chatter message of the record opened by tests/test_sms_popover_tour.py.
// The checks look at elements and language-independent content (icons, phone number, Twilio
// code), never at English or French words.
const icon = (body) => `.o-mail-Message:contains("${body}") .o-mail-Message-notification`;
const POPOVER = ".o-mail-MessageNotificationPopover";
const closePopover = (content) => [
    { content, trigger: ".o_last_breadcrumb_item span" },
    { content: "Popover closed", trigger: `body:not(:has(${POPOVER}))`, isCheck: true },
];

registry.category("web_tour.tours").add("duret_sms_chatter_sms_popover", {
    test: true,
    steps: () => [
        { content: "Sent SMS: open its popover", trigger: icon("Duret tour sent") },
        {
            content: "Sent: the recipient, no reason line",
            trigger: `${POPOVER}:has(.fa-check):not(:has(.o-duret-sms-reason))`,
            isCheck: true,
        },
        ...closePopover("Close the sent SMS's popover"),
        { content: "Deferred SMS: open its popover", trigger: icon("Duret tour deferred") },
        {
            content: "Deferred: a clock and the reason (when it will leave)",
            trigger: `${POPOVER}:has(i.fa-clock-o) .o-duret-sms-reason:not(:empty)`,
            isCheck: true,
        },
        {
            content: "One reason line per recipient",
            trigger: `${POPOVER}:not(:has(.o-duret-sms-reason + .o-duret-sms-reason))`,
            isCheck: true,
        },
        ...closePopover("Close the deferred SMS's popover"),
        { content: "Cancelled SMS: open its popover", trigger: icon("Duret tour cancelled") },
        {
            content: "Cancelled: the sending rules' reason names the blacklisted number",
            trigger: `${POPOVER} .o-duret-sms-reason:contains("+33612345678")`,
            isCheck: true,
        },
        ...closePopover("Close the cancelled SMS's popover"),
        // A failed SMS opens Odoo's "sending failures" dialog rather than a popover (triggers are
        // looked for inside the open dialog).
        { content: "Failed SMS: open its failures", trigger: icon("Duret tour failed") },
        {
            content: "Failed: Twilio's reason, with its code",
            trigger: '.o_data_cell[name="duret_failure_reason"]:contains("30003")',
            isCheck: true,
        },
        { content: "Close the dialog", trigger: ".modal-header .btn-close" },
        { content: "Dialog closed", trigger: "body:not(:has(.modal))", isCheck: true },
    ],
});
