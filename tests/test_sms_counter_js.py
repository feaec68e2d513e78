"""The conversation composer's live counter (duret_sms/static/src/conversation/sms_counter.js)
counts like the Python that bills and sends (duret_sms.core.encoding.analyze): the same texts,
run through both. Needs Node (skipped without it: the browser tours still show the counter)."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from duret_sms.core.encoding import GSM_BASIC, GSM_EXTENSION, analyze

REPO = Path(__file__).resolve().parents[1]
COUNTER_JS = REPO / "duret_sms" / "static" / "src" / "conversation" / "sms_counter.js"

FIXED = [
    "",
    "a",
    "a" * 160,
    "a" * 161,
    "a" * 306,
    "a" * 307,
    "€" * 80,
    "€" * 80 + "a",
    "a" * 152 + "€" + "a" * 10,  # the extension character does not straddle two parts
    "ê" * 70,
    "ê" * 71,
    "ê" * 134,
    "ê" * 135,
    "👍" * 35,
    "👍" * 36,
    "a" * 66 + "👍" + "a" * 10,  # nor does a surrogate pair
    "Ça va ? ç",
    "Le code du portail est 1234, je serai là à 9 h.",
    "Bonjour, Paul passe demain vers 9 h.\nÀ demain !",
    "L’équipe Duret",
    "\r\n\f",
]
POOL = "aZ09 ,.\n€[]{}éèàùÇçêôœ’«»👍жΩ\f"


def node_analyze(texts):
    source = COUNTER_JS.read_text(encoding="utf-8")
    program = (
        source
        + f"\nconst texts = {json.dumps(texts)};"
        + "\nconsole.log(JSON.stringify(texts.map(analyzeSms)));\n"
    )
    result = subprocess.run(
        ["node", "--input-type=module"],
        input=program,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


@pytest.mark.skipif(not shutil.which("node"), reason="Node is not installed")
def test_javascript_counter_matches_the_python_one():
    rng = random.Random(21)
    texts = FIXED + [
        "".join(rng.choice(POOL) for _ in range(rng.randint(0, 400))) for _ in range(300)
    ]
    for text, js in zip(texts, node_analyze(texts), strict=True):
        py = analyze(text)
        assert (js["chars"], js["encoding"], js["units"], js["segments"]) == (
            len(py.text),
            py.encoding,
            py.units,
            py.segments,
        ), repr(text)
        assert tuple(js["nonGsm"]) == py.non_gsm, repr(text)


def test_javascript_alphabet_is_the_python_one():
    source = COUNTER_JS.read_text(encoding="utf-8")
    for char in GSM_BASIC | GSM_EXTENSION:
        escaped = {"\n": "\\n", "\r": "\\r", "\f": "\\f", '"': '\\"', "\\": "\\\\"}.get(char, char)
        assert escaped in source, repr(char)
