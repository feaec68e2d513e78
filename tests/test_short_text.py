"""The place of one-segment reminders: French abbreviations and the character budget."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core.short_text import MIN_WHERE, abbreviate, short_where, units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 avenue Jean Jaurès", "12 av. Jean Jaurès"),
        ("8 Boulevard des Belges", "8 bd des Belges"),
        ("1 place Hippolyte Péragut", "1 pl. Hippolyte Péragut"),
        ("91 avenue du Général de Gaulle", "91 av. du Gal de Gaulle"),
        ("Saint-Didier-au-Mont-d'Or", "St-Didier-au-Mont-d'Or"),
        ("Sainte-Foy-lès-Lyon", "Ste-Foy-lès-Lyon"),
        ("ZONE INDUSTRIELLE du Broteau", "ZI du Broteau"),
        ("3 rue de l'Autoroute", "3 rue de l'Autoroute"),  # whole words only
        ("  2  impasse   du Stade ", "2 imp. du Stade"),
        ("", ""),
    ],
)
def test_abbreviate(text, expected):
    assert abbreviate(text) == expected


def test_street_and_town_when_they_fit():
    assert short_where(40, street="12 rue des Lilas", city="Lyon") == "12 rue des Lilas, Lyon"


def test_town_alone_when_the_street_does_not_fit():
    where = short_where(30, street="40 grande rue de la Croix-Rousse", city="Lyon 4e")
    assert where == "Lyon 4e"


def test_location_wins_and_loses_its_postcode():
    gym = "Gymnase Monplaisir, 25 rue Saint-Maurice, 69008 Lyon"
    where = short_where(60, street="1 rue X", city="Y", location=gym)
    assert where == "Gymnase Monplaisir, 25 rue St-Maurice, Lyon"
    residence = "Résidence Le Parc, 14 rue Jean Moulin, 69120 Vaulx-en-Velin"
    assert short_where(20, location=residence) == "Vaulx-en-Velin"


def test_long_town_is_cut_at_a_word():
    where = short_where(14, city="Saint-Genis-les-Ollières Cedex")
    assert units(where) <= 14
    assert where == "St-Genis-les"


def test_budget_never_below_minimum():
    assert short_where(0, street="12 rue des Lilas", city="Lyon") == "Lyon"
    assert units(short_where(-5, city="Charbonnières-les-Bains")) <= MIN_WHERE


@given(
    budget=st.integers(min_value=-10, max_value=120),
    street=st.text(max_size=80),
    city=st.text(max_size=60),
    location=st.text(max_size=100),
)
def test_always_within_budget(budget, street, city, location):
    assert units(short_where(budget, street=street, city=city, location=location)) <= max(
        budget, MIN_WHERE
    )


def test_first_names_become_initials_before_dropping_the_street():
    where = short_where(38, street="1 place Hippolyte Péragut", city="Tassin-la-Demi-Lune")
    assert where == "1 pl. H. Péragut, Tassin-la-Demi-Lune"
    # Building names and towns keep their words.
    gym = short_where(42, location="Gymnase Monplaisir, 25 rue Jean Moulin, 69008 Lyon")
    assert gym == "Gymnase Monplaisir, 25 rue J. Moulin, Lyon"


def test_building_or_zone_name_goes_before_the_street():
    gym = "Gymnase Monplaisir, 25 rue Saint-Maurice, 69008 Lyon"
    assert short_where(30, location=gym) == "25 rue St-Maurice, Lyon"
    zone = short_where(36, street="ZI du Broteau, 12 rue Antoine Becquerel", city="Genas")
    assert zone == "12 rue Antoine Becquerel, Genas"
    assert short_where(30, location="Salle des fêtes") == "Salle des fêtes"
