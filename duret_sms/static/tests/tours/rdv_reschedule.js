/** @odoo-module **/
import { registry } from "@web/core/registry";

// The customer's page on a phone (390x844): "Changer de créneau", pick the first free slot,
// back on the appointment page with the new time. The pages have no JavaScript of their own;
// in tests they load the tour framework (see rdv_layout).
registry.category("web_tour.tours").add("duret_sms_rdv_reschedule", {
    test: true,
    steps: () => [
        { content: "Offer to change the slot", trigger: "a.btn.move:contains('Changer de créneau')" },
        {
            content: "The free slots, by day",
            trigger: "h1:contains('Changer de créneau')",
            isCheck: true,
        },
        { content: "Pick the first free slot", trigger: "form button.slot[name='slot']:first" },
        {
            content: "Back on the appointment page: moved",
            trigger: ".notice.ok:contains('Votre rendez-vous a bien été déplacé')",
            isCheck: true,
        },
    ],
});

// Settings > SMS: the rescheduling block (issue 20) shows its numbers only when turned on,
// and saves them.
const SLOTS = '.o_field_widget[name="duret_sms_reschedule_slots"] input';
registry.category("web_tour.tours").add("duret_sms_reschedule_settings", {
    test: true,
    steps: () => [
        { content: "The numbers are shown", trigger: SLOTS, isCheck: true },
        {
            content: "Turn customer rescheduling off",
            trigger: '.o_field_widget[name="duret_sms_reschedule"] input',
        },
        { content: "The numbers are hidden", trigger: `body:not(:has(${SLOTS}))`, isCheck: true },
        {
            content: "Turn it on again",
            trigger: '.o_field_widget[name="duret_sms_reschedule"] input',
        },
        { content: "Offer 5 slots", trigger: SLOTS, run: "text 5" },
        {
            content: "Keep 45 minutes of travel",
            trigger: '.o_field_widget[name="duret_sms_reschedule_buffer"] input',
            run: "text 45",
        },
        {
            content: "Until 48 hours before",
            trigger: '.o_field_widget[name="duret_sms_reschedule_delay"] input',
            run: "text 48",
        },
        { content: "Save", trigger: ".o_form_button_save" },
        {
            content: "Saved",
            trigger: `body:not(:has(.o_form_dirty)) ${SLOTS}:propValue(5)`,
            isCheck: true,
        },
    ],
});
