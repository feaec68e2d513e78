from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core.dispatch_ranking import (
    Appointment,
    Technician,
    busy_until,
    explain,
    format_hour,
    format_km,
    haversine_km,
    rank,
    valid_position,
)

# Fixed places around Strasbourg (Duret's area) and known distances.
CUSTOMER = (48.5734, 7.7521)  # Strasbourg, place Kléber
NEAR = (48.5839, 7.7455)  # ~1.3 km north
FAR = (48.7440, 7.3620)  # Saverne side, ~34 km
PARIS = (48.8566, 2.3522)
# 10:00 UTC on a winter Tuesday = 11:00 in Paris.
NOW = datetime(2025, 1, 14, 10, 0)


def appt(start_h, stop_h, position=None, day=NOW):
    base = day.replace(hour=0, minute=0)
    return Appointment(base + timedelta(hours=start_h), base + timedelta(hours=stop_h), position)


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        (PARIS, (45.7640, 4.8357), 391.5),  # Paris - Lyon
        (CUSTOMER, CUSTOMER, 0.0),
        ((0.0, 0.0), (0.0, 1.0), 111.2),  # one degree on the equator
    ],
)
def test_haversine_known_distances(a, b, km):
    assert haversine_km(a, b) == pytest.approx(km, abs=0.5)


@given(
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
)
def test_haversine_symmetric_and_bounded(a, b):
    d = haversine_km(a, b)
    assert d == pytest.approx(haversine_km(b, a), abs=1e-6)
    assert 0 <= d <= 20016  # half the Earth's circumference


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (0.0, 0.0, None),  # Odoo's "unset"
        (False, False, None),
        (None, 7.0, None),
        (91.0, 7.0, None),
        (48.5, 200.0, None),
        ("48.5", "7.7", (48.5, 7.7)),
        (48.5734, 7.7521, (48.5734, 7.7521)),
    ],
)
def test_valid_position(lat, lon, expected):
    assert valid_position(lat, lon) == expected


@pytest.mark.parametrize(
    ("appointments", "expected"),
    [
        ([], None),
        ([appt(7, 9)], None),  # finished before now (10:00 UTC)
        ([appt(13, 14)], None),  # starts exactly at now + 3h: free over the window
        ([appt(9, 11)], NOW.replace(hour=11)),  # in progress
        ([appt(12, 13)], NOW.replace(hour=13)),  # starts within the horizon
        ([appt(9, 11), appt(11, 12), appt(12, 12.5)], NOW.replace(hour=12, minute=30)),  # chain
        ([appt(9, 11), appt(11.5, 12)], NOW.replace(hour=11)),  # a gap: free at 11
    ],
)
def test_busy_until(appointments, expected):
    assert busy_until(appointments, NOW, timedelta(hours=3)) == expected


def test_horizon_is_configurable():
    assert busy_until([appt(13, 14)], NOW, timedelta(hours=4)) == NOW.replace(hour=14)
    assert busy_until([appt(11, 12)], NOW, timedelta(minutes=30)) is None


def test_free_before_busy_then_distance():
    techs = [
        Technician(1, "Busy near", base=FAR, appointments=(appt(9, 11, NEAR),)),
        Technician(2, "Free far", base=FAR),
        Technician(3, "Free near", base=NEAR),
    ]
    ranked = rank(techs, CUSTOMER, NOW)
    assert [r.name for r in ranked] == ["Free near", "Free far", "Busy near"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert ranked[0].free and not ranked[2].free
    assert ranked[0].distance_km == pytest.approx(1.3, abs=0.1)
    assert explain(ranked[0]) == "libre, 1,3 km (depuis sa base)"
    assert explain(ranked[1]) == "libre, 34 km (depuis sa base)"
    # 11:00 UTC is noon in Paris in winter
    assert explain(ranked[2]) == "occupé jusqu'à 12h, 1,3 km (depuis son RDV de 10h)"


def test_busy_ones_sorted_by_when_they_free_up():
    techs = [
        Technician(1, "Until 13", base=NEAR, appointments=(appt(9, 13),)),
        Technician(2, "Until 11:30", base=FAR, appointments=(appt(9, 11.5),)),
    ]
    ranked = rank(techs, CUSTOMER, NOW)
    assert [r.name for r in ranked] == ["Until 11:30", "Until 13"]
    assert "occupé jusqu'à 12h30" in explain(ranked[0])


def test_position_is_current_or_last_appointment_of_today():
    techs = [
        # based far away, but their morning appointment was next door
        Technician(1, "Came by", base=FAR, appointments=(appt(7, 8, NEAR),)),
        # last appointment was yesterday near the customer: they went home (FAR) since
        Technician(
            2,
            "Yesterday",
            base=FAR,
            appointments=(appt(7, 8, NEAR, day=NOW - timedelta(days=1)),),
        ),
        # an appointment later today does not move them now
        Technician(3, "Later", base=FAR, appointments=(appt(15, 16, NEAR),)),
    ]
    ranked = {r.name: r for r in rank(techs, CUSTOMER, NOW)}
    assert ranked["Came by"].distance_km == pytest.approx(1.3, abs=0.1)
    assert ranked["Came by"].position_from.start == NOW.replace(hour=7)
    assert ranked["Yesterday"].distance_km == pytest.approx(34, abs=1)
    assert ranked["Yesterday"].position_from is None
    assert ranked["Later"].distance_km == pytest.approx(34, abs=1)


def test_appointment_without_coordinates_falls_back_to_an_earlier_one_or_base():
    tech = Technician(1, "T", base=FAR, appointments=(appt(6, 7, NEAR), appt(8, 9, None)))
    assert rank([tech], CUSTOMER, NOW)[0].position_from.start == NOW.replace(hour=6)


def test_tie_shares_the_rank_and_is_said():
    techs = [
        Technician(1, "Bruno", base=NEAR),
        Technician(2, "Alice", base=NEAR),
        Technician(3, "Chloé", base=FAR),
    ]
    ranked = rank(techs, CUSTOMER, NOW)
    assert [(r.name, r.rank, r.tie) for r in ranked] == [
        ("Alice", 1, True),
        ("Bruno", 1, True),
        ("Chloé", 3, False),
    ]
    assert explain(ranked[0]).endswith(", ex æquo")
    assert "ex æquo" not in explain(ranked[2])


def test_no_coordinates_ranked_after_known_distances():
    techs = [
        Technician(1, "Nowhere", base=None),
        Technician(2, "Far", base=FAR),
    ]
    ranked = rank(techs, CUSTOMER, NOW)
    assert [r.name for r in ranked] == ["Far", "Nowhere"]
    assert ranked[1].distance_km is None
    assert explain(ranked[1]) == "libre, pas de coordonnées"
    assert not ranked[1].tie


def test_customer_without_coordinates_ranks_by_availability_then_name():
    techs = [
        Technician(1, "Busy", base=NEAR, appointments=(appt(9, 11),)),
        Technician(2, "Zoé", base=NEAR),
        Technician(3, "Alain", base=FAR),
    ]
    ranked = rank(techs, None, NOW)
    assert [r.name for r in ranked] == ["Alain", "Zoé", "Busy"]
    assert [r.rank for r in ranked] == [1, 1, 3]  # both free, distance unknown: a tie
    assert explain(ranked[2]) == "occupé jusqu'à 12h, pas de coordonnées"


def test_day_boundary_follows_local_time():
    # 23:30 UTC on the 13th is 00:30 on the 14th in Paris: an appointment at 22:00 UTC on the
    # 13th (23:00 Paris, the 13th) is yesterday's and does not count.
    now = datetime(2025, 1, 13, 23, 30)
    tech = Technician(
        1,
        "Night",
        base=FAR,
        appointments=(Appointment(datetime(2025, 1, 13, 22), datetime(2025, 1, 13, 22, 30), NEAR),),
    )
    assert rank([tech], CUSTOMER, now)[0].position_from is None


def test_explain_with_translated_texts():
    ranked = rank([Technician(1, "T", base=NEAR)], CUSTOMER, NOW)[0]
    texts = {"free": "free", "from_base": "from base"}
    assert explain(ranked, texts=texts, decimal_point=".") == "free, 1.3 km (from base)"


@pytest.mark.parametrize(("km", "text"), [(0.04, "0,0"), (4.25, "4,2"), (9.96, "10"), (12.6, "13")])
def test_format_km(km, text):
    assert format_km(km) == text


def test_format_hour_summer_and_winter():
    assert format_hour(datetime(2025, 7, 1, 13, 0)) == "15h"
    assert format_hour(datetime(2025, 1, 14, 13, 5)) == "14h05"
