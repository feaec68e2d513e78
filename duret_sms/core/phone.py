"""Phone numbers to E.164 with ``phonenumbers``, and whether they can receive an SMS.

Accepted forms, decided here (all give "+33612345678" with region "FR"):
- national "06 12 34 56 78", with spaces, dots, dashes or brackets in any place;
- international "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", and "0033 6 12 34 56 78" (00 is
  the international prefix dialled from France);
- "33612345678", the country code without "+" or "00", as spreadsheets and CRM exports write it:
  ``phonenumbers`` strips the region's own country code only when what remains is a valid number
  and the whole is not, so a real national number is never misread;
- "6 12 34 56 78" (the trunk 0 forgotten), for the same reason.
A number is valid only if ``phonenumbers`` knows it as allocated: "07 00 00 00 00" is refused.
Foreign national numbers need their own region ("0470 12 34 56" with "BE"); French overseas
mobiles too ("0692 ..." with "RE", or "+262 692 ...").
"""

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# FIXED_LINE_OR_MOBILE is what phonenumbers answers where the plan does not tell them apart
# (United States, Canada...): such numbers usually receive SMS, so they count as mobile.
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class PhoneNumberError(ValueError):
    """A phone number that is empty, cannot be parsed, or is not a valid number."""


def _parse(number, region):
    if not number or not str(number).strip():
        raise PhoneNumberError("The phone number is empty.")
    # None means "international form only"; phonenumbers spells that region "ZZ".
    region = (region or "ZZ").upper()
    try:
        parsed = phonenumbers.parse(str(number), region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError(f"{number!r} is not a phone number ({exc}).") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneNumberError(f"{number!r} is not a valid phone number for region {region}.")
    return parsed


def normalize(number: str, region: str | None = "FR") -> str:
    """Return ``number`` in E.164 ("+33612345678"), read as a national number of ``region``.

    Raises :class:`PhoneNumberError` (a ``ValueError``) when the number is empty, unparsable or
    not a valid allocated number. With ``region=None`` only international forms are accepted.
    """
    return phonenumbers.format_number(_parse(number, region), PhoneNumberFormat.E164)


def try_normalize(number: str, region: str | None = "FR") -> str | None:
    """Return ``number`` in E.164, or ``None`` where :func:`normalize` would raise."""
    try:
        return normalize(number, region)
    except PhoneNumberError:
        return None


def is_mobile(number: str, region: str | None = "FR") -> bool:
    """Tell whether ``number`` is a valid mobile number (French 06/07, foreign mobiles).

    Landlines (French 01-05, 09), special and invalid numbers give ``False``: this never raises.
    """
    try:
        return phonenumbers.number_type(_parse(number, region)) in _MOBILE_TYPES
    except PhoneNumberError:
        return False


def display(number: str, region: str | None = "FR") -> str:
    """Return ``number`` as people of ``region`` write it: "04 78 12 34 56" in France.

    Numbers of another country are written in their international form ("+32 470 12 34 56").
    A number that cannot be parsed is returned as given (stripped), never dropped: it is shown
    to someone who may still dial it.
    """
    try:
        parsed = _parse(number, region)
    except PhoneNumberError:
        return str(number or "").strip()
    home = phonenumbers.region_code_for_number(parsed) == (region or "").upper()
    style = PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)
