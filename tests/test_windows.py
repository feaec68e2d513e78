"""Sending windows, French public holidays and DST (duret_sms.core.windows)."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from duret_sms.core.windows import (
    ALWAYS_OPEN,
    DEFAULT_POLICY,
    SendingPolicy,
    is_allowed,
    is_public_holiday,
    last_allowed_day_before,
    local_to_utc,
    next_allowed,
    window_for,
)

PARIS = ZoneInfo("Europe/Paris")
ALSACE = SendingPolicy(alsace_moselle=True)


def paris(*args):
    """Naive UTC instant of a Paris wall-clock time (unambiguous times only)."""
    aware = datetime(*args, tzinfo=PARIS)
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("day", "policy", "expected"),
    [
        (date(2026, 1, 1), DEFAULT_POLICY, True),
        (date(2026, 4, 3), DEFAULT_POLICY, False),  # Good Friday: Alsace-Moselle only
        (date(2026, 4, 3), ALSACE, True),
        (date(2026, 4, 5), DEFAULT_POLICY, False),  # Easter Sunday is a Sunday, not a holiday
        (date(2026, 4, 6), DEFAULT_POLICY, True),  # Easter Monday
        (date(2026, 5, 1), DEFAULT_POLICY, True),
        (date(2026, 5, 8), DEFAULT_POLICY, True),
        (date(2026, 5, 14), DEFAULT_POLICY, True),  # Ascension
        (date(2026, 5, 25), DEFAULT_POLICY, True),  # Whit Monday
        (date(2026, 7, 14), DEFAULT_POLICY, True),
        (date(2026, 8, 15), DEFAULT_POLICY, True),
        (date(2026, 11, 1), DEFAULT_POLICY, True),
        (date(2026, 11, 11), DEFAULT_POLICY, True),
        (date(2026, 12, 25), DEFAULT_POLICY, True),
        (date(2026, 12, 26), DEFAULT_POLICY, False),
        (date(2026, 12, 26), ALSACE, True),
        (date(2025, 4, 18), ALSACE, True),  # Good Friday 2025
        (date(2027, 3, 26), ALSACE, True),  # Good Friday 2027
        (date(2027, 5, 6), DEFAULT_POLICY, True),  # Ascension 2027
        (date(2028, 6, 5), DEFAULT_POLICY, True),  # Whit Monday 2028
        (date(2026, 7, 15), DEFAULT_POLICY, False),
        (date(2026, 5, 15), ALSACE, False),
    ],
)
def test_is_public_holiday(day, policy, expected):
    assert is_public_holiday(day, policy) is expected


@pytest.mark.parametrize("year", range(2024, 2031))
def test_alsace_moselle_matches_the_holidays_subdivision(year):
    expected = set(holidays.country_holidays("FR", subdiv="57", years=year))
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(366 if year % 4 == 0 else 365)]
    assert {d for d in days if is_public_holiday(d, ALSACE)} == expected


def test_is_public_holiday_refuses_a_datetime():
    with pytest.raises(TypeError):
        is_public_holiday(datetime(2026, 12, 25, 10))


@pytest.mark.parametrize(
    ("day", "policy", "expected"),
    [
        (date(2026, 3, 27), DEFAULT_POLICY, (time(8), time(20))),  # Friday
        (date(2026, 3, 28), DEFAULT_POLICY, (time(9), time(18))),  # Saturday
        (date(2026, 3, 29), DEFAULT_POLICY, None),  # Sunday
        (date(2026, 4, 6), DEFAULT_POLICY, None),  # Easter Monday
        (date(2026, 4, 6), SendingPolicy(holiday=(time(10), time(12))), (time(10), time(12))),
        (date(2026, 3, 29), SendingPolicy(sunday=(time(10), time(12))), (time(10), time(12))),
        (date(2026, 12, 26), DEFAULT_POLICY, (time(9), time(18))),  # Saturday after Christmas
        (date(2026, 12, 26), ALSACE, None),
        (date(2026, 12, 25), ALWAYS_OPEN, (time.min, time.max)),
    ],
)
def test_window_for(day, policy, expected):
    assert window_for(day, policy) == expected


@pytest.mark.parametrize(
    ("when", "policy", "expected"),
    [
        (paris(2026, 3, 27, 7, 59, 59), DEFAULT_POLICY, False),
        (paris(2026, 3, 27, 8, 0), DEFAULT_POLICY, True),  # start inclusive
        (paris(2026, 3, 27, 19, 59, 59), DEFAULT_POLICY, True),
        (paris(2026, 3, 27, 20, 0), DEFAULT_POLICY, False),  # end exclusive
        (paris(2026, 3, 28, 8, 30), DEFAULT_POLICY, False),  # Saturday opens at 9
        (paris(2026, 3, 28, 9, 0), DEFAULT_POLICY, True),
        (paris(2026, 3, 28, 18, 0), DEFAULT_POLICY, False),
        (paris(2026, 3, 29, 12, 0), DEFAULT_POLICY, False),  # Sunday, DST day
        (paris(2026, 3, 30, 8, 0), DEFAULT_POLICY, True),  # first Monday of summer time
        (datetime(2026, 3, 30, 6, 0), DEFAULT_POLICY, True),  # 06:00 UTC = 08:00 CEST
        (datetime(2026, 3, 27, 6, 30), DEFAULT_POLICY, False),  # 06:30 UTC = 07:30 CET
        (paris(2026, 4, 6, 10, 0), DEFAULT_POLICY, False),  # Easter Monday
        (paris(2026, 4, 3, 10, 0), DEFAULT_POLICY, True),
        (paris(2026, 4, 3, 10, 0), ALSACE, False),  # Good Friday in Alsace-Moselle
        (paris(2026, 5, 14, 10, 0), DEFAULT_POLICY, False),  # Ascension
        (paris(2026, 5, 1, 10, 0), DEFAULT_POLICY, False),
        (paris(2026, 5, 8, 10, 0), DEFAULT_POLICY, False),
        (paris(2026, 7, 14, 10, 0), DEFAULT_POLICY, False),
        (paris(2026, 12, 25, 10, 0), DEFAULT_POLICY, False),
        (paris(2026, 12, 26, 10, 0), ALSACE, False),
        (paris(2026, 12, 25, 3, 0), ALWAYS_OPEN, True),
        # Aware datetimes are converted: 10:00 Paris given with its offset.
        (datetime(2026, 7, 15, 10, 0, tzinfo=PARIS), DEFAULT_POLICY, True),
        (datetime(2026, 7, 15, 20, 30, tzinfo=timezone(timedelta(hours=2))), DEFAULT_POLICY, False),
    ],
)
def test_is_allowed(when, policy, expected):
    assert is_allowed(when, policy) is expected


@pytest.mark.parametrize(
    ("day", "wall", "expected_utc"),
    [
        (date(2026, 3, 28), time(17), datetime(2026, 3, 28, 16)),  # Saturday before: CET
        (date(2026, 3, 29), time(17), datetime(2026, 3, 29, 15)),  # DST Sunday: CEST
        (date(2026, 3, 30), time(17), datetime(2026, 3, 30, 15)),
        (date(2026, 10, 24), time(17), datetime(2026, 10, 24, 15)),
        (date(2026, 10, 25), time(17), datetime(2026, 10, 25, 16)),  # back to CET
        (date(2026, 10, 26), time(17), datetime(2026, 10, 26, 16)),
        (date(2026, 1, 15), time(0), datetime(2026, 1, 14, 23)),
        (date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 30)),  # skipped: 03:30 CEST
        (date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),  # twice: the first
    ],
)
def test_local_to_utc(day, wall, expected_utc):
    assert local_to_utc(day, wall, "Europe/Paris") == expected_utc


def test_local_to_utc_other_zone():
    assert local_to_utc(date(2026, 7, 1), time(9), "America/Montreal") == datetime(2026, 7, 1, 13)


@pytest.mark.parametrize(
    ("when", "policy", "expected"),
    [
        # Inside a window: unchanged.
        (paris(2026, 3, 27, 10, 15), DEFAULT_POLICY, paris(2026, 3, 27, 10, 15)),
        # Before opening: same day.
        (paris(2026, 3, 27, 6, 0), DEFAULT_POLICY, paris(2026, 3, 27, 8, 0)),
        # Friday evening: Saturday 09:00.
        (paris(2026, 3, 27, 20, 0), DEFAULT_POLICY, paris(2026, 3, 28, 9, 0)),
        # Saturday 18:30 before the spring change: Monday 08:00 CEST = 06:00 UTC.
        (paris(2026, 3, 28, 18, 30), DEFAULT_POLICY, datetime(2026, 3, 30, 6, 0)),
        # Saturday 18:30 before the autumn change: Monday 08:00 CET = 07:00 UTC.
        (paris(2026, 10, 24, 18, 30), DEFAULT_POLICY, datetime(2026, 10, 26, 7, 0)),
        # Saturday before Easter Monday: Tuesday.
        (paris(2026, 4, 4, 18, 30), DEFAULT_POLICY, paris(2026, 4, 7, 8, 0)),
        # Saturday before Whit Monday: Tuesday.
        (paris(2026, 5, 23, 18, 30), DEFAULT_POLICY, paris(2026, 5, 26, 8, 0)),
        # Wednesday evening before Ascension: Friday.
        (paris(2026, 5, 13, 21, 0), DEFAULT_POLICY, paris(2026, 5, 15, 8, 0)),
        # Thursday 30 April evening: 1 May is a Friday holiday, so Saturday 09:00.
        (paris(2026, 4, 30, 20, 0), DEFAULT_POLICY, paris(2026, 5, 2, 9, 0)),
        # Monday 13 July evening: 14 July, then Wednesday.
        (paris(2026, 7, 13, 20, 0), DEFAULT_POLICY, paris(2026, 7, 15, 8, 0)),
        # Christmas Eve evening: Saturday 26 December, except in Alsace-Moselle.
        (paris(2026, 12, 24, 20, 0), DEFAULT_POLICY, paris(2026, 12, 26, 9, 0)),
        (paris(2026, 12, 24, 20, 0), ALSACE, paris(2026, 12, 28, 8, 0)),
        # Thursday before Good Friday in Alsace-Moselle: Saturday.
        (paris(2026, 4, 2, 20, 0), ALSACE, paris(2026, 4, 4, 9, 0)),
        # Sunday open on request.
        (
            paris(2026, 3, 28, 18, 30),
            SendingPolicy(sunday=(time(10), time(12))),
            datetime(2026, 3, 29, 8, 0),
        ),
        # Always open: unchanged, even on Christmas night.
        (paris(2026, 12, 25, 3, 0), ALWAYS_OPEN, paris(2026, 12, 25, 3, 0)),
        # Aware input, naive UTC output.
        (datetime(2026, 3, 28, 18, 30, tzinfo=PARIS), DEFAULT_POLICY, datetime(2026, 3, 30, 6)),
    ],
)
def test_next_allowed(when, policy, expected):
    assert next_allowed(when, policy) == expected


def test_next_allowed_window_opening_inside_the_spring_gap():
    policy = SendingPolicy(sunday=(time(2, 30), time(12)))
    # 02:30 does not exist on 2026-03-29: the opening moves to 03:30 CEST like local_to_utc.
    assert next_allowed(datetime(2026, 3, 28, 23, 0), policy) == datetime(2026, 3, 29, 1, 30)


def test_next_allowed_after_clocks_go_back_uses_the_second_opening():
    policy = SendingPolicy(sunday=(time(2, 30), time(12)))
    # 00:30 UTC is the first 02:30 (CEST): allowed as it stands.
    assert next_allowed(datetime(2026, 10, 25, 0, 30), policy) == datetime(2026, 10, 25, 0, 30)
    # 01:10 UTC is the second 02:10 (CET): the wall clock says before 02:30, so wait for the
    # second 02:30, at 01:30 UTC, not the first one already past.
    assert not is_allowed(datetime(2026, 10, 25, 1, 10), policy)
    assert next_allowed(datetime(2026, 10, 25, 1, 10), policy) == datetime(2026, 10, 25, 1, 30)


def test_next_allowed_raises_when_the_policy_never_opens():
    closed = SendingPolicy(weekday=None, saturday=None)
    with pytest.raises(ValueError, match="does not open"):
        next_allowed(datetime(2026, 1, 1), closed)


@pytest.mark.parametrize(
    ("day", "policy", "expected"),
    [
        (date(2026, 3, 30), DEFAULT_POLICY, date(2026, 3, 28)),  # Monday: Saturday
        (date(2026, 3, 31), DEFAULT_POLICY, date(2026, 3, 30)),
        (date(2026, 3, 29), DEFAULT_POLICY, date(2026, 3, 28)),  # Sunday: Saturday
        (date(2026, 4, 7), DEFAULT_POLICY, date(2026, 4, 4)),  # after Easter Monday
        (date(2026, 4, 7), ALSACE, date(2026, 4, 4)),
        (date(2026, 4, 4), ALSACE, date(2026, 4, 2)),  # Good Friday skipped
        (date(2026, 5, 15), DEFAULT_POLICY, date(2026, 5, 13)),  # after Ascension
        (date(2026, 5, 26), DEFAULT_POLICY, date(2026, 5, 23)),  # after Whit Monday
        (date(2026, 5, 4), DEFAULT_POLICY, date(2026, 5, 2)),  # 1 May was a Friday
        (date(2026, 5, 9), DEFAULT_POLICY, date(2026, 5, 7)),  # 8 May was a Friday
        (date(2025, 7, 15), DEFAULT_POLICY, date(2025, 7, 12)),  # 14 July 2025 was a Monday
        (date(2026, 12, 28), DEFAULT_POLICY, date(2026, 12, 26)),
        (date(2026, 12, 28), ALSACE, date(2026, 12, 24)),
        (date(2026, 3, 30), ALWAYS_OPEN, date(2026, 3, 29)),
        (date(2026, 3, 30), SendingPolicy(saturday=None), date(2026, 3, 27)),
    ],
)
def test_last_allowed_day_before(day, policy, expected):
    assert last_allowed_day_before(day, policy) == expected


def test_last_allowed_day_before_raises_when_nothing_opens():
    with pytest.raises(ValueError, match="no open day"):
        last_allowed_day_before(date(2026, 1, 1), SendingPolicy(weekday=None, saturday=None))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tz": "Europe/Nowhere"},
        {"weekday": (time(20), time(8))},
        {"saturday": (time(9), time(9))},
        {"sunday": (time(9),)},
        {"holiday": ("09:00", "12:00")},
        {"country": "BE", "alsace_moselle": True},
        {"country": "XX"},
    ],
)
def test_policy_refuses_bad_configuration(kwargs):
    with pytest.raises(ValueError):
        SendingPolicy(**kwargs)


def test_belgian_policy_uses_belgian_holidays():
    belgium = SendingPolicy(tz="Europe/Brussels", country="BE")
    assert is_public_holiday(date(2026, 7, 21), belgium)  # Belgian National Day
    assert not is_public_holiday(date(2026, 7, 14), belgium)


def test_policy_accepts_lists_and_stays_hashable():
    policy = SendingPolicy(weekday=[time(8), time(19)])
    assert policy.weekday == (time(8), time(19))
    assert hash(policy) == hash(SendingPolicy(weekday=(time(8), time(19))))


# Properties over 2024-2030 (both DST changes every year) and varied policies, including windows
# that open or close inside the 02:00-03:00 hour that DST skips or repeats.
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31))
window_times = st.times().map(lambda t: t.replace(microsecond=0))


@st.composite
def windows(draw):
    start, end = sorted(draw(st.tuples(window_times, window_times)))
    assume(start < end)
    return draw(st.one_of(st.none(), st.just((start, end))))


policies = st.one_of(
    st.sampled_from([DEFAULT_POLICY, ALSACE, ALWAYS_OPEN]),
    st.builds(
        SendingPolicy,
        tz=st.sampled_from(["Europe/Paris", "Europe/Brussels", "America/Montreal"]),
        weekday=windows(),
        saturday=windows(),
        sunday=windows(),
        holiday=windows(),
        alsace_moselle=st.booleans(),
    ),
)


@given(instants, policies)
def test_next_allowed_is_allowed_and_not_earlier(when, policy):
    try:
        result = next_allowed(when, policy)
    except ValueError:
        assume(False)  # a policy with every window closed
    assert result >= when
    assert is_allowed(result, policy)
    if is_allowed(when, policy):
        assert result == when


@given(instants)
def test_next_allowed_is_the_first_allowed_instant_for_default_policies(when):
    when = when.replace(microsecond=0)
    for policy in (DEFAULT_POLICY, ALSACE):
        result = next_allowed(when, policy)
        assert result == when or not is_allowed(result - timedelta(seconds=1), policy)
        # Nothing allowed in between, checked every 30 minutes.
        probe = when
        while probe < result:
            assert not is_allowed(probe, policy)
            probe += timedelta(minutes=30)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), policies)
def test_last_allowed_day_before_is_the_latest_open_day(day, policy):
    try:
        result = last_allowed_day_before(day, policy)
    except ValueError:
        assume(False)
    assert result < day
    assert window_for(result, policy) is not None
    gap = (day - result).days
    assert all(window_for(day - timedelta(days=n), policy) is None for n in range(1, gap))
