"""Frequency caps: at most ``max_count`` SMS of one category to one number per sliding period."""

from datetime import timedelta


def next_allowed_by_cap(sent_at, now, max_count=1, period=timedelta(days=7)):
    """Return ``None`` if one more SMS may be sent at ``now``, else the earliest instant it may.

    ``sent_at`` holds the naive UTC datetimes of the previous SMS of the same capped category
    to the same number (any order, duplicates allowed). An SMS sent at ``s`` counts until
    ``s + period`` (excluded). Timestamps after ``now`` (clock skew, or a send already
    scheduled) count too: the cap errs on the side of sending less. ``max_count <= 0`` means
    no cap. Raises ``ValueError`` for a period that is not positive.
    """
    if max_count <= 0:
        return None
    if period <= timedelta(0):
        raise ValueError(f"The cap period must be positive, got {period!r}")
    # When each SMS still in the window leaves it, earliest first.
    expiries = sorted(s + period for s in sent_at if s + period > now)
    if len(expiries) < max_count:
        return None
    # One more may go once all but max_count - 1 of them have left the window.
    return expiries[len(expiries) - max_count]
