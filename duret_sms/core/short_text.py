"""Short pieces of one-segment reminders: the place of the appointment, in a character budget.

A reminder that fits one GSM-7 segment (160 characters) says who comes, when, where in short
and the link; the full address, the technician and the phone are on the page behind the link.
Street types are shortened the way French postal addresses are (AFNOR NF Z10-011), in the
lower-case form people read on a phone ("av.", "bd", "pl."), and the postcode is left out.
"""

import re

from . import encoding

# Whole words only, case-insensitive; longest first so "zone industrielle" wins over "zone".
_ABBREVIATIONS = (
    ("zone industrielle", "ZI"),
    ("zone artisanale", "ZA"),
    ("zone d'activités", "ZA"),
    ("zone d'activité", "ZA"),
    ("centre commercial", "CC"),
    ("avenue", "av."),
    ("boulevard", "bd"),
    ("place", "pl."),
    ("chemin", "ch."),
    ("allée", "all."),
    ("allee", "all."),
    ("impasse", "imp."),
    ("route", "rte"),
    ("faubourg", "fg"),
    ("résidence", "rés."),
    ("residence", "rés."),
    ("lotissement", "lot."),
    ("square", "sq."),
    ("quartier", "qu."),
    ("bâtiment", "bât."),
    ("batiment", "bât."),
    ("sainte", "Ste"),
    ("saint", "St"),
    ("docteur", "Dr"),
    ("général", "Gal"),
    ("general", "Gal"),
    ("maréchal", "Mal"),
    ("marechal", "Mal"),
    ("président", "Pdt"),
    ("president", "Pdt"),
)
_ABBREVIATION_RE = re.compile(
    r"(?<![\w'])(" + "|".join(re.escape(word) for word, _short in _ABBREVIATIONS) + r")(?!\w)",
    re.IGNORECASE,
)
_ABBREVIATION_MAP = {word: short for word, short in _ABBREVIATIONS}
_POSTCODE_RE = re.compile(r"\b\d{5}\b\s*")
_SPACES_RE = re.compile(r"\s+")
# The town alone never gets shorter than this: below it the link page says where.
MIN_WHERE = 12


def units(text):
    """GSM-7 length of ``text`` (extension characters such as € count two)."""
    return encoding.analyze(text or "").units


def abbreviate(text):
    """Shorten French street types and titles: "12 avenue Jean Jaurès" → "12 av. Jean Jaurès"."""
    if not text:
        return ""
    short = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATION_MAP[m.group(1).lower()], text)
    return _SPACES_RE.sub(" ", short).strip(" ,")


_FIRST_NAME_RE = re.compile(r"\b([A-ZÀ-Ý])[a-zà-ÿ]{2,}(?= [A-ZÀ-Ý])")


def initials(text):
    """Shorten first names in a street with its number: "1 pl. Hippolyte Péragut" →
    "1 pl. H. Péragut". Other text (a building's name, a town) is left alone."""
    if not text[:1].isdigit():
        return text
    return _FIRST_NAME_RE.sub(lambda m: m.group(1) + ".", text)


def _cut(text, budget):
    """Cut ``text`` to ``budget`` GSM units at a word boundary when one is close."""
    if units(text) <= budget:
        return text
    cut = text
    while cut and units(cut) > budget:
        cut = cut[:-1]
    boundary = max(cut.rfind(" "), cut.rfind("-"))
    if boundary >= budget * 2 // 3:
        cut = cut[:boundary]
    return cut.rstrip(" ,-'")


def short_where(budget, street="", city="", location=""):
    """Return where the appointment is, in at most ``budget`` GSM-7 units (never below
    ``MIN_WHERE``).

    A free-text ``location`` (the appointment's; its last comma-separated part is the town)
    wins over the customer's address. First that fits: everything, shortened; the same with
    first names as initials; the last part before the town (the street, without a building's
    or a zone's name) and the town; the town alone; the town cut at a word boundary.
    """
    budget = max(budget, MIN_WHERE)
    if location:
        parts = _parts(_POSTCODE_RE.sub("", location))
        town = parts.pop() if len(parts) > 1 else ""
    else:
        parts = _parts(street)
        town = abbreviate(_POSTCODE_RE.sub("", city or ""))
    candidates = [
        ", ".join(filter(None, [*(initials(p) if short else p for p in kept), town]))
        for kept in (parts, parts[-1:])
        for short in (False, True)
    ]
    candidates.append(town or (parts[-1] if parts else ""))
    for candidate in candidates:
        if candidate and units(candidate) <= budget:
            return candidate
    return _cut(candidates[-1], budget)


def _parts(text):
    return [part.strip() for part in abbreviate(text or "").split(",") if part.strip()]
