"""The technician's arrival time (core/eta.py)."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core import eta

BELLECOUR = (45.7578, 4.8320)
VILLEURBANNE = (45.7719, 4.8902)


def test_distance_lyon():
    assert eta.distance_km(*BELLECOUR, *VILLEURBANNE) == pytest.approx(4.8, abs=0.3)


def test_travel_minutes_road_factor_and_speed():
    minutes = eta.travel_minutes(BELLECOUR, VILLEURBANNE, road_factor=1.3, speed_kmh=30)
    assert minutes == pytest.approx(4.8 * 1.3 / 30 * 60, abs=1)
    slower = eta.travel_minutes(BELLECOUR, VILLEURBANNE, road_factor=1.3, speed_kmh=15)
    assert slower == pytest.approx(2 * minutes, rel=0.01)


@pytest.mark.parametrize(
    ("origin", "destination"),
    [
        (None, BELLECOUR),
        (BELLECOUR, None),
        ((0.0, 0.0), BELLECOUR),
        ((91.0, 4.0), BELLECOUR),
        ((45.7, 4.8), (48.85, 2.35)),  # Lyon to Paris: not a technician's drive
    ],
)
def test_travel_minutes_unknown(origin, destination):
    assert eta.travel_minutes(origin, destination) is None


def test_minimum_travel():
    assert eta.travel_minutes(BELLECOUR, BELLECOUR) == eta.MIN_TRAVEL_MINUTES


@pytest.mark.parametrize(
    ("now", "minutes", "expected"),
    [
        (datetime(2026, 6, 9, 8, 0), 15, datetime(2026, 6, 9, 8, 15)),
        (datetime(2026, 6, 9, 8, 2), 21, datetime(2026, 6, 9, 8, 25)),
        (datetime(2026, 6, 9, 8, 2, 30), 20, datetime(2026, 6, 9, 8, 25)),
        (datetime(2026, 6, 9, 8, 58), 4.2, datetime(2026, 6, 9, 9, 5)),
    ],
)
def test_arrival_rounded_up_to_five_minutes(now, minutes, expected):
    assert eta.arrival(now, minutes) == expected


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
    st.floats(min_value=0, max_value=600),
)
def test_arrival_never_early_and_on_the_mark(now, minutes):
    at = eta.arrival(now, minutes)
    assert at.minute % 5 == 0 and at.second == 0
    assert (at - now).total_seconds() >= minutes * 60 - 1e-6
    assert (at - now).total_seconds() < minutes * 60 + 6 * 60 + 1


def test_thirty_minute_rule():
    sent = datetime(2026, 6, 9, 8, 0)
    assert eta.may_send_again(None, sent) == (True, None)
    allowed, next_at = eta.may_send_again(sent, datetime(2026, 6, 9, 8, 29))
    assert not allowed and next_at == datetime(2026, 6, 9, 8, 30)
    assert eta.may_send_again(sent, datetime(2026, 6, 9, 8, 30))[0]
