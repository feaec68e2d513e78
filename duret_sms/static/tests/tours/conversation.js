/** @odoo-module **/
import { registry } from "@web/core/registry";

// Issue 21: answering an SMS conversation, driven by tests/test_conversation_tour.py at desktop
// size (an SMS officer) and at phone size (the appointment's technician). Checks look at
// elements, numbers and the texts the test wrote, never at English or French words; any
// client or console error fails the tour.
const MENU = "duret_sms.duret_sms_conversation_menu";
const QUESTION = "Le code du portail est 1234";
const ANSWER = "Merci, c'est noté. Paul sera là à 9 h.";

// The SMS app opens on its first entry, Conversations, whose label counts the waiting ones.
// (Clicking the entry again would reload the same view while the tour may already click the
// old one: the label is only checked.)
function openConversationsFromTheMenu({ phone }) {
    const steps = [
        { content: "Open the apps menu", trigger: ".o_navbar_apps_menu button" },
        {
            content: "Open the SMS app",
            trigger: '.o_app[data-menu-xmlid="duret_sms.duret_sms_menu_root"]',
        },
        {
            content: "It opens on the conversations (cards on a phone)",
            trigger: phone ? ".o_kanban_view .o_kanban_record" : ".o_list_view .o_data_row",
            isCheck: true,
        },
    ];
    if (phone) {
        return [
            ...steps,
            { content: "Open the phone's menu", trigger: ".o_mobile_menu_toggle" },
            {
                content: "The menu counts the one waiting conversation",
                trigger: `.o_burger_menu_content li[data-menu-xmlid="${MENU}"]:contains("(1)")`,
                isCheck: true,
            },
            { content: "Close the phone's menu", trigger: ".o_burger_menu_close" },
            {
                content: "Closed",
                trigger: "body:not(:has(.o_burger_menu))",
                isCheck: true,
            },
        ];
    }
    return [
        ...steps,
        {
            content: "The menu counts the one waiting conversation",
            trigger: `.o_menu_sections [data-menu-xmlid="${MENU}"]:contains("(1)")`,
            isCheck: true,
        },
    ];
}

function answer({ number, cost }) {
    return [
        {
            content: "The customer's message is in the thread",
            trigger: `.o-mail-Message:contains("${QUESTION}")`,
            isCheck: true,
        },
        { content: "Send SMS (not an e-mail to the followers)", trigger: "button.o-duret-sms-send" },
        {
            content: "The SMS goes to the conversation's number",
            trigger: `.o-duret-sms-to:contains("${number}")`,
            isCheck: true,
        },
        {
            content: "No e-mail recipient is suggested",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-SuggestedRecipient))",
            isCheck: true,
        },
        {
            content: "Type a typographic apostrophe",
            trigger: ".o-mail-Composer-input",
            run: "text L’équipe",
        },
        {
            content: "The counter names the character that makes the SMS Unicode",
            trigger: '.o-duret-sms-counter:contains(", 1 SMS") .o-duret-sms-unicode:contains("’")',
            isCheck: true,
        },
        { content: "Type the answer", trigger: ".o-mail-Composer-input", run: `text ${ANSWER}` },
        {
            content: "The counter: its characters, 1 SMS",
            trigger: `.o-duret-sms-count:contains("${[...ANSWER].length} "):contains(", 1 SMS")`,
            isCheck: true,
        },
        ...(cost
            ? [
                  {
                      content: "The estimated cost of that SMS",
                      trigger: `.o-duret-sms-count:contains("${cost}")`,
                      isCheck: true,
                  },
              ]
            : []),
        {
            content: "Plain GSM-7: no Unicode warning",
            trigger: ".o-duret-sms-counter:not(:has(.o-duret-sms-unicode))",
            isCheck: true,
        },
        {
            content: "The composer and its counter fit the screen's width",
            trigger: ".o-duret-sms-counter",
            run() {
                for (const el of [this.$anchor[0], document.querySelector(".o-mail-Composer")]) {
                    const right = el.getBoundingClientRect().right;
                    if (right > window.innerWidth) {
                        throw new Error(`composer off screen: ${right} > ${window.innerWidth}`);
                    }
                }
            },
        },
        { content: "Send it", trigger: ".o-mail-Composer-send:not([disabled])" },
        {
            content: "The answer is in the thread",
            trigger: `.o-mail-Message:contains("${ANSWER}")`,
            isCheck: true,
        },
        {
            content: "The conversation is answered",
            trigger: '.o_statusbar_status [data-value="answered"][aria-checked="true"]',
            isCheck: true,
        },
    ];
}

registry.category("web_tour.tours").add("duret_sms_conversation_desktop", {
    test: true,
    steps: () => [
        ...openConversationsFromTheMenu({ phone: false }),
        {
            content: "Open the waiting conversation from the list",
            trigger: `.o_list_view .o_data_row:contains("${QUESTION}") .o_data_cell[name="name"]`,
        },
        ...answer({ number: "+33612345678", cost: "0.08" }),
        { content: "Mark it done", trigger: '.o_form_statusbar button[name="action_done"]' },
        {
            content: "Done",
            trigger: '.o_statusbar_status [data-value="done"][aria-checked="true"]',
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("duret_sms_conversation_phone", {
    test: true,
    steps: () => [
        ...openConversationsFromTheMenu({ phone: true }),
        {
            content: "Phones list conversations as cards: open the waiting one",
            trigger: `.o_kanban_record .o_duret_sms_preview:contains("${QUESTION}")`,
        },
        ...answer({ number: "+33612345678" }),
    ],
});
