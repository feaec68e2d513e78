"""When the office opens again, in the words of the out-of-hours answer (core/opening.py)."""

from datetime import datetime

import pytest

from duret_sms.core.opening import hour_words, opening_words

FRIDAY_21 = datetime(2026, 11, 27, 21, 0)


@pytest.mark.parametrize(
    ("now", "opens", "words"),
    [
        (FRIDAY_21, datetime(2026, 11, 27, 20, 0), "dès maintenant"),
        (FRIDAY_21, FRIDAY_21, "dès maintenant"),
        (datetime(2026, 11, 27, 6, 30), datetime(2026, 11, 27, 8, 0), "aujourd'hui dès 8 h"),
        (FRIDAY_21, datetime(2026, 11, 28, 9, 0), "demain dès 9 h"),
        (FRIDAY_21, datetime(2026, 11, 30, 8, 0), "lundi dès 8 h"),
        (FRIDAY_21, datetime(2026, 11, 30, 8, 30), "lundi dès 8 h 30"),
        (datetime(2026, 12, 24, 21, 0), datetime(2027, 1, 4, 8, 0), "le 04/01 dès 8 h"),
    ],
)
def test_opening_words(now, opens, words):
    assert opening_words(now, opens) == words


def test_hour_words():
    assert hour_words(datetime(2026, 1, 1, 13, 5)) == "13 h 05"


def test_dates_are_refused():
    with pytest.raises(TypeError):
        opening_words(FRIDAY_21.date(), FRIDAY_21)
