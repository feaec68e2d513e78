/** @odoo-module **/
import { registry } from "@web/core/registry";

const EVENT = '.fc-event:contains("Visite popover duret")';

registry.category("web_tour.tours").add("duret_sms_visit_from_calendar", {
    test: true,
    steps: () => [
        { content: "Open the appointment's popover", trigger: EVENT },
        { content: "The customer was not there", trigger: ".o_duret_visit_absent" },
        {
            content: "Recorded: the popover closed",
            trigger: "body:not(:has(.o_cw_popover))",
            isCheck: true,
        },
        { content: "Open it again", trigger: EVENT },
        {
            // The visit's line (its icon, whatever the language) and no buttons any more.
            content: "The visit is shown, the buttons are gone",
            trigger: ".o_cw_popover:has(.fa-user-times):not(:has(.o_duret_visit_absent))",
            isCheck: true,
        },
    ],
});
