"""Bounded parallel hand-over: safe retries only, shared throttle gate, order kept."""

import threading
import time

import pytest
from freezegun import freeze_time

from duret_sms.core.dispatch import (
    Outcome,
    SendJob,
    batch_size_for,
    monotonic,
    retry_in_place,
    send_all,
)
from duret_sms.core.gateway import GatewayError, MessageResult, TwilioGateway
from duret_sms.core.twilio_codes import ErrorInfo, error_info, may_have_been_accepted
from duret_sms_testing.twilio_simulator import TwilioSimulator


def twilio_error(code=None, http_status=400):
    # as TwilioGateway builds them
    return GatewayError(
        error_info(code, http_status),
        http_status=http_status,
        ambiguous=may_have_been_accepted(code, http_status),
    )


def network_error(ambiguous):
    info = ErrorInfo(None, "sms_server", not ambiguous, "network")
    return GatewayError(info, ambiguous=ambiguous)


THROTTLED = twilio_error(20429, 429)
UNAVAILABLE = twilio_error(None, 503)


class FakeGateway:
    """Answers each recipient from a script (exceptions raised in turn, then success)."""

    def __init__(self, script=None, delay=0.0, hooks=None):
        self.script = {to: list(answers) for to, answers in (script or {}).items()}
        self.delay = delay
        self.hooks = hooks or {}
        self.calls = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def send(self, to, body, *, from_=None, messaging_service_sid=None, status_callback=None):
        with self._lock:
            self.calls.append(to)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            answers = self.script.get(to)
            answer = answers.pop(0) if answers else None
        try:
            if to in self.hooks:
                self.hooks[to]()
            if self.delay:
                time.sleep(self.delay)
            if answer is not None:
                raise answer
            return MessageResult(sid=f"SM-{to}", status="queued", to=to)
        finally:
            with self._lock:
                self.in_flight -= 1


class RecordingSleep:
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


def jobs(*recipients):
    return [SendJob(key=i, to=to, body="x", from_="DURET") for i, to in enumerate(recipients)]


@pytest.mark.parametrize(
    ("error", "in_place"),
    [
        (THROTTLED, True),
        (twilio_error(None, 429), True),
        (UNAVAILABLE, True),
        (twilio_error(20503, 503), True),
        (twilio_error(30500, 500), False),  # a 500 may come after the message was created
        (twilio_error(None, 502), False),
        (twilio_error(None, 504), False),
        (network_error(ambiguous=False), True),  # connection never made
        (network_error(ambiguous=True), False),  # read timeout: maybe sent
        (twilio_error(21611, 400), False),  # retryable later, not now
        (twilio_error(21211, 400), False),
        (twilio_error(20003, 401), False),
    ],
)
def test_retry_in_place(error, in_place):
    assert retry_in_place(error) is in_place


def test_server_errors_are_retried_with_growing_backoff():
    gateway = FakeGateway({"a": [UNAVAILABLE, UNAVAILABLE]})
    sleep = RecordingSleep()
    [outcome] = send_all(gateway, jobs("a"), sleep=sleep, backoff=0.5)
    assert outcome.ok and outcome.attempts == 3 and outcome.result.sid == "SM-a"
    assert len(sleep.calls) == 2
    assert 0.25 <= sleep.calls[0] <= 0.5 and 0.5 <= sleep.calls[1] <= 1.0


def test_backoff_is_capped_and_attempts_limited():
    gateway = FakeGateway({"a": [UNAVAILABLE] * 10})
    sleep = RecordingSleep()
    [outcome] = send_all(
        gateway, jobs("a"), sleep=sleep, backoff=1.0, max_backoff=2.0, max_attempts=5
    )
    assert not outcome.ok and outcome.attempts == 5 and outcome.error is UNAVAILABLE
    assert len(gateway.calls) == 5 and len(sleep.calls) == 4
    assert all(s <= 2.0 for s in sleep.calls) and sleep.calls[-1] >= 1.0


@pytest.mark.parametrize(
    "error",
    [
        network_error(ambiguous=True),
        twilio_error(21211),
        twilio_error(21610),
        twilio_error(21611),
        twilio_error(20003, 401),
    ],
)
def test_ambiguous_and_permanent_errors_are_returned_at_once(error):
    gateway = FakeGateway({"a": [error]})
    sleep = RecordingSleep()
    [outcome] = send_all(gateway, jobs("a"), sleep=sleep)
    assert outcome.error is error and outcome.attempts == 1
    assert gateway.calls == ["a"] and sleep.calls == []


def test_order_is_kept_and_concurrency_bounded():
    recipients = [f"+3361234{i:04d}" for i in range(40)]
    gateway = FakeGateway(delay=0.01)
    outcomes = send_all(gateway, jobs(*recipients), concurrency=4)
    assert [o.key for o in outcomes] == list(range(40))
    assert [o.result.to for o in outcomes] == recipients
    assert gateway.max_in_flight == 4


def test_concurrency_one_is_sequential():
    gateway = FakeGateway(delay=0.005)
    outcomes = send_all(gateway, jobs("a", "b", "c"), concurrency=1)
    assert gateway.max_in_flight == 1 and gateway.calls == ["a", "b", "c"]
    assert all(isinstance(o, Outcome) and o.ok for o in outcomes)


def run_pause_scenario(first_error):
    """Jobs a, b, c on two workers: a fails with ``first_error`` while b is in flight.

    a and b are both in flight before a's answer comes back; b answers only once a has started
    waiting; c then starts and was never refused itself. Returns the recorded sleeps.
    """
    b_started, a_waiting = threading.Event(), threading.Event()
    sleep = RecordingSleep()

    def recording_sleep(seconds):
        sleep(seconds)
        a_waiting.set()

    def b_hook():
        b_started.set()
        a_waiting.wait(5)

    gateway = FakeGateway({"a": [first_error]}, hooks={"a": lambda: b_started.wait(5), "b": b_hook})
    outcomes = send_all(
        gateway, jobs("a", "b", "c"), concurrency=2, sleep=recording_sleep, backoff=2.0
    )
    assert all(o.ok for o in outcomes) and [o.attempts for o in outcomes] == [2, 1, 1]
    assert b_started.is_set() and a_waiting.is_set()
    return sleep.calls


def test_throttling_pauses_the_whole_pool():
    sleeps = run_pause_scenario(THROTTLED)
    # a waits for the gate, and so does c although Twilio never refused it.
    assert len(sleeps) == 2 and all(0 < s <= 2.0 for s in sleeps)


def test_server_error_pauses_only_its_own_job():
    sleeps = run_pause_scenario(UNAVAILABLE)
    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 2.0


def test_jobs_without_sender_are_refused_before_sending():
    gateway = FakeGateway()
    bad = [*jobs("a"), SendJob(key="x", to="b", body="x")]
    with pytest.raises(ValueError, match="'x'"):
        send_all(gateway, bad)
    assert gateway.calls == []


def test_unexpected_error_does_not_hide_other_outcomes():
    gateway = FakeGateway({"b": [KeyError("bug")]})
    outcomes = send_all(gateway, jobs("a", "b", "c"), concurrency=2)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].error.ambiguous and outcomes[1].attempts == 1


def test_empty_batch():
    assert send_all(FakeGateway(), []) == []


# -- streaming: answers as they arrive, jobs added while others are in flight ------------------


@pytest.mark.parametrize("concurrency", [1, 4])
def test_answers_reach_the_caller_while_requests_are_in_flight(concurrency):
    recipients = [f"+3361234{i:04d}" for i in range(12)]
    gateway = FakeGateway(delay=0.02)
    caller = threading.current_thread()
    groups = []

    def on_outcomes(outcomes):
        assert threading.current_thread() is caller  # the cursor's thread, never a worker
        groups.append((list(outcomes), len(gateway.calls)))

    outcomes = send_all(
        gateway, jobs(*recipients), concurrency=concurrency, on_outcomes=on_outcomes
    )
    assert [o.key for o in outcomes] == list(range(12))
    assert sorted(o.key for group, _calls in groups for o in group) == list(range(12))
    first_group, calls_then = groups[0]
    assert calls_then < 12, "the first answers were handed over before the last request"
    assert len(groups) > 1


def test_refill_adds_jobs_while_the_pool_runs_and_stops_when_empty():
    gateway = FakeGateway(delay=0.01)
    batches = [jobs(*(f"b{i}" for i in range(5))) for _batch in range(3)]
    batches = [
        [SendJob(key=(n, job.key), to=f"{n}-{job.to}", body="x", from_="DURET") for job in batch]
        for n, batch in enumerate(batches)
    ]
    asked = []

    def refill():
        asked.append(len(gateway.calls))
        return batches.pop(0) if batches else []

    seen = []
    outcomes = send_all(
        gateway, jobs("a", "b"), concurrency=2, on_outcomes=seen.extend, refill=refill
    )
    assert len(outcomes) == 17 and all(o.ok for o in outcomes)
    assert len(gateway.calls) == len(set(gateway.calls)) == 17, "each job sent once"
    assert sorted(map(str, (o.key for o in seen))) == sorted(map(str, (o.key for o in outcomes)))
    assert len(asked) == 4, "asked until it had nothing more, then never again"


def test_no_refill_once_the_deadline_passed():
    clock = FakeClock()
    asked = []

    class SlowGateway(FakeGateway):
        def send(self, to, body, **kwargs):
            clock.now += 4.0
            return super().send(to, body, **kwargs)

    def refill():
        asked.append(clock.now)
        return jobs("late")

    outcomes = send_all(
        SlowGateway(),
        jobs("a", "b"),
        concurrency=1,
        clock=clock,
        deadline=6.0,
        on_outcomes=lambda outcomes: None,
        refill=refill,
    )
    assert asked == [4.0]
    assert [o.attempts for o in outcomes] == [1, 1, 0]


@pytest.mark.parametrize("concurrency", [1, 3])
def test_a_failing_caller_never_abandons_requests_handed_over(concurrency):
    gateway = FakeGateway(delay=0.01)
    asked = []

    def on_outcomes(outcomes):
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        send_all(
            gateway,
            jobs(*"abcdef"),
            concurrency=concurrency,
            on_outcomes=on_outcomes,
            refill=lambda: asked.append(1) or [],
        )
    assert sorted(gateway.calls) == list("abcdef"), "every job handed over is sent"
    assert asked == [], "nothing more is claimed after the failure"


# -- against the simulator, over real HTTP ------------------------------------------------------


@pytest.fixture
def simulator():
    with TwilioSimulator(auto_callbacks=False) as sim:
        yield sim


def test_retried_messages_are_created_exactly_once(simulator):
    simulator.queue_errors(429, 20429, count=3)
    simulator.queue_errors(503, count=2)
    gateway = TwilioGateway(
        simulator.account_sid, simulator.auth_token, base_url=simulator.base_url
    )
    recipients = [f"+3361234{i:04d}" for i in range(20)]
    outcomes = send_all(gateway, jobs(*recipients), concurrency=4, backoff=0.01)
    assert all(o.ok for o in outcomes)
    assert [o.result.to for o in outcomes] == recipients
    assert sum(o.attempts for o in outcomes) == 25
    assert simulator.created_count == 20
    assert sorted(m["to"] for m in simulator.messages.values()) == recipients
    assert len({o.result.sid for o in outcomes}) == 20


def test_ambiguous_timeouts_are_not_resent(simulator):
    gateway = TwilioGateway(
        simulator.account_sid, simulator.auth_token, base_url=simulator.base_url, timeout=(2.0, 0.2)
    )
    simulator.set_latency(0.4)
    outcomes = send_all(gateway, jobs("+33612340001", "+33612340002"), concurrency=2, backoff=0.01)
    assert all(o.error.ambiguous and o.attempts == 1 for o in outcomes)
    assert simulator.created_count == 2  # each reached Twilio once, and only once


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps or sends."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_deadline_stops_new_requests_and_says_not_attempted():
    clock = FakeClock()

    class SlowGateway(FakeGateway):
        def send(self, to, body, **kwargs):
            clock.now += 4.0  # each request takes 4 s
            return super().send(to, body, **kwargs)

    outcomes = send_all(
        SlowGateway(), jobs("a", "b", "c"), concurrency=1, clock=clock, deadline=6.0
    )
    assert [o.ok for o in outcomes] == [True, True, False]
    assert outcomes[2].attempts == 0 and outcomes[2].error.retryable
    assert not outcomes[2].error.ambiguous


def test_deadline_cuts_a_retry_short_with_its_retryable_error():
    clock = FakeClock()
    gateway = FakeGateway({"a": [THROTTLED] * 10})
    [outcome] = send_all(
        gateway, jobs("a"), clock=clock, sleep=clock.sleep, backoff=2.0, deadline=5.0
    )
    assert outcome.error is THROTTLED and outcome.attempts >= 1
    assert clock.now < 5.0  # never waited past the deadline
    assert len(gateway.calls) == outcome.attempts


def test_no_deadline_means_unbounded():
    outcomes = send_all(FakeGateway(), jobs("a", "b"), concurrency=1, deadline=None)
    assert all(o.ok for o in outcomes)


@pytest.mark.parametrize(
    ("seconds_left", "per_request", "expected"),
    [
        (0, None, 0),
        (-3, 0.1, 0),
        (60, None, 200),  # first batch: full size
        (60, 0.05, 200),  # fast Twilio: full size
        (60, 2.0, 120),  # slow Twilio: 30 rounds of 4 requests
        (60, 30.0, 8),
        (5, 30.0, 1),  # always at least one while time is left
    ],
)
def test_batch_size_follows_twilio_speed(seconds_left, per_request, expected):
    assert (
        batch_size_for(seconds_left, max_size=200, concurrency=4, seconds_per_request=per_request)
        == expected
    )


def test_budget_clock_runs_under_frozen_time():
    with freeze_time("2020-01-01"):
        start = monotonic()
        time.sleep(0.05)
        assert monotonic() - start >= 0.04


def test_deadline_holds_under_frozen_time_in_pool_threads():
    """freezegun freezes time.monotonic in the test's thread but not in the pool's workers
    (called from threading): a deadline read on it passed at once in the workers."""
    with freeze_time("1970-01-01 00:00:00"):
        deadline = monotonic() + 60
        outcomes = send_all(FakeGateway(), jobs("a", "b", "c"), concurrency=3, deadline=deadline)
    assert all(outcome.ok for outcome in outcomes)
