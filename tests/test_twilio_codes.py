"""Twilio status and error tables: states never go back, failures map to Odoo's vocabulary."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core import twilio_codes
from duret_sms.core.twilio_codes import (
    OPTED_OUT_CODE,
    SMS_STATE_RANK,
    TWILIO_STATUS_TO_SMS_STATE,
    error_info,
    is_forward,
)

ODOO_FAILURE_TYPES = {
    "unknown",
    "sms_number_missing",
    "sms_number_format",
    "sms_country_not_supported",
    "sms_registration_needed",
    "sms_credit",
    "sms_server",
    "sms_acc",
    "sms_blacklist",
    "sms_duplicate",
    "sms_optout",
    "sms_expired",
    "sms_invalid_destination",
    "sms_not_allowed",
    "sms_not_delivered",
    "sms_rejected",
}
ODOO_SMS_STATES = {"outgoing", "process", "pending", "sent", "error", "canceled"}


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("accepted", "process"),
        ("queued", "process"),
        ("scheduled", "process"),
        ("sending", "process"),
        ("sent", "pending"),
        ("delivered", "sent"),
        ("read", "sent"),
        ("undelivered", "error"),
        ("failed", "error"),
        ("canceled", "canceled"),
        ("receiving", None),
        ("received", None),
    ],
)
def test_status_to_state(status, state):
    assert TWILIO_STATUS_TO_SMS_STATE[status] == state


def test_status_table_only_names_odoo_states():
    assert set(TWILIO_STATUS_TO_SMS_STATE.values()) - {None} <= ODOO_SMS_STATES
    assert set(SMS_STATE_RANK) == ODOO_SMS_STATES


@pytest.mark.parametrize(
    ("old", "new", "forward"),
    [
        ("outgoing", "process", True),
        ("process", "pending", True),
        ("pending", "sent", True),
        ("pending", "error", True),  # "undelivered" after "sent"
        ("process", "sent", True),  # "delivered" before "sent"
        ("sent", "pending", False),  # ... and the late "sent" is ignored
        ("sent", "error", False),
        ("error", "sent", False),
        ("canceled", "process", False),
        ("pending", "process", False),
        ("process", "process", False),
        ("process", None, False),
    ],
)
def test_is_forward(old, new, forward):
    assert is_forward(old, new) is forward


def test_is_forward_rejects_unknown_states():
    with pytest.raises(ValueError, match="delivered"):
        is_forward("process", "delivered")


@given(st.permutations(["sending", "sent", "delivered"]))
def test_out_of_order_callbacks_end_delivered(order):
    state = "process"
    for status in order:
        new = TWILIO_STATUS_TO_SMS_STATE[status]
        if is_forward(state, new):
            state = new
    assert state == "sent"


@given(st.sampled_from(sorted(ODOO_SMS_STATES)), st.sampled_from(sorted(ODOO_SMS_STATES)))
def test_terminal_states_are_final(old, new):
    if old in {"sent", "error", "canceled"}:
        assert not is_forward(old, new)
    elif is_forward(old, new):
        assert SMS_STATE_RANK[new] > SMS_STATE_RANK[old]


@pytest.mark.parametrize(
    ("code", "failure_type", "retryable"),
    [
        (20003, "sms_acc", False),
        (20429, "sms_server", True),
        (21211, "sms_number_format", False),
        (21212, "sms_acc", False),
        (21408, "sms_country_not_supported", False),
        (21606, "sms_acc", False),
        (21610, "sms_blacklist", False),
        (21611, "sms_server", True),
        (21612, "sms_not_allowed", False),
        (21614, "sms_invalid_destination", False),
        (21617, "sms_rejected", False),
        (30001, "sms_server", True),
        (30002, "sms_acc", False),
        (30003, "sms_not_delivered", False),
        (30004, "sms_rejected", False),
        (30005, "sms_invalid_destination", False),
        (30006, "sms_invalid_destination", False),
        (30007, "sms_rejected", False),
        (30008, "sms_not_delivered", False),
        (30410, "sms_not_delivered", True),
        (30450, "sms_rejected", True),
        (30500, "sms_server", True),
    ],
)
def test_error_codes(code, failure_type, retryable):
    info = error_info(code)
    assert (info.code, info.failure_type, info.retryable) == (code, failure_type, retryable)
    assert str(code) in info.message


def test_error_messages_for_staff():
    assert error_info(20003).message == (
        "Twilio rejected the credentials (20003): check the Account SID and Auth Token"
    )
    assert "START" in error_info(OPTED_OUT_CODE).message
    assert OPTED_OUT_CODE == 21610


def test_every_table_entry_uses_an_odoo_failure_type():
    for code, info in twilio_codes.TWILIO_ERRORS.items():
        assert info.failure_type in ODOO_FAILURE_TYPES, code
        assert "{" not in info.message, code


@pytest.mark.parametrize(
    ("code", "http_status", "failure_type", "retryable"),
    [
        (None, 500, "sms_server", False),  # may have been created: settled by the report
        (None, 502, "sms_server", False),
        (None, 504, "sms_server", False),
        (None, 503, "sms_server", True),  # "not accepted, come back later"
        (20503, 503, "sms_server", True),
        (20500, 500, "sms_server", False),
        (None, 429, "sms_server", True),
        (None, 401, "sms_acc", False),
        (None, 400, "unknown", False),
        (None, None, "unknown", False),
        (21211, 503, "sms_number_format", False),  # a known code wins over the HTTP status
        ("30003", None, "sms_not_delivered", False),  # callbacks send ErrorCode as text
        (" ", None, "unknown", False),
    ],
)
def test_error_info_fallbacks(code, http_status, failure_type, retryable):
    info = error_info(code, http_status)
    assert (info.failure_type, info.retryable) == (failure_type, retryable)


def test_unknown_code_is_permanent_and_keeps_the_raw_code():
    info = error_info(63999, 400)
    assert (info.code, info.failure_type, info.retryable) == (63999, "unknown", False)
    assert "63999" in info.message


def test_error_info_is_frozen():
    with pytest.raises(AttributeError):
        error_info(20003).retryable = True


@pytest.mark.parametrize(
    ("code", "http_status", "uncertain"),
    [
        (None, 500, True),
        (None, 502, True),
        (None, 504, True),
        (20500, 500, True),
        (None, 503, False),
        (20503, 503, False),
        (20429, 429, False),
        (20429, 500, False),  # the code says "not created" whatever the proxy answered
        (None, 429, False),
        (21211, 400, False),
        (None, None, False),
    ],
)
def test_may_have_been_accepted(code, http_status, uncertain):
    assert twilio_codes.may_have_been_accepted(code, http_status) is uncertain
