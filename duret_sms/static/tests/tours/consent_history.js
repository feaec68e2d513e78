/** @odoo-module **/
import { registry } from "@web/core/registry";

// The contact opened by tests/test_consent_history_tour.py: its SMS tab shows the consent
// history (read-only) and, for a consent-group member who is not an officer, no "Lift
// Opt-out" button. Language-independent checks (field names, the number).
const PAGE = ".o_notebook .tab-pane.active";
const HISTORY = `${PAGE} .o_field_widget[name="duret_sms_consent_event_ids"]`;

registry.category("web_tour.tours").add("duret_sms_consent_history", {
    test: true,
    steps: () => [
        { content: "Open the SMS tab", trigger: '.o_notebook_headers a[name="duret_sms"]' },
        {
            content: "The history lists the grant and the withdrawal of the number",
            trigger: `${HISTORY} .o_data_row:nth-child(2) .o_data_cell[name="number"]:contains("+33612345678")`,
            isCheck: true,
        },
        {
            content: "The history cannot be edited from the contact",
            trigger: `${HISTORY}:not(:has(.o_field_x2many_list_row_add)):not(:has(.o_list_record_remove))`,
            isCheck: true,
        },
        {
            content: "Opted out, and no lift button for a non-officer",
            trigger: `${PAGE} .alert-warning:not(:has(button[name="action_duret_sms_lift_optout"]))`,
            isCheck: true,
        },
    ],
});
