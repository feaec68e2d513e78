"""Free slots of a technician (duret_sms.core.slots), without Odoo."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core.slots import ceil_to_step, free_slots, is_free

H = timedelta(hours=1)
M30 = timedelta(minutes=30)


def at(hour, minute=0, day=7):
    return datetime(2026, 12, day, hour, minute)


# Monday 7 and Tuesday 8 December 2026, 07:00-11:00 and 12:00-16:00 UTC (08-12 and 13-17 Paris).
WORK = [(at(7), at(11)), (at(12), at(16)), (at(7, day=8), at(11, day=8))]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(8), at(8)),
        (at(8, 1), at(8, 30)),
        (at(8, 30), at(8, 30)),
        (at(8, 31), at(9)),
    ],
)
def test_ceil_to_step(when, expected):
    assert ceil_to_step(when) == expected


def test_slots_follow_each_other_with_the_buffer():
    slots = free_slots(WORK, [], 2 * H, buffer=M30, limit=10)
    # 07:00-09:00, then 09:30 does not fit before 11:00; 12:00-14:00, 14:30 fits not (16:30).
    assert slots == [at(7), at(12), at(7, day=8)]


def test_no_buffer_packs_the_slots():
    assert free_slots(WORK, [], 2 * H, limit=3) == [at(7), at(9), at(12)]


def test_limit():
    assert free_slots(WORK, [], H, limit=2) == [at(7), at(8)]
    assert free_slots(WORK, [], H, limit=0) == []


def test_busy_interval_and_buffer_are_avoided():
    busy = [(at(8), at(9))]
    slots = free_slots(WORK, busy, H, buffer=M30, limit=3)
    # 07:00-08:00 would end 30 min before the visit at 08:00: no; after it, 09:30.
    assert slots[0] == at(9, 30)
    assert not is_free(at(7), WORK, busy, H, buffer=M30)
    assert is_free(at(7), WORK, busy, H, buffer=timedelta(0))
    assert not is_free(at(9), WORK, busy, H, buffer=M30)
    assert is_free(at(9, 30), WORK, busy, H, buffer=M30)


def test_earliest_and_past():
    slots = free_slots(WORK, [], H, earliest=at(13, 10), limit=2)
    assert slots == [at(13, 30), at(14, 30)]
    assert not is_free(at(12), WORK, [], H, earliest=at(13, 10))


def test_a_slot_never_straddles_two_working_intervals():
    # 10:00-12:00 would cover the lunch break.
    assert not is_free(at(10), WORK, [], 2 * H)
    assert at(10) not in free_slots(WORK, [], 2 * H, limit=20)


def test_off_grid_pick_is_refused():
    assert not is_free(at(7, 10), WORK, [], H)


def test_zero_duration_gives_nothing():
    assert free_slots(WORK, [], timedelta(0)) == []


QUARTER = timedelta(minutes=15)
# A busy interval: starts on a quarter hour of Monday 7 or Tuesday 8, lasts 15 min to 4 h.
BUSY = st.tuples(st.integers(0, 48 * 4), st.integers(1, 16)).map(
    lambda t: (at(0) + t[0] * QUARTER, at(0) + (t[0] + t[1]) * QUARTER)
)


@given(
    busy=st.lists(BUSY, max_size=6),
    minutes=st.integers(1, 8).map(lambda n: n * 30),
    buffer=st.sampled_from([timedelta(0), M30, H]),
)
def test_every_offered_slot_is_free(busy, minutes, buffer):
    duration = timedelta(minutes=minutes)
    slots = free_slots(WORK, busy, duration, buffer=buffer, limit=50)
    assert slots == sorted(set(slots))
    for slot in slots:
        assert is_free(slot, WORK, busy, duration, buffer=buffer)
