"""Classification of inbound replies (duret_sms.core.keywords)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core import keywords
from duret_sms.core.keywords import (
    CANCEL,
    CONFIRM,
    HELP,
    OPT_IN,
    OPT_OUT,
    OTHER,
    classify,
    normalize,
)

REPLIES = [
    # Opt-out: Twilio's own keywords (already effective at Twilio) and French ones.
    ("STOP", OPT_OUT),
    ("stop", OPT_OUT),
    ("Stop.", OPT_OUT),
    ("  STOP  \n", OPT_OUT),
    ("STOP!!!", OPT_OUT),
    ("Stopp", OPT_OUT),
    ("stop sms", OPT_OUT),
    ("Stop merci", OPT_OUT),
    ("STOP SVP", OPT_OUT),
    ("stop stop", OPT_OUT),
    ("Stop 👎", OPT_OUT),
    ("CANCEL", OPT_OUT),
    ("cancel", OPT_OUT),
    ("STOPALL", OPT_OUT),
    ("stop all", OPT_OUT),
    ("Unsubscribe", OPT_OUT),
    ("END", OPT_OUT),
    ("quit", OPT_OUT),
    ("OPT-OUT", OPT_OUT),
    ("revoke", OPT_OUT),
    ("ARRET", OPT_OUT),
    ("Arrêt", OPT_OUT),
    ("arrête", OPT_OUT),
    ("ARRETT", OPT_OUT),
    ("Arrêtez les SMS svp", OPT_OUT),
    ("arreter", OPT_OUT),
    ("Désabonner", OPT_OUT),
    ("désabonnez-moi", OPT_OUT),
    ("Je veux me désinscrire", OPT_OUT),
    ("DESINSCRIPTION", OPT_OUT),
    ("Plus de SMS merci", OPT_OUT),
    # Opt-in.
    ("START", OPT_IN),
    ("start", OPT_IN),
    ("Unstop", OPT_IN),
    ("YES", OPT_IN),  # Twilio re-subscribes on YES: mirrored, not a confirmation
    ("Yes!", OPT_IN),
    ("réabonner", OPT_IN),
    # Cancel.
    ("ANNULE", CANCEL),
    ("annule", CANCEL),
    ("ANNULÉ", CANCEL),
    ("annulé merci", CANCEL),
    ("Annulée", CANCEL),
    ("annuler", CANCEL),
    ("Annuller", CANCEL),
    ("annule svp", CANCEL),
    ("stp annuler", CANCEL),
    ("Annulez SVP, merci", CANCEL),
    ("Annulation", CANCEL),
    ("je veux annuler", CANCEL),
    ("Bonjour, je souhaite annuler. Cordialement", CANCEL),
    ("J'annule", CANCEL),
    ("Annuler le rendez-vous", CANCEL),
    ("annulation rdv", CANCEL),
    ("Annuler mon RDV svp", CANCEL),
    # Confirm.
    ("OUI", CONFIRM),
    ("Oui !", CONFIRM),
    ("oui.", CONFIRM),
    ("Ouiii", CONFIRM),
    ("oui oui", CONFIRM),
    ("Oui merci", CONFIRM),
    ("oui merci beaucoup !", CONFIRM),
    ("Bonjour oui", CONFIRM),
    ("OK", CONFIRM),
    ("ok merci", CONFIRM),
    ("Ok 👍", CONFIRM),
    ("Oki", CONFIRM),
    ("D'accord", CONFIRM),
    ("d’accord merci", CONFIRM),
    ("daccord", CONFIRM),
    ("Je confirme", CONFIRM),
    ("CONFIRME", CONFIRM),
    ("Confirmé", CONFIRM),
    ("confirmer", CONFIRM),
    ("Oui je confirme, merci. Bonne journée", CONFIRM),
    ("C'est noté, à demain", CONFIRM),
    ("Parfait merci", CONFIRM),
    ("ça marche", CONFIRM),
    ("Je serai là", CONFIRM),
    ("👍", CONFIRM),
    ("👍🏽", CONFIRM),
    ("👍 👍", CONFIRM),
    ("✅", CONFIRM),
    ("Oui 👍", CONFIRM),
    # Help.
    ("AIDE", HELP),
    ("aide svp", HELP),
    ("HELP", HELP),
    ("Info", HELP),
    ("infos ?", HELP),
    # Other: sentences, ambiguous words, nothing at all.
    ("", OTHER),
    ("   ", OTHER),
    ("NON", OTHER),
    ("non merci", OTHER),
    ("Merci", OTHER),
    ("merci beaucoup", OTHER),
    ("Arrêtez de m'appeler", OTHER),
    ("Je ne pourrai pas venir", OTHER),
    ("pas dispo", OTHER),
    ("Je ne serai pas là demain", OTHER),
    ("Oui mais je serai en retard de 10 min", OTHER),
    ("Pouvez-vous décaler à jeudi ?", OTHER),
    ("Stop au 36180", OTHER),
    ("Je voulais savoir si le technicien peut passer plus tôt, stop", OTHER),
    ("Le code de la porte est 1234", OTHER),
    ("👎", OTHER),
    ("❌", OTHER),
    ("😀", OTHER),
    ("?", OTHER),
    ("Qui est-ce ?", OTHER),
    ("OUI / NON", OTHER),
]


@pytest.mark.parametrize(("body", "expected"), REPLIES)
def test_classify_realistic_replies(body, expected):
    assert classify(body) == expected


def test_table_is_large_and_covers_every_category():
    assert len(REPLIES) >= 70
    assert {expected for _, expected in REPLIES} == {OPT_OUT, OPT_IN, CANCEL, CONFIRM, HELP, OTHER}


def test_constants_have_the_contract_values():
    constants = (OPT_OUT, OPT_IN, CANCEL, CONFIRM, HELP, OTHER)
    assert constants == ("opt_out", "opt_in", "cancel", "confirm", "help", "other")


def test_none_is_other():
    assert classify(None) == OTHER


@pytest.mark.parametrize(
    "word", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"]
)
def test_every_twilio_opt_out_keyword_is_mirrored(word):
    assert classify(word) == OPT_OUT
    assert classify(word.lower()) == OPT_OUT


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", ""),
        (None, ""),
        ("  Oui  !! ", "OUI"),
        ("ANNULÉ", "ANNULE"),
        ("D'accord", "D ACCORD"),
        ("Ça coûte\tcher\n", "CA COUTE CHER"),
        ("Cœur, Æther, straße", "COEUR AETHER STRASSE"),
        ("Ｏｕｉ", "OUI"),
        ("RDV à 14h30 👍", "RDV A 14H30"),
        ("😀", ""),
    ],
)
def test_normalize(body, expected):
    assert normalize(body) == expected


@given(st.text())
def test_any_text_is_classified_without_error(body):
    assert classify(body) in {OPT_OUT, OPT_IN, CANCEL, CONFIRM, HELP, OTHER}


@given(st.text())
def test_normalize_output_is_uppercase_ascii_single_spaced(body):
    result = normalize(body)
    assert result == " ".join(result.split())
    assert all(c.isascii() and (c.isupper() or c.isdigit() or c == " ") for c in result)
    assert normalize(result) == result


@given(
    st.sampled_from(["STOP", "ANNULE", "OUI", "AIDE", "START"]),
    st.sampled_from(["", " ", "!", ".", " !", "  ", "\n"]),
    st.sampled_from(["", " ", "  "]),
)
def test_case_whitespace_and_punctuation_do_not_matter(word, suffix, prefix):
    expected = classify(word)
    for variant in (word.lower(), word.title(), prefix + word + suffix):
        assert classify(variant) == expected


@given(st.sampled_from(["STOP", "ANNULER", "OUI", "AIDE"]), st.text(min_size=1))
def test_keyword_followed_by_a_long_sentence_is_other(word, tail):
    sentence = f"{word} je vous explique pourquoi {tail} et le reste demain"
    assert classify(sentence) == OTHER


def test_a_reply_listed_under_two_categories_is_refused(monkeypatch):
    # "Arrête" and "arrêté" normalise to the same key: listing them apart must fail loudly.
    monkeypatch.setitem(keywords._REPLIES, CANCEL, "ANNULER, arrêté")
    with pytest.raises(ValueError, match="two categories"):
        keywords._build_table()
