"""The Twilio simulator (testing/duret_sms_testing): Twilio's API shapes, signed status callbacks
to a local receiver, and its own segment count checked against the addon's."""

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core import encoding
from duret_sms.core.gateway import GatewayError, TwilioGateway, validate_signature
from duret_sms.core.twilio_codes import TWILIO_STATUS_TO_SMS_STATE, is_forward
from duret_sms_testing import segments
from duret_sms_testing.twilio_simulator import Faults, TwilioSimulator

CUSTOMER = "+33612345678"


class Receiver:
    """A tiny webhook receiver on 127.0.0.1 that records every POST and answers ``status``."""

    def __init__(self, status=200):
        self.status = status
        self.calls = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                receiver.calls.append(
                    {
                        "path": self.path,
                        "form": form,
                        "signature": self.headers.get("X-Twilio-Signature"),
                    }
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


def make_gateway(simulator):
    return TwilioGateway(simulator.account_sid, simulator.auth_token, base_url=simulator.base_url)


def raw(simulator, method, path, form=None, token=None):
    """Call the simulator without the SDK; return (HTTP status, JSON body)."""
    credentials = f"{simulator.account_sid}:{token or simulator.auth_token}"
    request = urllib.request.Request(
        simulator.base_url + path,
        method=method,
        data=urllib.parse.urlencode(form).encode() if form is not None else None,
        headers={"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_signed_callbacks_arrive_in_order(receiver):
    url = receiver.url("/twilio/sms/status/5b1d0f2a?company=1")
    with TwilioSimulator() as simulator:
        sid = (
            make_gateway(simulator)
            .send(CUSTOMER, "RDV demain", from_="DURET", status_callback=url)
            .sid
        )
        assert simulator.wait_callbacks(5)
        token = simulator.auth_token
        account = simulator.account_sid
    assert [c["form"]["MessageStatus"] for c in receiver.calls] == ["sent", "delivered"]
    for call in receiver.calls:
        form = call["form"]
        assert call["path"] == "/twilio/sms/status/5b1d0f2a?company=1"
        assert form["MessageSid"] == form["SmsSid"] == sid
        assert form["SmsStatus"] == form["MessageStatus"]
        assert (form["AccountSid"], form["From"], form["To"]) == (account, "DURET", CUSTOMER)
        assert form["ApiVersion"] == "2010-04-01" and "ErrorCode" not in form
        assert validate_signature(token, url, form, call["signature"])
        assert not validate_signature("wrong-token", url, form, call["signature"])
        assert not validate_signature(
            token, url.replace("company=1", "company=2"), form, call["signature"]
        )


def test_undeliverable_number(receiver):
    url = receiver.url("/status")
    with TwilioSimulator() as simulator:
        simulator.undeliverable("+33699999999", 30005)
        gateway = make_gateway(simulator)
        sid = gateway.send("+33699999999", "x", from_="DURET", status_callback=url).sid
        assert simulator.wait_callbacks(5)
        fetched = gateway.fetch(sid)
        token = simulator.auth_token
    last = receiver.calls[-1]
    assert last["form"]["MessageStatus"] == "undelivered"
    assert last["form"]["ErrorCode"] == "30005"
    assert validate_signature(token, url, last["form"], last["signature"])
    assert (fetched.status, fetched.error_code) == ("undelivered", 30005)
    assert fetched.price == pytest.approx(0.076)  # undelivered SMS are charged


def test_out_of_order_manual_callbacks(receiver):
    url = receiver.url("/status")
    with TwilioSimulator(auto_callbacks=False) as simulator:
        gateway = make_gateway(simulator)
        sid = gateway.send(
            CUSTOMER, "x", messaging_service_sid="MG" + "1" * 32, status_callback=url
        ).sid
        assert simulator.deliver(sid, "delivered") == 200
        assert simulator.deliver(sid, "sent") == 200
        fetched = gateway.fetch(sid)
        token = simulator.auth_token
    statuses = [c["form"]["MessageStatus"] for c in receiver.calls]
    assert statuses == ["delivered", "sent"]
    # Twilio's resource stays delivered; Odoo's state, fed in arrival order, too.
    assert fetched.status == "delivered" and fetched.num_segments == 1
    state = "process"
    for status in statuses:
        if is_forward(state, TWILIO_STATUS_TO_SMS_STATE[status]):
            state = TWILIO_STATUS_TO_SMS_STATE[status]
    assert state == "sent"
    form = receiver.calls[0]["form"]
    assert form["MessagingServiceSid"] == "MG" + "1" * 32 and form["From"].startswith("+33")
    assert all(validate_signature(token, url, c["form"], c["signature"]) for c in receiver.calls)


def test_callback_failures_are_recorded_not_fatal():
    with Receiver(status=500) as failing, TwilioSimulator(auto_callbacks=False) as simulator:
        gateway = make_gateway(simulator)
        sid = gateway.send(CUSTOMER, "x", from_="DURET", status_callback=failing.url("/s")).sid
        assert simulator.deliver(sid) == 500
        dead_url = failing.url("/s")
    with TwilioSimulator(auto_callbacks=False) as simulator:
        gateway = make_gateway(simulator)
        sid = gateway.send(CUSTOMER, "x", from_="DURET", status_callback=dead_url).sid
        assert simulator.deliver(sid) is None
        assert simulator.callbacks[-1]["error"]
        assert gateway.fetch(sid).status == "delivered"  # still serving


def test_callbacks_never_leave_the_loopback_interface():
    with TwilioSimulator(auto_callbacks=False) as simulator:
        gateway = make_gateway(simulator)
        sid = gateway.send(
            CUSTOMER, "x", from_="DURET", status_callback="http://example.com/status"
        ).sid
        assert simulator.deliver(sid) is None
        assert simulator.callbacks[-1]["error"].startswith("refused")
    with pytest.raises(ValueError):
        TwilioSimulator(host="0.0.0.0")


def test_messages_progress_without_a_callback_url():
    with TwilioSimulator() as simulator:
        gateway = make_gateway(simulator)
        sid = gateway.send(CUSTOMER, "x", from_="DURET").sid
        assert simulator.wait_callbacks(5)
        assert gateway.fetch(sid).status == "delivered"
        assert simulator.callbacks == []


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": "DURET", "Body": "x"}, 21604),
        ({"To": CUSTOMER, "From": "DURET"}, 21602),
        ({"To": CUSTOMER, "Body": "x"}, 21603),
        ({"To": "+33 6 12 34 56 78", "From": "DURET", "Body": "x"}, 21211),
    ],
)
def test_validation_errors_have_twilio_shape(form, code):
    with TwilioSimulator() as simulator:
        path = f"/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
        status, body = raw(simulator, "POST", path, form)
        assert simulator.created_count == 0
    assert status == 400
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, 400)
    assert body["more_info"].endswith(str(code))


def test_create_fetch_and_errors_over_raw_http():
    with TwilioSimulator(auto_callbacks=False) as simulator:
        account = simulator.account_sid
        path = f"/2010-04-01/Accounts/{account}/Messages.json"
        # ê is not in GSM-7: UCS-2, so 71 characters take two 67-character parts.
        status, created = raw(
            simulator, "POST", path, {"To": CUSTOMER, "From": "DURET", "Body": "ê" * 71}
        )
        assert status == 201
        assert (created["status"], created["num_segments"], created["price"]) == (
            "queued",
            "2",
            None,
        )
        assert created["uri"] == f"/2010-04-01/Accounts/{account}/Messages/{created['sid']}.json"
        assert created["date_created"].endswith("+0000")
        assert raw(simulator, "GET", created["uri"])[1]["sid"] == created["sid"]
        simulator.deliver(created["sid"])
        assert raw(simulator, "GET", created["uri"])[1]["price"] == "-0.15200"
        assert raw(simulator, "GET", path, token="wrong")[1]["code"] == 20003
        status, body = raw(simulator, "GET", created["uri"].replace(created["sid"], "SM0"))
        assert (status, body["code"]) == (404, 20404)
        other = f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
        assert raw(simulator, "POST", other, {"To": CUSTOMER})[0] == 404
        with pytest.raises(KeyError):
            simulator.deliver("SM0")


def test_queued_errors_are_consumed_in_order():
    with TwilioSimulator(auto_callbacks=False) as simulator:
        simulator.queue_errors(429, 20429, count=2)
        simulator.queue_errors(503)
        path = f"/2010-04-01/Accounts/{simulator.account_sid}/Messages.json"
        form = {"To": CUSTOMER, "From": "DURET", "Body": "x"}
        answers = [raw(simulator, "POST", path, form) for _ in range(4)]
        assert [a[0] for a in answers] == [429, 429, 503, 201]
        assert answers[0][1]["code"] == 20429
        assert simulator.created_count == 1
        simulator.queue_errors(503, count=5)
        simulator.clear_queued_errors()
        status, created = raw(simulator, "POST", path, {**form, "StatusCallback": "http://x/cb"})
        assert status == 201 and simulator.callback_url(created["sid"]) == "http://x/cb"


def test_base_url_needs_a_started_simulator():
    simulator = TwilioSimulator()
    with pytest.raises(RuntimeError):
        _ = simulator.base_url
    simulator.stop()  # stopping a stopped simulator is harmless


def test_scripted_failures_answer_twilio_errors_not_dropped_connections():
    from duret_sms.core.gateway import GatewayError, TwilioGateway

    with TwilioSimulator() as sim:
        gateway = TwilioGateway(sim.account_sid, sim.auth_token, base_url=sim.base_url)
        for code in (21211, 21610, 30003, 21408):
            sim.fail_number("+33612345678", code)
            with pytest.raises(GatewayError) as caught:
                gateway.send("+33612345678", "x", from_="+33939000000")
            assert caught.value.code == code and not caught.value.ambiguous
        assert sim.server_errors == 0


# -- fault injection (issue 11's fault matrix) ------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "http_status", "code"),
    [(Faults(busy=1.0), 429, 20429), (Faults(down=1.0), 503, 20503)],
)
def test_refusals_create_nothing_and_are_safe_to_retry(faults, http_status, code):
    with TwilioSimulator(faults=faults, auto_callbacks=False) as simulator:
        with pytest.raises(GatewayError) as caught:
            make_gateway(simulator).send(CUSTOMER, "x", from_="DURET")
        assert simulator.created_count == 0
        assert simulator.fault_counts == {"busy" if code == 20429 else "down": 1}
    error = caught.value
    assert (error.http_status, error.code) == (http_status, code)
    assert error.retryable and not error.ambiguous


@pytest.mark.parametrize(
    "faults",
    [Faults(lost=1.0), Faults(error_after_create=1.0), Faults(slow=1.0, slow_seconds=1.0)],
)
def test_lost_or_uncertain_answers_leave_a_created_message(faults):
    with TwilioSimulator(faults=faults, auto_callbacks=False) as simulator:
        gateway = TwilioGateway(
            simulator.account_sid,
            simulator.auth_token,
            base_url=simulator.base_url,
            timeout=(2.0, 0.3),
        )
        with pytest.raises(GatewayError) as caught:
            gateway.send(CUSTOMER, "x", from_="DURET")
        assert simulator.created_count == 1
    assert caught.value.ambiguous and not caught.value.retryable


def test_racing_reordered_and_duplicate_reports(receiver):
    url = receiver.url("/twilio/sms/status/abc")
    faults = Faults(race=1.0, reorder=1.0, duplicate=1.0, callback_workers=3, seed=7)
    with TwilioSimulator(faults=faults) as simulator:
        make_gateway(simulator).send(CUSTOMER, "x", from_="DURET", status_callback=url)
        # the reports reached the receiver before the create was answered
        assert [c["form"]["MessageStatus"] for c in receiver.calls] == [
            "delivered",
            "sent",
            "delivered",
        ]
        assert simulator.wait_callbacks(5)
        assert simulator.duplicates() == 0


def test_duplicates_count_messages_created_twice_for_one_callback_url():
    with TwilioSimulator(auto_callbacks=False) as simulator:
        gateway = make_gateway(simulator)
        for url in ("http://127.0.0.1:9/a", "http://127.0.0.1:9/a", "http://127.0.0.1:9/b"):
            gateway.send(CUSTOMER, "x", from_="DURET", status_callback=url)
        assert simulator.duplicates() == 1


def test_fault_rates_are_repeatable_with_a_seed():
    def run():
        with TwilioSimulator(faults=Faults(busy=0.3, down=0.2, seed=42)) as simulator:
            gateway = make_gateway(simulator)
            outcomes = []
            for _ in range(30):
                try:
                    gateway.send(CUSTOMER, "x", from_="DURET")
                    outcomes.append("ok")
                except GatewayError as error:
                    outcomes.append(error.code)
            return outcomes

    first = run()
    assert first == run()
    assert {"ok", 20429, 20503} <= set(first)


# The simulator counts segments without the addon's code (it stands for Twilio, whose count the
# addon stores); the two independent transcriptions of GSM 03.38 and Twilio's limits must agree.
def test_gsm_tables_are_the_standard_sizes():
    assert len(segments._BASIC_TABLE) == 128 and segments._BASIC_TABLE[0x1B] == "\x1b"
    assert set(segments._SEPTETS) == encoding.GSM_BASIC | encoding.GSM_EXTENSION


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 80 + "a", 2),
        ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, but the euro never straddles two parts
        ("ê" * 70, 1),
        ("ê" * 71, 2),
        ("😀" * 35, 1),
        ("😀" * 35 + "a", 2),
    ],
)
def test_segment_count(body, expected):
    assert segments.count_segments(body) == expected == encoding.analyze(body).segments


_GSM_HEAVY = st.sampled_from(sorted(encoding.GSM_BASIC | encoding.GSM_EXTENSION))


@given(st.text(_GSM_HEAVY | st.characters(), max_size=400))
def test_segment_count_agrees_with_the_addon(body):
    assert segments.count_segments(body) == encoding.analyze(body).segments


def test_created_message_reports_its_segments():
    with TwilioSimulator() as simulator:
        status, created = raw(
            simulator,
            "POST",
            f"/2010-04-01/Accounts/{simulator.account_sid}/Messages.json",
            {"To": CUSTOMER, "From": "DURET", "Body": "€" * 80 + "a"},
        )
    assert (status, created["num_segments"]) == (201, "2")
