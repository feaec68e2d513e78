/** @odoo-module */

// What an SMS body costs, as duret_sms/core/encoding.py's analyze() counts it (Twilio's rules:
// GSM-7 160 per SMS or 153 per part, UCS-2 70 or 67, a character never split across two
// parts). The same alphabet, written out by hand: tests/test_sms_counter_js.py runs this module
// with Node against the Python one, so the two cannot drift apart. No imports on purpose.

export const GSM_BASIC = new Set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
);
// Sent as ESC + character: two septets each.
export const GSM_EXTENSION = new Set("^{}\\[~]|€\f");

export const GSM7 = "GSM-7";
export const UCS2 = "UCS-2";
const SINGLE = { [GSM7]: 160, [UCS2]: 70 };
const PART = { [GSM7]: 153, [UCS2]: 67 };

function pack(costs, single, part) {
    const total = costs.reduce((sum, cost) => sum + cost, 0);
    if (total === 0) {
        return 0;
    }
    if (total <= single) {
        return 1;
    }
    let segments = 1;
    let used = 0;
    for (const cost of costs) {
        if (used + cost > part) {
            segments += 1;
            used = 0;
        }
        used += cost;
    }
    return segments;
}

/**
 * @param {string} text the SMS body
 * @returns {{chars: number, encoding: string, units: number, segments: number, nonGsm: string[]}}
 *   chars: characters (code points, as Python's len); units: septets or UTF-16 code units.
 */
export function analyzeSms(text) {
    const chars = [...(text || "")]; // code points: an emoji is one character
    const nonGsm = [
        ...new Set(chars.filter((c) => !GSM_BASIC.has(c) && !GSM_EXTENSION.has(c))),
    ];
    const encoding = nonGsm.length ? UCS2 : GSM7;
    const costs =
        encoding === GSM7
            ? chars.map((c) => (GSM_EXTENSION.has(c) ? 2 : 1))
            : chars.map((c) => (c.codePointAt(0) > 0xffff ? 2 : 1));
    return {
        chars: chars.length,
        encoding,
        units: costs.reduce((sum, cost) => sum + cost, 0),
        segments: pack(costs, SINGLE[encoding], PART[encoding]),
        nonGsm,
    };
}
