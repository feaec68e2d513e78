"""Sending windows: when an SMS may go out, by local time, weekday and public holiday.

Conventions: every datetime argument and result is a naive UTC datetime, as Odoo stores them;
aware datetimes are accepted and converted. Dates (``d``) are local calendar dates. A window is
``(start, end)`` in local wall-clock time, start inclusive and end exclusive.

Duret's default policy (weekdays 08:00-20:00, Saturday 09:00-18:00, closed on Sundays and public
holidays) sits inside the AF2M charter hours (08:00-21:30 from 2026, Sundays and holidays not
recommended). No statute sets SMS hours in France; the charter binds senders by contract.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from dateutil.easter import easter

_UTC = timezone.utc  # datetime.UTC is Python 3.11+, Odoo 17 runs on 3.10

# Long enough to go round a year of weekly closures and holidays; a policy that does not open
# within it never will (all windows None), and searching on would loop forever.
SEARCH_DAYS = 400
_WHOLE_DAY = (time.min, time.max)


@lru_cache(maxsize=32)
def _zone(tz):
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone {tz!r}") from exc


@dataclass(frozen=True)
class SendingPolicy:
    """When SMS may be sent: one window per kind of day, ``None`` meaning closed all day.

    ``holiday`` applies on public holidays whatever the weekday. ``alsace_moselle`` adds Good
    Friday and 26 December (Code du travail L3134-13). ``always`` opens every instant: for
    internal urgent alerts to staff, never for customers.
    """

    tz: str = "Europe/Paris"
    weekday: tuple[time, time] | None = (time(8), time(20))
    saturday: tuple[time, time] | None = (time(9), time(18))
    sunday: tuple[time, time] | None = None
    holiday: tuple[time, time] | None = None
    country: str = "FR"
    alsace_moselle: bool = False
    always: bool = False

    def __post_init__(self):
        _zone(self.tz)  # fail at configuration time, not at the first send
        for name in ("weekday", "saturday", "sunday", "holiday"):
            window = getattr(self, name)
            if window is None:
                continue
            window = tuple(window)  # lists come from JSON settings
            if len(window) != 2 or not all(isinstance(t, time) for t in window):
                raise ValueError(f"{name} window must be (start, end) times, got {window!r}")
            if not window[0] < window[1]:
                raise ValueError(f"{name} window must start before it ends, got {window!r}")
            object.__setattr__(self, name, window)
        if self.country not in holidays.list_supported_countries():
            raise ValueError(f"No public holiday calendar for country {self.country!r}")
        if self.alsace_moselle and self.country != "FR":
            raise ValueError("alsace_moselle only applies to country FR")


DEFAULT_POLICY = SendingPolicy()
ALWAYS_OPEN = SendingPolicy(always=True)


@lru_cache(maxsize=128)
def _holiday_dates(country, alsace_moselle, year):
    dates = set(holidays.country_holidays(country, years=year))
    if alsace_moselle:
        # Recent `holidays` releases have these under subdivision "57"/"6AE", but the declared
        # minimum version predates those codes; two fixed rules are safer than a version test.
        dates |= {easter(year) - timedelta(days=2), date(year, 12, 26)}
    return frozenset(dates)


def _check_date(d):
    # datetime is a subclass of date: it would silently never match a holiday.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"Expected a local calendar date, got {d!r}")


def _to_naive_utc(when):
    return when.astimezone(_UTC).replace(tzinfo=None) if when.tzinfo else when


def _to_local(when_utc, tz):
    return _to_naive_utc(when_utc).replace(tzinfo=_UTC).astimezone(_zone(tz))


def is_public_holiday(d, policy=DEFAULT_POLICY):
    """Tell whether local date ``d`` is a public holiday for the policy's country (and region)."""
    _check_date(d)
    return d in _holiday_dates(policy.country, policy.alsace_moselle, d.year)


def window_for(d, policy=DEFAULT_POLICY):
    """Return the ``(start, end)`` window of local date ``d``, or ``None`` when closed all day."""
    _check_date(d)
    if policy.always:
        return _WHOLE_DAY
    if is_public_holiday(d, policy):
        return policy.holiday
    if d.weekday() < 5:
        return policy.weekday
    return policy.saturday if d.weekday() == 5 else policy.sunday


def is_allowed(when_utc, policy=DEFAULT_POLICY):
    """Tell whether an SMS may be sent at ``when_utc`` (naive UTC, or aware)."""
    if policy.always:
        return True
    local = _to_local(when_utc, policy.tz)
    window = window_for(local.date(), policy)
    return window is not None and window[0] <= local.time() < window[1]


def local_to_utc(d, t, tz="Europe/Paris"):
    """Return the naive UTC instant of wall-clock time ``t`` on local date ``d`` in ``tz``.

    A time skipped by a DST change (02:30 on the last Sunday of March in Paris) is moved later by
    the length of the gap (03:30 CEST), as java.time does; a time that happens twice (02:30 on
    the last Sunday of October) is its first occurrence, so a scheduled send is never an hour late.
    """
    aware = datetime.combine(d, t).replace(tzinfo=_zone(tz))  # fold=0: the rules above
    return _to_naive_utc(aware)


def next_allowed(when_utc, policy=DEFAULT_POLICY):
    """Return ``when_utc`` (as naive UTC) if sending is allowed then, else the next opening.

    Raises ``ValueError`` when the policy does not open within ``SEARCH_DAYS`` days.
    """
    when = _to_naive_utc(when_utc)
    if is_allowed(when, policy):
        return when
    zone = _zone(policy.tz)
    day = _to_local(when, policy.tz).date()
    for _ in range(SEARCH_DAYS):
        window = window_for(day, policy)
        if window:
            # Both readings of the opening time: after clocks go back, the second 02:30 may
            # be the next opening when ``when`` lies between the two.
            for fold in (0, 1):
                opening = datetime.combine(day, window[0], tzinfo=zone).replace(fold=fold)
                candidate = _to_naive_utc(opening)
                if candidate >= when and is_allowed(candidate, policy):
                    return candidate
        day += timedelta(days=1)
    raise ValueError(f"The sending policy does not open within {SEARCH_DAYS} days")


def last_allowed_day_before(d, policy=DEFAULT_POLICY):
    """Return the last local date strictly before ``d`` that has a sending window.

    Monday gives Saturday; the day after a holiday gives the open day before it. Raises
    ``ValueError`` when no such day exists within ``SEARCH_DAYS`` days.
    """
    _check_date(d)
    for back in range(1, SEARCH_DAYS + 1):
        day = d - timedelta(days=back)
        if window_for(day, policy):
            return day
    raise ValueError(f"The sending policy has no open day in the {SEARCH_DAYS} days before {d}")
