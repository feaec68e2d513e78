"""The technician's arrival time: distance as the crow flies, a road factor, an average speed.

Pure functions (no database, no clock): ``services/en_route.py`` gives them the positions,
the company's settings and the current instant.
"""

import math
from datetime import timedelta

EARTH_RADIUS_KM = 6371.0
ROUND_MINUTES = 5
# Never announce an arrival sooner than this: parking and stairs take a few minutes anyway.
MIN_TRAVEL_MINUTES = 5
# Beyond this, a position is surely wrong (a default 0,0 or a base in another region).
MAX_TRAVEL_MINUTES = 4 * 60
PICKED_MINUTES = (15, 30, 45)


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance between two points in decimal degrees (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def valid_position(lat, lon):
    """True for a usable position: inside the ranges and not the (0, 0) of an empty field."""
    if lat is None or lon is None:
        return False
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return False
    return not (lat == 0 and lon == 0)


def travel_minutes(origin, destination, road_factor=1.3, speed_kmh=30.0):
    """Minutes from ``origin`` to ``destination`` ((lat, lon) pairs) by road, or None when a
    position is missing or the result is not plausible.

    The straight-line distance times ``road_factor`` (roads are longer than the crow flies),
    at ``speed_kmh`` on average; never under ``MIN_TRAVEL_MINUTES``.
    """
    if not (origin and destination and valid_position(*origin) and valid_position(*destination)):
        return None
    if road_factor <= 0 or speed_kmh <= 0:
        return None
    minutes = distance_km(*origin, *destination) * road_factor / speed_kmh * 60
    if minutes > MAX_TRAVEL_MINUTES:
        return None
    return max(minutes, MIN_TRAVEL_MINUTES)


def arrival(now, minutes):
    """``now`` + ``minutes``, rounded up to the next 5-minute mark of the clock (naive UTC in,
    naive UTC out): "vers 10h25" reads better than "vers 10h23" and is not promised too early.
    """
    at = now.replace(second=0, microsecond=0) + timedelta(minutes=math.ceil(minutes))
    if now.second or now.microsecond:
        at += timedelta(minutes=1)
    extra = -at.minute % ROUND_MINUTES
    return at + timedelta(minutes=extra)


def may_send_again(last_sent, now, interval_minutes=30):
    """(allowed, next instant): an en-route SMS goes at most once per ``interval_minutes``."""
    if not last_sent:
        return True, None
    next_at = last_sent + timedelta(minutes=interval_minutes)
    return now >= next_at, next_at
