/** @odoo-module **/
import { registry } from "@web/core/registry";

// An SMS officer registers a member of staff's Urgent SMS Mobile on their contact (SMS tab),
// opened by tests/test_partner_urgent_mobile_tour.py. Language-independent selectors only.
registry.category("web_tour.tours").add("duret_sms_partner_urgent_mobile", {
    test: true,
    steps: () => [
        { content: "Open the SMS tab", trigger: '.o_notebook a.nav-link[name="duret_sms"]' },
        {
            content: "The staff flag is there for officers",
            trigger: 'div[name="duret_sms_staff"] input',
            isCheck: true,
        },
        {
            content: "Type the Urgent SMS Mobile",
            trigger: 'div[name="duret_sms_urgent_mobile"] input',
            run: "text 06 99 88 77 66",
        },
        { content: "Save", trigger: ".o_form_button_save" },
        {
            content: "Saved",
            trigger: ".o_form_status_indicator_buttons.invisible",
            isCheck: true,
        },
    ],
});
