"""E.164 normalisation and mobile detection (duret_sms.core.phone)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core.phone import (
    PhoneNumberError,
    display,
    is_mobile,
    normalize,
    try_normalize,
)

MOBILE = "+33612345678"


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        ("06 12 34 56 78", "FR", MOBILE),
        ("0612345678", "FR", MOBILE),
        ("06.12.34.56.78", "FR", MOBILE),
        ("06-12-34-56-78", "FR", MOBILE),
        (" 06 12 34 56 78 ", "FR", MOBILE),
        ("+33 6 12 34 56 78", "FR", MOBILE),
        ("+33 (0)6 12 34 56 78", "FR", MOBILE),
        ("+33612345678", "FR", MOBILE),
        ("0033612345678", "FR", MOBILE),
        ("0033 6 12 34 56 78", "FR", MOBILE),
        ("33612345678", "FR", MOBILE),  # country code without "+" (spreadsheet exports)
        ("6 12 34 56 78", "FR", MOBILE),  # trunk 0 forgotten
        ("06 12 34 56 78", "fr", MOBILE),
        ("07 81 23 45 67", "FR", "+33781234567"),
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("09 70 12 34 56", "FR", "+33970123456"),
        ("+33612345678", None, MOBILE),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("+32 470 12 34 56", "FR", "+32470123456"),
        ("0032 470 12 34 56", "FR", "+32470123456"),
        ("079 123 45 67", "CH", "+41791234567"),
        ("+41 79 123 45 67", "FR", "+41791234567"),
        ("0692 12 34 56", "RE", "+262692123456"),
        ("+262 692 12 34 56", "FR", "+262692123456"),
    ],
)
def test_normalize(number, region, expected):
    assert normalize(number, region) == expected
    assert try_normalize(number, region) == expected


@pytest.mark.parametrize(
    ("number", "region", "message"),
    [
        ("", "FR", "empty"),
        ("   ", "FR", "empty"),
        (None, "FR", "empty"),
        ("abc", "FR", "not a phone number"),
        ("0612", "FR", "not a valid phone number for region FR"),
        ("06 12 34 56 78 90 12", "FR", "not a valid"),
        ("07 00 00 00 00", "FR", "not a valid"),  # unallocated range
        ("06 12 34 56 7A", "FR", "not a valid"),
        ("0612345678", "BE", "not a valid phone number for region BE"),
        ("0692 12 34 56", "FR", "not a valid"),  # overseas mobile needs its region
        ("0612345678", None, "not a phone number"),  # no region: international form only
    ],
)
def test_normalize_refuses(number, region, message):
    with pytest.raises(PhoneNumberError, match=message):
        normalize(number, region)
    assert try_normalize(number, region) is None


def test_phone_number_error_is_a_value_error():
    with pytest.raises(ValueError):
        normalize("not a number")


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        ("06 12 34 56 78", "FR", True),
        ("07 81 23 45 67", "FR", True),
        ("+33 6 12 34 56 78", "BE", True),
        ("01 42 68 53 00", "FR", False),
        ("02 99 12 34 56", "FR", False),
        ("03 88 12 34 56", "FR", False),
        ("04 72 12 34 56", "FR", False),
        ("05 56 12 34 56", "FR", False),
        ("09 70 12 34 56", "FR", False),
        ("0800 123 456", "FR", False),
        ("0470 12 34 56", "BE", True),
        ("02 512 34 56", "BE", False),
        ("079 123 45 67", "CH", True),
        ("+1 415 555 2671", "FR", True),  # FIXED_LINE_OR_MOBILE counts as mobile
        ("", "FR", False),
        ("0612", "FR", False),
        ("abc", "FR", False),
    ],
)
def test_is_mobile(number, region, expected):
    assert is_mobile(number, region) is expected


@given(st.text(max_size=30), st.sampled_from(["FR", "BE", "CH", None]))
def test_any_text_either_normalizes_to_a_fixed_point_or_raises(text, region):
    try:
        e164 = normalize(text, region)
    except PhoneNumberError:
        assert try_normalize(text, region) is None
        assert is_mobile(text, region) is False
    else:
        assert e164.startswith("+") and e164[1:].isdigit()
        assert normalize(e164, region) == e164
        assert normalize(e164, None) == e164


# 06 39 and most of 06 9x are overseas ranges (+262, +590...): stay in metropolitan 06 00-06 38.
@given(st.integers(min_value=0, max_value=38_999_999), st.sampled_from(" .-"))
def test_french_mobiles_in_any_layout(tail, sep):
    digits = f"06{tail:08d}"
    spaced = sep.join(digits[i : i + 2] for i in range(0, 10, 2))
    expected = try_normalize(digits)
    assert expected == "+33" + digits[1:]
    assert try_normalize(spaced) == expected
    assert try_normalize("+33 " + spaced[1:]) == expected


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        ("+33478123456", "FR", "04 78 12 34 56"),
        ("0478123456", "FR", "04 78 12 34 56"),
        ("04.78.12.34.56", "FR", "04 78 12 34 56"),
        ("+33 6 12 34 56 78", "FR", "06 12 34 56 78"),
        ("+32 470 12 34 56", "FR", "+32 470 12 34 56"),
        ("+33478123456", "BE", "+33 4 78 12 34 56"),  # a French number seen from Belgium
        (" 3615 ULLA ", "FR", "3615 ULLA"),  # not a number: shown as given
        ("", "FR", ""),
        (None, "FR", ""),
    ],
)
def test_display(number, region, expected):
    assert display(number, region) == expected
