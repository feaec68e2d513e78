"""The Twilio gateway: the real SDK over real HTTP against the local simulator."""

import gc
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from duret_sms.core.gateway import (
    GatewayError,
    MessageResult,
    TwilioGateway,
    compute_signature,
    validate_signature,
)
from duret_sms_testing.twilio_simulator import TwilioSimulator

SERVICE = "MG" + "0a" * 16
CUSTOMER = "+33612345678"


@pytest.fixture(scope="module")
def simulator():
    with TwilioSimulator(auto_callbacks=False) as sim:
        yield sim


@pytest.fixture
def gateway(simulator):
    simulator.set_latency(0.0)
    with TwilioGateway(
        simulator.account_sid, simulator.auth_token, base_url=simulator.base_url
    ) as gateway:
        yield gateway


def send_error(gateway, to=CUSTOMER, **kwargs):
    kwargs.setdefault("from_", "DURET")
    with pytest.raises(GatewayError) as caught:
        gateway.send(to, "Rappel : RDV demain 9h", **kwargs)
    return caught.value


def test_send_with_from(gateway, simulator):
    result = gateway.send(
        CUSTOMER,
        "Rappel : RDV demain à 9h",
        from_="DURET",
        status_callback="http://127.0.0.1:9/status/abc",
        validity_period=3600,
    )
    assert isinstance(result, MessageResult)
    assert result.sid.startswith("SM") and len(result.sid) == 34
    assert (result.status, result.num_segments, result.to) == ("queued", 1, CUSTOMER)
    assert (result.price, result.price_unit, result.error_code) == (None, "EUR", None)
    form = simulator.requests[-1]["form"]
    assert form["From"] == "DURET" and "MessagingServiceSid" not in form
    assert form["StatusCallback"] == "http://127.0.0.1:9/status/abc"
    assert form["ValidityPeriod"] == "3600"


def test_messaging_service_wins_over_from(gateway, simulator):
    result = gateway.send(
        CUSTOMER, "x" * 161, from_="DURET", messaging_service_sid=SERVICE, smart_encoded=True
    )
    form = simulator.requests[-1]["form"]
    assert form["MessagingServiceSid"] == SERVICE and "From" not in form
    assert form["SmartEncoded"] == "true"
    # Twilio answers "accepted" and counts segments only later when it picks the sender.
    assert (result.status, result.num_segments) == ("accepted", 0)


def test_send_needs_a_sender(gateway, simulator):
    before = len(simulator.requests)
    with pytest.raises(ValueError):
        gateway.send(CUSTOMER, "x")
    assert len(simulator.requests) == before


def test_fetch_has_the_price_once_delivered(gateway, simulator):
    sid = gateway.send(CUSTOMER, "x" * 200, from_="DURET").sid  # 2 GSM-7 segments
    assert gateway.fetch(sid).price is None
    simulator.deliver(sid, "delivered")
    fetched = gateway.fetch(sid)
    assert (fetched.sid, fetched.status, fetched.num_segments) == (sid, "delivered", 2)
    assert fetched.price == pytest.approx(0.152)  # Twilio says "-0.15200": a positive cost
    assert fetched.price_unit == "EUR" and fetched.date_sent is not None


def test_fetch_unknown_sid(gateway):
    with pytest.raises(GatewayError) as caught:
        gateway.fetch("SM" + "0" * 32)
    assert (caught.value.code, caught.value.http_status) == (20404, 404)


def test_wrong_credentials(simulator):
    token = "not-the-token-0123456789"
    gateway = TwilioGateway(simulator.account_sid, token, base_url=simulator.base_url)
    error = send_error(gateway)
    assert (error.code, error.http_status, error.info.failure_type) == (20003, 401, "sms_acc")
    assert not error.retryable and not error.ambiguous
    assert "Account SID and Auth Token" in str(error)
    assert token not in str(error) and token not in repr(gateway)


@pytest.mark.parametrize(
    ("to", "code", "failure_type"),
    [
        ("0612345678", 21211, "sms_number_format"),
        ("", 21604, "sms_number_missing"),
    ],
)
def test_invalid_recipient(gateway, to, code, failure_type):
    error = send_error(gateway, to=to)
    assert (error.code, error.http_status, error.info.failure_type) == (code, 400, failure_type)
    assert not error.retryable and not error.ambiguous


def test_opted_out_recipient(gateway, simulator):
    simulator.fail_number("+33611111111", 21610)
    error = send_error(gateway, to="+33611111111")
    assert (error.code, error.info.failure_type, error.retryable) == (21610, "sms_blacklist", False)


def test_throttled(gateway, simulator):
    simulator.queue_errors(429, 20429)
    error = send_error(gateway)
    assert (error.code, error.http_status) == (20429, 429)
    assert error.retryable and error.throttled and not error.ambiguous


def test_service_unavailable(gateway, simulator):
    simulator.queue_errors(503)
    error = send_error(gateway)
    # The SDK repeats the HTTP status as the code when Twilio gives none: not a Twilio code.
    assert (error.code, error.http_status, error.info.failure_type) == (None, 503, "sms_server")
    assert error.retryable and not error.throttled and not error.ambiguous


def test_read_timeout_is_ambiguous(simulator):
    gateway = TwilioGateway(
        simulator.account_sid, simulator.auth_token, base_url=simulator.base_url, timeout=(2.0, 0.2)
    )
    created = simulator.created_count
    simulator.set_latency(0.5)
    try:
        error = send_error(gateway)
    finally:
        simulator.set_latency(0.0)
    assert error.ambiguous and not error.retryable and error.http_status is None
    assert "may have been sent" in str(error)
    # Twilio did take it: resending would send the SMS twice.
    assert simulator.created_count == created + 1


def test_connection_refused_is_safely_retryable(simulator):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens once the socket is closed
    gateway = TwilioGateway(
        simulator.account_sid, simulator.auth_token, base_url=f"http://127.0.0.1:{port}"
    )
    error = send_error(gateway)
    assert error.retryable and not error.ambiguous and error.http_status is None
    assert "not sent" in str(error)


def test_base_url_is_not_rewritten_by_edge_or_region(simulator, monkeypatch):
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    gateway = TwilioGateway(
        simulator.account_sid,
        simulator.auth_token,
        base_url=simulator.base_url + "/",
        edge="sydney",
    )
    assert gateway.send(CUSTOMER, "x", from_="DURET").status == "queued"
    assert simulator.requests[-1]["path"].startswith("/2010-04-01/Accounts/AC")


def test_gateway_is_usable_from_many_threads(gateway, simulator):
    created = simulator.created_count
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda i: gateway.send(CUSTOMER, f"n°{i}", from_="DURET"), range(64))
        )
    assert len({result.sid for result in results}) == 64
    assert simulator.created_count == created + 64
    assert sorted(simulator.messages[r.sid]["body"] for r in results) == sorted(
        f"n°{i}" for i in range(64)
    )


def test_gateway_needs_credentials():
    with pytest.raises(ValueError):
        TwilioGateway("AC" + "0" * 32, "")


# Twilio's published test vector (twilio-python tests/unit/test_request_validator.py).
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_signature_vector():
    assert compute_signature("12345", VECTOR_URL, VECTOR_PARAMS) == VECTOR_SIGNATURE
    assert validate_signature("12345", VECTOR_URL, VECTOR_PARAMS, VECTOR_SIGNATURE)


def test_signature_round_trip_and_tampering():
    url = "https://odoo.example.fr/twilio/sms/status/7f3c?x=1"
    params = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "To": CUSTOMER}
    signature = compute_signature("token", url, params)
    assert validate_signature("token", url, params, signature)
    assert not validate_signature("token", url, {**params, "MessageStatus": "failed"}, signature)
    assert not validate_signature("token", url, {**params, "ErrorCode": "30003"}, signature)
    assert not validate_signature("token", url.replace("7f3c", "7f3d"), params, signature)
    assert not validate_signature("other", url, params, signature)


@pytest.mark.parametrize("signature", [None, "", b"RSOYDt4T1cUTdK1PDd93/VVr8B8="])
def test_missing_signature_is_false(signature):
    assert validate_signature("12345", VECTOR_URL, VECTOR_PARAMS, signature) is False


def test_missing_token_is_false():
    assert validate_signature("", VECTOR_URL, VECTOR_PARAMS, VECTOR_SIGNATURE) is False


def test_sessions_of_finished_threads_are_released(simulator):
    gateway = TwilioGateway(
        simulator.account_sid, simulator.auth_token, base_url=simulator.base_url
    )
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda i: gateway.send(CUSTOMER, "x", from_="DURET"), range(8)))
    gc.collect()
    assert len(gateway._http_clients) == 0  # one live session per live thread, no more
    gateway.send(CUSTOMER, "x", from_="DURET")
    gateway.close()
    assert gateway.send(CUSTOMER, "x", from_="DURET").status == "queued"  # reopens after close
    gateway.close()
