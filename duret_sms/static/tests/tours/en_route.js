/** @odoo-module **/
// The technician, on a 390x844 phone, tells the customer they are on their way.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("duret_sms_en_route", {
    test: true,
    steps: () => [
        {
            content: "The big En route button fits the phone's width",
            trigger: ".o_duret_en_route_send",
            run() {
                const box = this.$anchor[0].getBoundingClientRect();
                if (box.right > window.innerWidth || box.height < 44) {
                    throw new Error(`En route button off screen or too small: ${box.right}`);
                }
            },
        },
        { content: "Arrival in 30 minutes", trigger: ".o_duret_en_route_30" },
        {
            content: "The customer is told",
            trigger: ".o_duret_en_route_sent",
            isCheck: true,
        },
        { content: "A second tap at once", trigger: ".o_duret_en_route_15" },
        {
            content: "Refused: at most one SMS per 30 minutes, and says so",
            trigger: ".o_duret_en_route_refused",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("duret_sms_en_route_popover", {
    test: true,
    steps: () => [
        { content: "Tap the appointment", trigger: '.fc-event:contains("Visite popover en route")' },
        { content: "En route, from the popover", trigger: ".o_duret_popover_en_route" },
        {
            content: "Told: sent, with the arrival time",
            trigger: ".o_notification.border-success",
            isCheck: true,
        },
    ],
});
