"""Free slots of one technician: where a visit of a given length fits in their working time.

Pure: the caller gathers the working intervals (from Odoo's working-time calendars, public
holidays already taken out) and the busy intervals (their appointments), all as naive UTC
datetimes; this module decides which start times are free. ``/rdv/reschedule/`` offers
``free_slots`` and checks the customer's pick again with ``is_free`` when it is booked.
"""

from datetime import datetime, timedelta

STEP = timedelta(minutes=30)
_EPOCH = datetime(2000, 1, 1)


def ceil_to_step(when, step=STEP):
    """The first instant at or after ``when`` on the ``step`` grid (08:00, 08:30, ...)."""
    remainder = (when - _EPOCH) % step
    return when if not remainder else when + (step - remainder)


def _blocked(busy, buffer):
    """Busy intervals widened by the travel ``buffer`` on both sides, sorted."""
    return sorted((start - buffer, stop + buffer) for start, stop in busy if stop > start)


def _clash(start, stop, blocked):
    """The end of the last blocked interval overlapping [start, stop), or None."""
    ends = [b_stop for b_start, b_stop in blocked if b_start < stop and b_stop > start]
    return max(ends) if ends else None


def free_slots(work, busy, duration, buffer=timedelta(0), earliest=None, limit=8, step=STEP):
    """Start times (naive UTC, ascending) of up to ``limit`` free slots.

    A slot lasts ``duration``, lies wholly inside one interval of ``work``, starts on the
    ``step`` grid and not before ``earliest``, and keeps ``buffer`` away from every interval
    of ``busy`` (the technician's other appointments: travel time). Within one working
    interval the slots follow each other (the next one starts after the previous one plus
    the buffer): the customer is offered distinct choices, spread over the days, rather than
    08:00, 08:30 and 09:00.
    """
    if duration <= timedelta(0) or limit <= 0:
        return []
    blocked = _blocked(busy, buffer)
    slots = []
    for w_start, w_stop in sorted(work):
        start = ceil_to_step(max(w_start, earliest) if earliest else w_start, step)
        while start + duration <= w_stop:
            clash_end = _clash(start, start + duration, blocked)
            if clash_end is not None:
                start = ceil_to_step(clash_end, step)
                continue
            slots.append(start)
            if len(slots) >= limit:
                return slots
            start = ceil_to_step(start + duration + buffer, step)
    return slots


def is_free(start, work, busy, duration, buffer=timedelta(0), earliest=None, step=STEP):
    """Whether a visit of ``duration`` starting at ``start`` fits: on the grid, not before
    ``earliest``, inside one working interval, ``buffer`` away from every busy interval (the
    rules of ``free_slots``, for a slot the customer picked from a list that may be stale)."""
    stop = start + duration
    if ceil_to_step(start, step) != start or (earliest and start < earliest):
        return False
    if not any(w_start <= start and stop <= w_stop for w_start, w_stop in work):
        return False
    return _clash(start, stop, _blocked(busy, buffer)) is None
