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
