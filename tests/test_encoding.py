"""GSM-7 / UCS-2 detection, units and segments (duret_sms.core.encoding)."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from duret_sms.core import encoding
from duret_sms.core.encoding import GSM_BASIC, GSM_EXTENSION, analyze, smart_encode


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a", "GSM-7", 1, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("a" * 459, "GSM-7", 459, 3),
        ("a" * 460, "GSM-7", 460, 4),
        ("€", "GSM-7", 2, 1),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 80 + "a", "GSM-7", 161, 2),
        ("{}[]~|^\\\f", "GSM-7", 18, 1),
        ("ж" * 70, "UCS-2", 70, 1),
        ("ê" * 70, "UCS-2", 70, 1),
        ("ê" * 71, "UCS-2", 71, 2),
        ("ê" * 134, "UCS-2", 134, 2),
        ("ê" * 135, "UCS-2", 135, 3),
        ("😀", "UCS-2", 2, 1),
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 35 + "a", "UCS-2", 71, 2),
        ("ê€", "UCS-2", 2, 1),  # in UCS-2 the euro sign is one code unit like any other
    ],
)
def test_units_and_segments(text, encoding, units, segments):
    result = analyze(text)
    assert (result.encoding, result.units, result.segments) == (encoding, units, segments)
    assert result.text == text


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        # 152 septets then "€": the escape pair does not fit in part 1 (153) and moves whole.
        ("a" * 152 + "€" + "a" * 10, 2),
        ("a" * 152 + "€" + "a" * 151, 2),  # 152 | 2 + 151 = 153
        ("a" * 152 + "€" + "a" * 152, 3),  # naive 306 septets would say 2
        ("a" * 151 + "€" + "a" * 153, 2),  # pair ends exactly at 153: nothing moves
        # 66 units then an emoji: the surrogate pair moves whole to part 2.
        ("ж" * 66 + "😀" + "ж" * 66, 3),  # naive 134 units would say 2
        ("ж" * 65 + "😀" + "ж" * 67, 2),
    ],
)
def test_multipart_never_splits_a_character(text, segments):
    assert analyze(text).segments == segments


@pytest.mark.parametrize(
    "char",
    list("éèàùÉÇìòäöüÄÖÜÑñßÅåÆæØøΓΔΘΛΞΠΣΦΨΩ@£$¥¤§¡¿_\n\r"),
)
def test_gsm_basic_characters(char):
    result = analyze(f"Bonjour {char}")
    assert (result.encoding, result.units, result.non_gsm) == ("GSM-7", 9, ())


@pytest.mark.parametrize("char", list("âêîôûëïÿçœŒÀÂÈÊËÎÏÔÙÛŸ`«»’–…\t") + ["\u00a0", "😀"])
def test_non_gsm_characters_force_ucs2(char):
    result = analyze(f"Bonjour {char}")
    assert result.encoding == "UCS-2"
    assert result.non_gsm == (char,)


def test_french_sentence_with_circumflex_goes_ucs2():
    text = "Votre technicien arrivera en fenêtre 14h-16h. Répondez OUI pour confirmer."
    result = analyze(text)
    assert result.encoding == "UCS-2"
    assert result.units == len(text)
    assert result.non_gsm == ("ê",)


def test_non_gsm_lists_distinct_characters_in_order():
    assert analyze("Ça coûte 5 € « très » peu, ça coûte").non_gsm == ("û", "«", "»", "ç")


def test_smart_encoding_turns_curly_quotes_into_gsm():
    text = "“Rendez-vous” confirmé – l’équipe Duret…"
    assert analyze(text).encoding == "UCS-2"
    result = analyze(text, smart_encoding=True)
    assert result.text == '"Rendez-vous" confirmé - l\'équipe Duret...'
    assert (result.encoding, result.non_gsm, result.segments) == ("GSM-7", (), 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("«\u00a0Bonjour\u00a0»", '" Bonjour "'),
        ("‘a’ ´b` ", "'a' 'b' "),
        ("14h–16h — RDV", "14h-16h - RDV"),
        ("Merci…", "Merci..."),
        ("10\u202f000\u2009€", "10 000 €"),
        ("• point", "- point"),
        ("ＲＤＶ　１４ｈ！", "RDV 14h!"),
        ("｀", "'"),
        ("fen\u0065\u0302tre", "fenêtre"),  # NFC: still UCS-2, accents are not removed
        ("été, ça, où", "été, ça, où"),
        ("a\u200bb", "ab"),
    ],
)
def test_smart_encode_replacements(raw, expected):
    assert smart_encode(raw) == expected


def test_smart_encoding_keeps_accents_so_text_may_stay_ucs2():
    result = analyze("Êtes-vous disponible ?", smart_encoding=True)
    assert result.encoding == "UCS-2"
    assert result.non_gsm == ("Ê",)


def test_decomposed_accent_becomes_gsm_with_smart_encoding():
    assert analyze("e\u0301").encoding == "UCS-2"
    assert analyze("e\u0301", smart_encoding=True).text == "é"
    assert analyze("e\u0301", smart_encoding=True).encoding == "GSM-7"


def test_none_is_treated_as_empty():
    assert analyze(None).segments == 0
    assert analyze(None, smart_encoding=True).segments == 0


def test_analysis_is_frozen():
    with pytest.raises(AttributeError):
        analyze("a").segments = 3


GSM_CHARS = sorted(GSM_BASIC | GSM_EXTENSION)


@given(st.text(alphabet=GSM_CHARS, max_size=700))
def test_gsm_text_properties(text):
    result = analyze(text)
    assert result.encoding == "GSM-7"
    assert result.units == len(text) + sum(c in GSM_EXTENSION for c in text)
    if result.units <= 160:
        assert result.segments == (1 if text else 0)
    else:
        # Packing may waste at most one septet per part; never fewer parts than the naive count.
        assert -(-result.units // 153) <= result.segments <= -(-result.units // 152)


@given(st.text(max_size=300))
def test_any_text_properties(text):
    result = analyze(text)
    assert result.encoding in ("GSM-7", "UCS-2")
    assert (result.encoding == "UCS-2") == bool(result.non_gsm)
    assert len(set(result.non_gsm)) == len(result.non_gsm)
    if result.encoding == "UCS-2":
        assert result.units == len(text.encode("utf-16-le")) // 2
    assert (result.segments == 0) == (text == "")
    smart = analyze(text, smart_encoding=True)
    assert smart.text == smart_encode(text)
    assert smart_encode(smart.text) == smart.text  # idempotent


# -- GSM-7 equivalents offered by the composer -------------------------------------------------


@pytest.mark.parametrize(
    ("char", "expected"),
    [
        ("ê", "e"),
        ("â", "a"),
        ("ç", "c"),
        ("Ê", "E"),
        ("œ", "oe"),
        ("’", "'"),
        ("«", '"'),
        ("…", "..."),
        ("\u00a0", " "),
        ("é", "é"),  # GSM-7 already: kept
        ("€", "€"),
        ("😀", None),
        ("π", None),
    ],
)
def test_gsm_equivalent(char, expected):
    assert encoding.gsm_equivalent(char) == expected


def test_to_gsm_makes_french_text_gsm7_and_keeps_the_rest():
    text = "Rendez-vous fixé à 9h : l’équipe vient à Mâcon, côté hôpital 😀"
    fixed = encoding.to_gsm(text)
    assert fixed == "Rendez-vous fixé à 9h : l'équipe vient à Macon, coté hopital 😀"
    assert encoding.analyze(fixed).non_gsm == ("😀",)
    assert encoding.analyze(encoding.to_gsm("Mâcon, l’hôpital")).encoding == encoding.GSM7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Re\u0301ponse", "Réponse"),  # decomposed é: composed into the GSM é
        ("Ma\u0302con", "Macon"),  # decomposed â: composed, then its GSM equivalent
        ("e\u0301\u0301", "é\u0301"),  # the second accent has nowhere to go: it stays
        # Composing would bring a character the text did not hold: each one is looked up alone.
        ("\u03c9\u0301", "\u03c9\u0301"),  # ω + acute would become ώ
        ("a\u0344", "a\u0344"),  # would become ä + U+0301
        ("\uf9a3", "\uf9a3"),  # CJK compatibility ideograph: NFC maps it to U+5FF5
        ("\u095a", "\u095a"),  # Devanagari ghha: NFC decomposes it (composition exclusion)
        ("\u1100\u1161", "\u1100\u1161"),  # Hangul jamo: NFC composes them into 가
        ("\u212b", "Å"),  # the Angstrom sign reads as the GSM Å
    ],
)
def test_to_gsm_composes_only_into_gsm(text, expected):
    assert encoding.to_gsm(text) == expected


@given(st.text(max_size=200))
# Counter-examples hypothesis found before to_gsm normalised per base character (the whole
# text's NFC brought characters the text did not hold).
@example("\u03c9\u0301")
@example("a\u0344")
@example("\uf9a3")
@example("\xf9|\ufa9a")
@example("\u35bc\U0003106e\U0009b864xq!\u095a\U000aa88fi\x9b")
@example("\u1100\u1161")
def test_to_gsm_never_adds_non_gsm_characters(text):
    before = set(encoding.analyze(text).non_gsm)
    after = set(encoding.analyze(encoding.to_gsm(text)).non_gsm)
    assert after <= before


@pytest.mark.parametrize(
    ("text", "char", "expected"),
    [
        ("L’équipe sera prête bientôt", "’", "L'équipe sera prête bientôt"),
        ("L’équipe sera prête bientôt", "ô", "L’équipe sera prête bientot"),
        ("cœur", "œ", "coeur"),
        ("Merci 😀", "😀", "Merci 😀"),  # no equivalent: unchanged
        ("déjà", "é", "déjà"),  # GSM-7 already
        ("", "ô", ""),
        (None, "ô", ""),
    ],
)
def test_replace_char_changes_only_the_picked_character(text, char, expected):
    """Issue 18 #6: staff replace one character at a time; the others stay as typed."""
    assert encoding.replace_char(text, char) == expected
