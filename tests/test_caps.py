"""Sliding-window frequency caps (duret_sms.core.caps)."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core.caps import next_allowed_by_cap

NOW = datetime(2026, 3, 30, 10, 0)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)


@pytest.mark.parametrize(
    ("sent_at", "max_count", "period", "expected"),
    [
        ([], 1, WEEK, None),
        ([NOW - 8 * DAY], 1, WEEK, None),
        ([NOW - WEEK], 1, WEEK, None),  # exactly one period ago: it has just left the window
        ([NOW - WEEK + timedelta(seconds=1)], 1, WEEK, NOW + timedelta(seconds=1)),
        ([NOW - 2 * DAY], 1, WEEK, NOW + 5 * DAY),
        ([NOW], 1, WEEK, NOW + WEEK),
        ([NOW - 2 * DAY, NOW - 5 * DAY], 1, WEEK, NOW + 5 * DAY),  # the later one decides
        ([NOW - 5 * DAY, NOW - 2 * DAY], 1, WEEK, NOW + 5 * DAY),  # order does not matter
        ([NOW - 2 * DAY], 2, WEEK, None),
        ([NOW - 2 * DAY, NOW - 5 * DAY], 2, WEEK, NOW + 2 * DAY),  # the older one frees a slot
        ([NOW - 1 * DAY, NOW - 2 * DAY, NOW - 5 * DAY], 2, WEEK, NOW + 5 * DAY),
        ([NOW - 2 * DAY, NOW - 2 * DAY], 2, WEEK, NOW + 5 * DAY),  # duplicates both count
        ([NOW - 2 * DAY, NOW - 10 * DAY], 2, WEEK, None),
        ([NOW - 2 * DAY], 0, WEEK, None),  # no cap
        ([NOW - 2 * DAY], -1, WEEK, None),
        ([NOW - timedelta(hours=1)], 1, timedelta(hours=24), NOW + timedelta(hours=23)),
        ([NOW + DAY], 1, WEEK, NOW + 8 * DAY),  # a future timestamp counts (clock skew)
        ([NOW + DAY], 2, WEEK, None),
    ],
)
def test_next_allowed_by_cap(sent_at, max_count, period, expected):
    assert next_allowed_by_cap(sent_at, NOW, max_count, period) == expected


def test_default_is_one_per_week():
    assert next_allowed_by_cap([NOW - 3 * DAY], NOW) == NOW + 4 * DAY
    assert next_allowed_by_cap([NOW - 7 * DAY], NOW) is None


def test_accepts_any_iterable():
    assert next_allowed_by_cap((s for s in [NOW - DAY]), NOW) == NOW + 6 * DAY


@pytest.mark.parametrize("period", [timedelta(0), -DAY])
def test_period_must_be_positive(period):
    with pytest.raises(ValueError, match="positive"):
        next_allowed_by_cap([NOW], NOW, 1, period)


def _count_in_window(sent_at, at, period):
    return sum(1 for s in sent_at if s + period > at)


offsets = st.lists(st.integers(min_value=-20 * 24, max_value=2 * 24), max_size=12)


@given(offsets, st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=14 * 24))
def test_result_is_the_first_instant_under_the_cap(hours, max_count, period_hours):
    sent_at = [NOW + timedelta(hours=h) for h in hours]
    period = timedelta(hours=period_hours)
    result = next_allowed_by_cap(sent_at, NOW, max_count, period)
    if result is None:
        assert _count_in_window(sent_at, NOW, period) < max_count
        return
    assert result > NOW
    assert _count_in_window(sent_at, result, period) < max_count
    # One hour earlier (all inputs are whole hours) the cap still held.
    assert _count_in_window(sent_at, result - timedelta(hours=1), period) >= max_count
    # Asking again at that instant says go: a caller that waits as told is not refused again.
    assert next_allowed_by_cap(sent_at, result, max_count, period) is None


@given(offsets, st.integers(min_value=-3, max_value=0))
def test_no_cap_never_blocks(hours, max_count):
    assert next_allowed_by_cap([NOW + timedelta(hours=h) for h in hours], NOW, max_count) is None
