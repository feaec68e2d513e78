"""When the office opens again, in the French words of an SMS: "demain dès 8 h"."""

from datetime import datetime

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def hour_words(when):
    """8:00 → "8 h", 13:30 → "13 h 30" (French typography for times)."""
    return f"{when.hour} h" if not when.minute else f"{when.hour} h {when.minute:02d}"


def opening_words(local_now, local_open):
    """Say when ``local_open`` is, seen from ``local_now`` (both local wall-clock datetimes):
    "dès maintenant", "aujourd'hui dès 14 h", "demain dès 8 h", "lundi dès 8 h" (within a
    week), "le 02/01 dès 8 h" (later)."""
    if not isinstance(local_now, datetime) or not isinstance(local_open, datetime):
        raise TypeError("opening_words takes two datetimes")
    if local_open <= local_now:
        return "dès maintenant"
    hour = hour_words(local_open)
    days = (local_open.date() - local_now.date()).days
    if days == 0:
        return f"aujourd'hui dès {hour}"
    if days == 1:
        return f"demain dès {hour}"
    if days < 7:
        return f"{WEEKDAYS[local_open.weekday()]} dès {hour}"
    return f"le {local_open:%d/%m} dès {hour}"
