"""Customer link tokens kept out of the HTTP access log (duret_sms.core.redact)."""

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core import redact

TOKEN = "0123456789abcdef0123456789abcdef"

LINES = [
    (f"GET /rdv/{TOKEN} HTTP/1.1", "GET /rdv/*** HTTP/1.1"),
    (f"POST /rdv/confirm/{TOKEN} HTTP/1.1", "POST /rdv/confirm/*** HTTP/1.1"),
    (f"POST /rdv/cancel/{TOKEN} HTTP/1.1", "POST /rdv/cancel/*** HTTP/1.1"),
    (f"GET /sms/optout/{TOKEN} HTTP/1.1", "GET /sms/optout/*** HTTP/1.1"),
    (f"POST /twilio/sms/status/{TOKEN} HTTP/1.1", "POST /twilio/sms/status/*** HTTP/1.1"),
    ("POST /twilio/sms/receive HTTP/1.1", "POST /twilio/sms/receive HTTP/1.1"),
    ("GET /web/login HTTP/1.1", "GET /web/login HTTP/1.1"),
    ("GET /rdv/short HTTP/1.1", "GET /rdv/short HTTP/1.1"),
]


@pytest.mark.parametrize(("line", "expected"), LINES)
def test_redact(line, expected):
    assert redact.redact(line) == expected


@given(st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
def test_no_token_survives(token):
    for prefix in ("/rdv/", "/rdv/cancel/", "/sms/optout/", "/twilio/sms/status/"):
        assert token not in redact.redact(f"GET {prefix}{token} HTTP/1.1")


def test_filter_rewrites_message_and_arguments_once_installed():
    logger = redact.install("duret_test_redact")
    redact.install("duret_test_redact")
    assert sum(isinstance(f, redact.TokenRedactingFilter) for f in logger.filters) == 1
    record = logging.LogRecord(
        "duret_test_redact", logging.INFO, __file__, 0, '"%s" %s', (f"GET /rdv/{TOKEN}", 200), None
    )
    assert logger.filter(record)
    assert record.getMessage() == '"GET /rdv/***" 200'
