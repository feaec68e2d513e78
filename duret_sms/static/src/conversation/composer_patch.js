/** @odoo-module */

import { Composer } from "@mail/core/common/composer";
import { Chatter } from "@mail/core/web/chatter";
import { useChildSubEnv } from "@odoo/owl";
import { formatCurrency } from "@web/core/currency";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

import { analyzeSms, UCS2 } from "./sms_counter";

// Issue 21: on an SMS conversation, "Send message" sends an SMS to the conversation's number
// (duret.sms.conversation.message_post): the chatter says so, shows the number instead of the
// followers, and the composer counts characters, SMS and the estimated cost as the user types.
// Every other record's chatter is left as Odoo made it.
export const CONVERSATION_MODEL = "duret.sms.conversation";

function many2oneId(value) {
    return Array.isArray(value) ? value[0] : value?.id || false;
}

patch(Chatter.prototype, {
    setup() {
        super.setup(...arguments);
        // The form's record (number, price estimate) for the composer below, read when used.
        useChildSubEnv({ duretSmsRecord: () => this.props.webRecord });
    },
    get isDuretSmsThread() {
        return this.props.threadModel === CONVERSATION_MODEL;
    },
    get duretSmsNumber() {
        return this.props.webRecord?.data?.number || "";
    },
});

patch(Composer.prototype, {
    /** Whether what is typed here leaves as an SMS (a message, not a note, nor an edition). */
    get isDuretSms() {
        return (
            this.thread?.model === CONVERSATION_MODEL &&
            this.props.type === "message" &&
            !this.props.composer.message
        );
    },
    /** An SMS carries text only: no attachment. */
    get allowUpload() {
        return !this.isDuretSms && super.allowUpload;
    },
    get SEND_TEXT() {
        return this.isDuretSms ? _t("Send SMS") : super.SEND_TEXT;
    },
    get placeholder() {
        if (this.isDuretSms && !this.props.placeholder) {
            return _t("Write the SMS to send…");
        }
        return super.placeholder;
    },
    get duretSmsAnalysis() {
        return analyzeSms(this.props.composer.textInputContent);
    },
    /** "48 characters, 1 SMS (standard) · about €0.08", like the SMS composer's counter. */
    get duretSmsCounter() {
        const analysis = this.duretSmsAnalysis;
        // Not nested in the _t() below: the term extractor would miss them.
        const encoding = analysis.encoding === UCS2 ? _t("Unicode") : _t("standard");
        let text = _t("%(chars)s characters, %(segments)s SMS (%(encoding)s)", {
            chars: analysis.chars,
            segments: analysis.segments,
            encoding,
        });
        const data = this.env.duretSmsRecord?.()?.data;
        const price = data?.segment_price;
        const currencyId = many2oneId(data?.segment_currency_id);
        if (price > 0 && currencyId && analysis.segments) {
            text +=
                " · " +
                _t("about %(cost)s", {
                    cost: formatCurrency(price * analysis.segments, currencyId),
                });
        }
        return text;
    },
    /** The characters that make the SMS Unicode (fewer characters per SMS), or "". */
    get duretSmsUnicodeHint() {
        const nonGsm = this.duretSmsAnalysis.nonGsm;
        if (!nonGsm.length) {
            return "";
        }
        return _t("Unicode because of: %(chars)s", {
            chars: nonGsm.map((c) => `« ${c} »`).join(" "),
        });
    },
});
