"""Rank technicians for an urgent intervention: who is free now, and who is closest.

Pure Python (no Odoo): the wizard turns users and calendar events into :class:`Technician`
values and shows :func:`explain`'s line for each :class:`Ranking`.

Rules, decided here:
- A technician is *free* when none of their appointments overlaps ``[now, now + horizon)``.
  A busy technician is *busy until* the end of the run of back-to-back (or overlapping)
  appointments that covers the first conflict.
- Their position is where their current or last appointment of the day takes place (the
  latest one started at or before ``now`` whose place has coordinates), else their base.
- The distance is the straight line (haversine, mean Earth radius): no network needed.
- Order: free before busy; busy ones by the time they become free; then by distance, unknown
  distances last; then by name. Technicians equal on all three criteria but the name share
  the same rank (a tie, shown as such).
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
DEFAULT_HORIZON = timedelta(hours=3)
# Two distances closer than this (10 m) are the same for ranking: GPS noise, not a difference.
DISTANCE_TIE_KM = 0.01

FRENCH_TEXTS = {
    "free": "libre",
    "busy_until": "occupé jusqu'à {time}",
    "distance": "{km} km",
    "no_coordinates": "pas de coordonnées",
    "from_appointment": "depuis son RDV de {time}",
    "from_base": "depuis sa base",
    "tie": "ex æquo",
}


@dataclass(frozen=True)
class Appointment:
    """One appointment of a technician: naive UTC ``start``/``stop``, where it takes place."""

    start: datetime
    stop: datetime
    position: tuple[float, float] | None = None


@dataclass(frozen=True)
class Technician:
    key: object
    name: str
    base: tuple[float, float] | None = None
    appointments: tuple[Appointment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Ranking:
    key: object
    name: str
    rank: int
    free: bool
    busy_until: datetime | None
    distance_km: float | None
    position_from: Appointment | None  # None: the base (or no position at all)
    tie: bool = False


def valid_position(lat, lon):
    """Return ``(lat, lon)`` as floats, or ``None`` when unset or out of range.

    Odoo stores unset coordinates as 0.0: (0, 0) is in the Gulf of Guinea, never a customer.
    """
    if lat is None or lon is None or lat is False or lon is False:
        return None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if (lat, lon) == (0.0, 0.0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def haversine_km(a, b):
    """Great-circle distance in km between two ``(lat, lon)`` points in degrees."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def busy_until(appointments, now, horizon=DEFAULT_HORIZON):
    """Return ``None`` if free over ``[now, now + horizon)``, else when the busy run ends."""
    end_window = now + horizon
    conflicts = sorted(
        (a for a in appointments if a.start < end_window and a.stop > now), key=lambda a: a.start
    )
    if not conflicts:
        return None
    until = conflicts[0].stop
    # Chain appointments that start before the previous one ends: no gap to slip into.
    for appointment in sorted(appointments, key=lambda a: a.start):
        if appointment.start <= until < appointment.stop:
            until = appointment.stop
    return until


def current_position(technician, now, day_start):
    """Return ``(position, appointment)``: the current or last appointment's place, else base.

    ``day_start`` is the naive UTC start of the technician's local day; earlier appointments
    do not count (the technician went home since).
    """
    started = sorted(
        (
            a
            for a in technician.appointments
            if day_start <= a.start <= now and a.position is not None
        ),
        key=lambda a: a.start,
    )
    if started:
        return started[-1].position, started[-1]
    return technician.base, None


def rank(technicians, target, now, horizon=DEFAULT_HORIZON, tz="Europe/Paris"):
    """Rank ``technicians`` for an intervention at ``target`` (``(lat, lon)`` or ``None``).

    ``now`` is naive UTC. Returns a list of :class:`Ranking`, best first.
    """
    zone = ZoneInfo(tz)
    local_now = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    local_midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    day_start = local_midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    rows = []
    for technician in technicians:
        until = busy_until(technician.appointments, now, horizon)
        position, appointment = current_position(technician, now, day_start)
        distance = haversine_km(position, target) if position and target else None
        rows.append((technician, until, distance, appointment))

    def sort_key(row):
        technician, until, distance, _appointment = row
        return (
            until is not None,
            until or datetime.min,
            distance is None,
            distance if distance is not None else 0.0,
            technician.name.casefold(),
            str(technician.key),
        )

    rows.sort(key=sort_key)
    result = []
    previous = None
    for index, (technician, until, distance, appointment) in enumerate(rows):
        tied = previous is not None and _same_place(previous, (until, distance))
        rank_number = result[-1].rank if tied else index + 1
        if tied and not result[-1].tie:
            result[-1] = _with_tie(result[-1])
        result.append(
            Ranking(
                key=technician.key,
                name=technician.name,
                rank=rank_number,
                free=until is None,
                busy_until=until,
                distance_km=distance,
                position_from=appointment,
                tie=tied,
            )
        )
        previous = (until, distance)
    return result


def _same_place(a, b):
    (until_a, dist_a), (until_b, dist_b) = a, b
    if until_a != until_b or (dist_a is None) != (dist_b is None):
        return False
    return dist_a is None or abs(dist_a - dist_b) < DISTANCE_TIE_KM


def _with_tie(ranking):
    return Ranking(**{**ranking.__dict__, "tie": True})


def format_km(km, decimal_point=","):
    """4.234 → "4,2"; 12.6 → "13" (a decimal is noise beyond 10 km)."""
    text = f"{km:.1f}" if round(km, 1) < 10 else f"{km:.0f}"
    return text.replace(".", decimal_point)


def format_hour(when_utc, tz="Europe/Paris"):
    """Naive UTC → French clock time: "15h", "15h30"."""
    local = when_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz))
    return f"{local.hour}h" if local.minute == 0 else f"{local.hour}h{local.minute:02d}"


def explain(ranking, texts=None, tz="Europe/Paris", decimal_point=","):
    """One short line saying why ``ranking`` is where it is: "libre, 4,2 km (depuis sa base)".

    ``texts`` overrides the phrases (keys of :data:`FRENCH_TEXTS`; ``{time}`` and ``{km}`` are
    filled in), so the Odoo side can pass translated ones.
    """
    texts = {**FRENCH_TEXTS, **(texts or {})}
    parts = [
        texts["free"]
        if ranking.free
        else texts["busy_until"].format(time=format_hour(ranking.busy_until, tz))
    ]
    if ranking.distance_km is None:
        parts.append(texts["no_coordinates"])
    else:
        origin = (
            texts["from_appointment"].format(time=format_hour(ranking.position_from.start, tz))
            if ranking.position_from
            else texts["from_base"]
        )
        km = texts["distance"].format(km=format_km(ranking.distance_km, decimal_point))
        parts.append(f"{km} ({origin})")
    if ranking.tie:
        parts.append(texts["tie"])
    return ", ".join(parts)
