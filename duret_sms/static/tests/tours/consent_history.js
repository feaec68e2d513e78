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

// The mass action "Record SMS Consent" on a list of contacts, one of whom replied STOP
// (tests/test_consent_history_tour.py): the wizard warns that this one is skipped, the others
// get their consent, a notification names the skipped contact.
registry.category("web_tour.tours").add("duret_sms_consent_mass_action", {
    test: true,
    steps: () => [
        {
            content: "Select the contact who agreed",
            trigger: '.o_data_row:contains("Tour Consent Oui") .o_list_record_selector input',
        },
        {
            content: "Select the contact who replied STOP",
            trigger: '.o_data_row:contains("Tour Consent Stop") .o_list_record_selector input',
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_cp_action_menus .dropdown-toggle:has(.fa-cog)",
        },
        {
            content: "Record SMS Consent",
            trigger: '.o-dropdown--menu .o_menu_item:contains("Record SMS Consent")',
        },
        {
            content: "The wizard warns that the opted-out contact is skipped",
            trigger: '.o_duret_sms_consent_optout:contains("Tour Consent Stop")',
            isCheck: true,
        },
        {
            content: "The one who agreed is not in the warning",
            trigger: '.o_duret_sms_consent_optout:not(:contains("Tour Consent Oui"))',
            isCheck: true,
        },
        {
            content: "Source: a signed form",
            trigger: '.o_field_widget[name="source"] input[data-value="form"]',
        },
        { content: "Record", trigger: 'button[name="action_apply"]' },
        {
            content: "The notification names the skipped contact",
            trigger: '.o_notification:contains("Tour Consent Stop")',
            isCheck: true,
        },
        { content: "Wizard closed", trigger: "body:not(:has(.modal))", isCheck: true },
    ],
});
