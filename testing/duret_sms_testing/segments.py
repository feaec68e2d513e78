"""How many segments Twilio bills for a message body: the simulator's own count.

Deliberately not ``duret_sms.core.encoding``: the addon stores the ``num_segments`` Twilio
answers, so a simulator that counted with the addon's code could never disagree with it.
This is an independent transcription of GSM 03.38 (the table in septet order, as the standard
prints it) and of Twilio's limits (160/153 GSM-7 septets, 70/67 UTF-16 code units, a character
never split across two parts); tests/test_twilio_simulator.py checks both counts agree.
"""

# GSM 03.38 default alphabet, septets 0x00 to 0x7F; 0x1B is the escape to the extension table.
_ESCAPE = "\x1b"
_BASIC_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Extension table: septet after the escape -> character (each costs two septets).
_EXTENSION_TABLE = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}
_SEPTETS = {char: 1 for char in _BASIC_TABLE if char != _ESCAPE}
_SEPTETS.update({char: 2 for char in _EXTENSION_TABLE.values()})


def _parts(costs, single, part):
    total = sum(costs)
    if total <= single:
        return 1 if total else 0
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def count_segments(body):
    """Segments Twilio bills for ``body`` sent as is (no Smart Encoding); 0 for an empty body."""
    body = body or ""
    if all(char in _SEPTETS for char in body):
        return _parts([_SEPTETS[char] for char in body], 160, 153)
    # UCS-2 as Twilio counts it: UTF-16 code units, a character outside the BMP takes two.
    return _parts([2 if ord(char) > 0xFFFF else 1 for char in body], 70, 67)
