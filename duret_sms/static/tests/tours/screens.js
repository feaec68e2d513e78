/** @odoo-module **/
import { registry } from "@web/core/registry";

// The screens of issue 18, driven in the browser by tests/test_screens_tour.py. Checks look at
// elements, field names and numbers, never at English or French words. Any client error or
// console error fails the tour. While a dialog is open, the tour looks for triggers inside it.
const tours = registry.category("web_tour.tours");

/** Fails the tour (console error) when ``selector`` is wider than its box: a table overflows. */
function assertNoOverflow(selector) {
    const el = document.querySelector(selector);
    if (!el) {
        console.error(`duret_sms tour: ${selector} not found`);
    } else if (el.scrollWidth > el.clientWidth + 1) {
        console.error(`duret_sms tour: ${selector} overflows (${el.scrollWidth} > ${el.clientWidth})`);
    }
}

tours.add("duret_sms_reply_inbox", {
    test: true,
    steps: () => [
        {
            content: "Call is a tel: link in the header (the browser hands it to the phone)",
            trigger: '.o_form_statusbar a.o_duret_sms_call[href="tel:+33699000111"]',
            isCheck: true,
        },
        {
            content: "No server action that would open /tel:... as a page",
            trigger: '.o_form_statusbar:not(:has(button[name="action_duret_call"]))',
            isCheck: true,
        },
        { content: "Reply", trigger: 'button[name="action_duret_reply"]' },
        {
            content: "The SMS composer opens",
            trigger: '.o_field_widget[name="duret_estimate"]',
            isCheck: true,
        },
        { content: "Close the composer", trigger: '.modal-header .btn-close' },
        { content: "Composer closed", trigger: "body:not(:has(.modal))", isCheck: true },
        {
            content: "Link the number to a contact",
            trigger: '.o_field_widget[name="partner_id"] input',
            run: "text Léa Tournée",
        },
        {
            content: "Pick the contact",
            trigger: '.o_field_widget[name="partner_id"] .dropdown-item:contains("Léa Tournée")',
        },
        {
            content: "The title is the contact's name",
            trigger: '.oe_title:contains("Léa Tournée")',
            isCheck: true,
        },
        // Save first and wait for it: a button clicked while the contact's onchange is still
        // on its way was sometimes lost (the tour then waited for "done" in vain).
        { content: "Save the contact", trigger: ".o_form_button_save" },
        {
            content: "Saved",
            trigger: ".o_form_status_indicator_buttons.invisible",
            isCheck: true,
        },
        { content: "Mark as done", trigger: 'button[name="action_mark_done"]' },
        {
            content: "Saved and done",
            trigger: '.o_statusbar_status .o_arrow_button_current[data-value="done"]',
            isCheck: true,
        },
    ],
});

tours.add("duret_sms_settings_test_sms_dirty", {
    test: true,
    steps: () => [
        {
            content: "Type a new sender: the page has unsaved changes",
            trigger: '.o_field_widget[name="duret_twilio_from_number"] input',
            run: "text +33939000001",
        },
        {
            content: "Save and send a test SMS",
            trigger: 'button[name="action_duret_sms_open_test_wizard"]',
        },
        {
            content: "The test SMS opens at once (no 'save your changes?' then a reload)",
            trigger: '.o_field_widget[name="number"]',
            isCheck: true,
        },
        { content: "Close the test", trigger: '.modal-header .btn-close' },
        { content: "Closed", trigger: "body:not(:has(.modal))", isCheck: true },
    ],
});

tours.add("duret_sms_composer_blocked", {
    test: true,
    steps: () => [
        {
            content: "The warning says it will not leave",
            trigger: '.alert-warning .o_field_widget[name="duret_warnings"]:not(:empty)',
            isCheck: true,
        },
        {
            content: "Send is disabled",
            trigger: ".modal-footer button.o_duret_sms_send_blocked[disabled]",
            isCheck: true,
        },
        {
            content: "No Send button that would send",
            trigger: '.modal-footer:not(:has(button[name="action_send_sms"]))',
            isCheck: true,
        },
        { content: "Close", trigger: '.modal-header .btn-close' },
        { content: "Closed", trigger: "body:not(:has(.modal))", isCheck: true },
    ],
});

tours.add("duret_sms_history", {
    test: true,
    steps: () => [
        {
            content: "Newest first: the deferred SMS of today heads the list",
            trigger: '.o_data_row:first-child:contains("Duret history newest")',
            isCheck: true,
        },
        {
            content: "The cost has its currency symbol",
            trigger: '.o_data_row:contains("Duret history priced") .o_data_cell[name="duret_price"]:contains("€")',
            isCheck: true,
        },
        {
            content: "Open the deferred SMS",
            trigger: '.o_data_row:first-child .o_data_cell:contains("Duret history newest")',
        },
        { content: "Cancel it", trigger: 'button[name="action_duret_cancel"]' },
        { content: "Confirm", trigger: '.modal-footer .btn-primary' },
        {
            content: "Cancelled: the button is gone",
            trigger: '.o_form_view:not(:has(button[name="action_duret_cancel"]))',
            isCheck: true,
        },
    ],
});

tours.add("duret_sms_dispatch_header", {
    test: true,
    steps: () => [
        {
            content: "Urgent Intervention is a header button, in sight",
            trigger: ".o_form_statusbar button.o_duret_sms_urgent",
        },
        {
            content: "The urgent dispatch opens with its ranked technicians",
            trigger: '.o_field_widget[name="line_ids"]',
            isCheck: true,
        },
        { content: "Close", trigger: '.modal-header .btn-close' },
        { content: "Closed", trigger: "body:not(:has(.modal))", isCheck: true },
    ],
});

tours.add("duret_sms_reporting", {
    test: true,
    steps: () => [
        { content: "SMS analysis: the graph", trigger: ".o_graph_renderer canvas", isCheck: true },
        { content: "Pivot", trigger: ".o_switch_view.o_pivot" },
        {
            content: "The pivot fits the screen",
            trigger: ".o_pivot table",
            run: () => assertNoOverflow(".o_pivot"),
        },
        { content: "List", trigger: ".o_switch_view.o_list" },
        { content: "The list", trigger: ".o_list_table", isCheck: true },
    ],
});

tours.add("duret_sms_reminder_reporting", {
    test: true,
    steps: () => [
        {
            content: "Reminder effectiveness: the pivot fits the screen",
            trigger: ".o_pivot table",
            run: () => assertNoOverflow(".o_pivot"),
        },
        { content: "Graph", trigger: ".o_switch_view.o_graph" },
        { content: "The graph", trigger: ".o_graph_renderer canvas", isCheck: true },
    ],
});

tours.add("duret_sms_composer_gsm_choice", {
    test: true,
    steps: () => [
        {
            content: "Each special character on its own line, with what it costs",
            trigger: '.o_duret_sms_gsm_choice .o_field_widget[name="duret_gsm_choice_3"]:contains("SMS")',
            isCheck: true,
        },
        {
            content: "Replace only the typographic apostrophe",
            trigger: '.o_duret_sms_gsm_choice:has(.o_field_widget[name="duret_gsm_choice_3"]) button[name="action_duret_gsm_replace"]',
        },
        {
            content: "Reopened with two characters left to choose",
            trigger: '.o_form_view:has(.o_field_widget[name="duret_gsm_choice_2"]):not(:has(.o_field_widget[name="duret_gsm_choice_3"]))',
            isCheck: true,
        },
        {
            content: "The apostrophe is gone, the accents stay",
            trigger: '.o_field_widget[name="body"] textarea',
            run: () => {
                const body = document.querySelector('.o_field_widget[name="body"] textarea').value;
                if (!body.includes("L'équipe") || !body.includes("prêt bientôt")) {
                    console.error(`duret_sms tour: the text changed beyond the pick: ${body}`);
                }
            },
        },
        { content: "Close", trigger: ".modal-header .btn-close" },
        { content: "Closed", trigger: "body:not(:has(.modal))", isCheck: true },
    ],
});
