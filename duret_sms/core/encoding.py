"""SMS encoding and segment counting, following Twilio's rules (GSM-7 160/153, UCS-2 70/67)."""

import unicodedata
from dataclasses import dataclass

# GSM 03.38 default alphabet, written out by hand rather than taken from a codec library: no codec
# is a declared dependency, and the exact set is the point (Twilio only sends GSM-7 when every
# character is in it). Note the capital-only Ç and the absence of â ê î ô û ë ï œ À È Ê.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + char, so it costs two septets.
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
_SINGLE = {GSM7: 160, UCS2: 70}
_PART = {GSM7: 153, UCS2: 67}  # a 6-byte concatenation header takes the rest

# Twilio Smart Encoding look-alikes (twilio.com/docs/messaging/services/smart-encoding-char-list),
# limited to the ones French office text produces; accents are never touched.
_SMART = {
    **dict.fromkeys("«»“”„‟″ʺ", '"'),
    **dict.fromkeys("‘’‚‛′´`ʼ", "'"),
    **dict.fromkeys("‐‑‒–—―−•", "-"),
    **dict.fromkeys("\u00a0\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))), " "),
    **dict.fromkeys("\u200b\u2060\ufeff", ""),  # invisible, would force UCS-2 for nothing
    "…": "...",
}
# Fullwidth ASCII (U+FF01..U+FF5E) maps to ASCII, then through the table above (｀ becomes ').
_SMART.update({chr(c): _SMART.get(chr(c - 0xFEE0), chr(c - 0xFEE0)) for c in range(0xFF01, 0xFF5F)})
_SMART_TABLE = str.maketrans(_SMART)


@dataclass(frozen=True)
class Analysis:
    """What an SMS body costs: encoding, length in units and number of billed segments."""

    text: str
    encoding: str
    units: int
    segments: int
    non_gsm: tuple[str, ...]


def smart_encode(text):
    """Return ``text`` with Twilio's Smart Encoding look-alikes replaced by GSM characters.

    The text is NFC-normalised so that a decomposed "é" (e + combining accent), which some
    phones and copy-pastes produce, becomes the single GSM character; again after replacing,
    since a fullwidth letter followed by a combining accent only composes once it is ASCII.
    Accents stay.
    """
    nfc = unicodedata.normalize("NFC", text).translate(_SMART_TABLE)
    return unicodedata.normalize("NFC", nfc)


def _pack(costs, single, part):
    """Count segments for per-character ``costs``; a character never straddles two parts."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments


def analyze(text, smart_encoding=False):
    """Return the :class:`Analysis` of ``text`` as Twilio would send it.

    With ``smart_encoding`` the Smart Encoding replacements are applied first and ``.text`` is
    the replaced text (the one to send). ``.non_gsm`` lists, in order of first appearance, the
    distinct characters that forced UCS-2 (empty for GSM-7). An empty text has 0 segments.
    """
    text = smart_encode(text or "") if smart_encoding else (text or "")
    non_gsm = tuple(dict.fromkeys(c for c in text if c not in GSM_BASIC and c not in GSM_EXTENSION))
    if not non_gsm:
        costs = [2 if c in GSM_EXTENSION else 1 for c in text]
        encoding = GSM7
    else:
        # UTF-16 code units: characters outside the BMP (emoji) are a surrogate pair.
        costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
        encoding = UCS2
    return Analysis(
        text=text,
        encoding=encoding,
        units=sum(costs),
        segments=_pack(costs, _SINGLE[encoding], _PART[encoding]),
        non_gsm=non_gsm,
    )


# Letters with no GSM-7 form whose usual plain spelling reads the same on a phone.
_LIGATURES = {"œ": "oe", "Œ": "OE", "ﬁ": "fi", "ﬂ": "fl"}


def gsm_equivalent(char):
    """Return the GSM-7 text a reader takes for ``char`` ("ê" → "e", "’" → "'", "œ" → "oe"),
    ``char`` itself when it is GSM-7 already, or None when there is none (emoji, Greek
    lowercase...). Accents GSM-7 has (é è à ù...) are kept by callers: only non-GSM characters
    are looked up."""
    if char in GSM_BASIC or char in GSM_EXTENSION:
        return char
    smart = smart_encode(char)
    if smart != char and all(c in GSM_BASIC or c in GSM_EXTENSION for c in smart):
        return smart
    if char in _LIGATURES:
        return _LIGATURES[char]
    if char == "ç":
        return "c"  # GSM-7 has only the capital Ç
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    if base and base != char and all(c in GSM_BASIC for c in base):
        return base
    return None


def _is_gsm(char):
    return char in GSM_BASIC or char in GSM_EXTENSION


def _clusters(text):
    """``text`` cut before every character of canonical combining class 0: a base character
    with the combining marks that follow it (a mark at the start is a cluster of its own)."""
    start = 0
    for i in range(1, len(text)):
        if not unicodedata.combining(text[i]):
            yield text[start:i]
            start = i
    if text:
        yield text[start:]


def _cluster_to_gsm(cluster):
    """``cluster`` with its characters replaced by their GSM-7 equivalents, composed first
    (e + combining acute is é), but only if composing brings no new non-GSM character: NFC
    also turns ω + acute into ώ, a CJK compatibility ideograph into another code point, and
    decomposes some Devanagari letters; then each character of ``cluster`` is looked up alone."""
    composed = "".join(gsm_equivalent(c) or c for c in unicodedata.normalize("NFC", cluster))
    if all(_is_gsm(c) or c in cluster for c in composed):
        return composed
    return "".join(gsm_equivalent(c) or c for c in cluster)


def to_gsm(text):
    """Return ``text`` with every non-GSM-7 character that has a GSM-7 equivalent replaced
    (see :func:`gsm_equivalent`); characters without one stay, so nothing is lost, and the
    result holds no non-GSM character that ``text`` did not already hold.

    Normalisation (a decomposed "é" becomes the GSM "é") works per base character and its
    combining marks, never on the whole text: NFC changes some characters with no GSM form
    into other ones, which would then show up in the SMS and still force UCS-2.
    """
    return "".join(_cluster_to_gsm(c) for c in _clusters(text or ""))


def replace_char(text, char):
    """Return ``text`` with every ``char`` replaced by its GSM-7 equivalent (see
    :func:`gsm_equivalent`) and every other character untouched: staff choose character by
    character, since a letter's plain form may misspell the word (bientôt → bientot)."""
    text = text or ""
    equivalent = gsm_equivalent(char) if char else None
    if equivalent is None or equivalent == char:
        return text
    return text.replace(char, equivalent)
