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

// Issue 18 #12: cancelled appointments, reminders without a reply and reminders sent by e-mail
// say so on the card, in words that stay whole on the narrow cards of a busy week
// (tests/test_visit_tour.py books three at the same hour).
function assertWhole(selector) {
    const cues = document.querySelectorAll(selector);
    if (!cues.length) {
        console.error(`duret_sms tour: no ${selector}`);
    }
    for (const cue of cues) {
        if (cue.scrollWidth > cue.clientWidth + 1 || cue.getBoundingClientRect().width < 8) {
            console.error(`duret_sms tour: ${selector} is cut on its card: ${cue.textContent}`);
        }
    }
}

registry.category("web_tour.tours").add("duret_sms_calendar_cues", {
    test: true,
    steps: () => [
        {
            content: "The cancelled appointment says so and its title is struck through",
            trigger: '.fc-event:contains("Cue annulé") .o_duret_cal_cue_cancelled',
            run: () => assertWhole(".o_duret_cal_cue_cancelled"),
        },
        {
            content: "Struck through",
            trigger: '.fc-event:contains("Cue annulé") .o_duret_cal_title_cancelled',
            isCheck: true,
        },
        {
            content: "No reply yet to the SMS reminder",
            trigger: '.fc-event:contains("Cue attente") .o_duret_cal_cue_waiting',
            run: () => assertWhole(".o_duret_cal_cue_waiting"),
        },
        {
            content: "Reminded by e-mail",
            trigger: '.fc-event:contains("Cue courriel") .o_duret_cal_cue_email',
            run: () => assertWhole(".o_duret_cal_cue_email"),
        },
        {
            content: "A confirmed appointment has no cue",
            trigger: '.fc-event:contains("Cue confirmé"):not(:has(.o_duret_cal_cue))',
            isCheck: true,
        },
    ],
});
