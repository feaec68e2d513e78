"""How an appointment reads in the customer's texts: French dates and hours, GSM-7-safe names.

Plain functions without the ORM, shared by the reminders, the /rdv/ pages and the briefings.
"""

import unicodedata
from datetime import time, timezone
from zoneinfo import ZoneInfo

from ..core import encoding

# French day and month names written out: the customer's texts must not depend on which
# languages are installed in the database.
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def gsm_safe(text):
    """Return ``text`` with every character outside GSM-7 replaced by its unaccented letter.

    Customer names and addresses ("François", "Hôtel de Ville") would otherwise switch the
    whole SMS to UCS-2 and double its cost; "ç" reads fine as "c" on a phone.
    """
    out = []
    for char in encoding.smart_encode(text or ""):
        if char in encoding.GSM_BASIC or char in encoding.GSM_EXTENSION:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(c in encoding.GSM_BASIC for c in base) else "?")
    return "".join(out)


def to_local(when_utc, tz):
    """Naive UTC → aware datetime in ``tz``."""
    return when_utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))


def hour_to_time(hour):
    """17.5 → 17:30 (float hours as in Odoo's float_time widget)."""
    minutes = min(round(hour * 60), 24 * 60 - 1)
    return time(minutes // 60, minutes % 60)


def fr_long_date(local_dt):
    """ "mardi 7 avril 2026" (web pages and emails: accents are fine there)."""
    month = FR_MONTHS[local_dt.month - 1]
    return f"{FR_DAYS[local_dt.weekday()]} {local_dt.day} {month} {local_dt.year}"


def fr_time(local_dt):
    return f"{local_dt.hour}h{local_dt.minute:02d}"
