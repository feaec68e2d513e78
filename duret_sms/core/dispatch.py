"""Bounded parallel hand-over of many SMS to Twilio, with safe retries.

Pure orchestration over a gateway (anything with ``send(to, body, *, from_,
messaging_service_sid, status_callback)`` raising :class:`~.gateway.GatewayError`): a thread pool
does the HTTP, each job is retried in place only when resending cannot duplicate the SMS
(429/20429, HTTP 5xx, connection never made), and a throttled answer pauses the whole pool so
the account's concurrency limit is respected. Ambiguous and permanent errors come back at once. The
caller may take the answers as they arrive and hand more jobs over while requests are still in
flight (``on_outcomes``, ``refill``): the pool then never waits for the caller's database.
"""

import logging
import queue
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .gateway import GatewayError, MessageResult
from .twilio_codes import ErrorInfo

_logger = logging.getLogger(__name__)


def monotonic():
    """Seconds on the system's monotonic clock: the clock of queue-run time budgets.

    Not ``time.monotonic``: test clock freezers (freezegun) replace it, and hand the real clock
    back to code called from ``threading`` (the pool's workers), so a deadline read in one
    thread and checked in another would never come, or would always have passed.
    """
    return time.clock_gettime(time.CLOCK_MONOTONIC)


if not hasattr(time, "clock_gettime"):  # not POSIX
    monotonic = time.monotonic  # noqa: F811


@dataclass(frozen=True)
class SendJob:
    """One SMS to hand over; ``key`` is the caller's id (e.g. the sms.sms id), echoed back."""

    key: object
    to: str
    body: str
    from_: str | None = None
    messaging_service_sid: str | None = None
    status_callback: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one job: exactly one of ``result`` and ``error`` is set."""

    key: object
    result: MessageResult | None
    error: GatewayError | None
    attempts: int

    @property
    def ok(self):
        return self.error is None


class _Gate:
    """A shared "not before" instant: every worker waits for it before each request."""

    def __init__(self, clock):
        self._clock = clock
        self._lock = threading.Lock()
        self._not_before = 0.0

    def hold(self, seconds):
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def wait(self, sleep):
        with self._lock:
            remaining = self._not_before - self._clock()
        if remaining > 0:
            sleep(remaining)


def _unexpected(exc):
    """Wrap a bug met while sending one job as an ambiguous error.

    A thread-pool boundary: letting it propagate would hide the outcomes of the other jobs,
    which may already be sent. The request may have reached Twilio, so it is never resent blindly.
    """
    info = ErrorInfo(
        None,
        "unknown",
        False,
        f"Unexpected error while sending ({type(exc).__name__}): the message may "
        "have been sent; check Twilio's log before sending it again",
    )
    return GatewayError(info, ambiguous=True, detail=str(exc))


def not_attempted():
    """The error of a job :func:`send_all` never tried (its deadline had passed): safe to send
    later, and not a failure of the message (``Outcome.attempts`` is 0)."""
    info = ErrorInfo(
        None,
        "sms_server",
        True,
        "Not sent yet: this queue run used up its time; the next run sends it",
    )
    return GatewayError(info)


def batch_size_for(seconds_left, *, max_size, concurrency, seconds_per_request):
    """How many SMS to claim for a batch that should end within ``seconds_left``.

    ``seconds_per_request`` is the time one request took in the previous batch (None before
    the first): when Twilio is slow the batches get smaller, so a queue run stays within its
    time budget. Returns 0 when no time is left, else 1 to ``max_size``.
    """
    if seconds_left <= 0:
        return 0
    if not seconds_per_request:
        return max(1, max_size)
    rounds = seconds_left / seconds_per_request
    return max(1, min(max_size, int(rounds * max(1, concurrency))))


def retry_in_place(error):
    """Tell whether ``error`` may be retried at once by sending the same request again.

    Only when Twilio certainly did not take the message and may take it soon: throttling
    (429/20429), HTTP 5xx, or a connection that was never made. Never for ambiguous errors
    (the SMS may already be on its way) nor for "later" errors such as 21611 (queue full).
    """
    if not error.retryable:
        return False
    return error.throttled or error.http_status is None or error.http_status >= 500


def send_all(
    gateway,
    jobs,
    *,
    concurrency=16,
    max_attempts=5,
    backoff=0.5,
    max_backoff=8.0,
    sleep=time.sleep,
    clock=monotonic,
    deadline=None,
    on_outcomes=None,
    refill=None,
):
    """Send every job through ``gateway``; return one :class:`Outcome` per job, in jobs' order.

    At most ``concurrency`` requests are in flight (1 runs sequentially in the calling thread).
    A job is tried at most ``max_attempts`` times; the n-th retry waits ``backoff * 2**(n-1)``
    seconds capped at ``max_backoff``, with jitter between half and all of it. ``sleep`` and
    ``clock`` are injectable for tests.

    With ``deadline`` (a ``clock()`` value) no request starts after it: a job not tried yet
    comes back with :func:`not_attempted` and 0 attempts, and a retry that would wait past it
    returns its last (retryable) error instead. The run then ends at most one request's
    timeout after the deadline.

    Streaming, both called in the calling thread (the one that may own a database cursor),
    never in the pool's workers:

    - ``on_outcomes(outcomes)`` receives the answers as they arrive, while the other requests
      are still in flight: each call gets every answer that came in since the previous call
      returned (at least one), in arrival order;
    - ``refill()`` is asked for more jobs after a call of ``on_outcomes``, when fewer than
      ``2 * concurrency`` jobs wait to start and the deadline has not passed; it returns the
      jobs to add (validated like ``jobs``), or an empty list when there are no more: it is
      not asked again. The returned list then also holds the added jobs' outcomes, in order.

    An exception raised by a callback stops the refills and is raised again once the requests
    already handed to the pool have ended (they are never abandoned half-way).

    :raises ValueError: before anything is sent, when a job has neither ``from_`` nor
        ``messaging_service_sid`` or ``concurrency``/``max_attempts`` is below 1.
    """
    jobs = list(jobs)
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")
    _check_senders(jobs)
    runner = _JobRunner(gateway, max_attempts, backoff, max_backoff, sleep, clock, deadline)
    if on_outcomes is None and refill is None:
        if concurrency == 1 or len(jobs) <= 1:
            return [runner.run(job) for job in jobs]
        with ThreadPoolExecutor(
            max_workers=min(concurrency, len(jobs)), thread_name_prefix="duret-sms-send"
        ) as pool:
            return list(pool.map(runner.run, jobs))
    stream = _Stream(runner, jobs, concurrency, on_outcomes, refill)
    return stream.run()


def _check_senders(jobs):
    for job in jobs:
        if not (job.from_ or job.messaging_service_sid):
            raise ValueError(f"job {job.key!r} has no sender (from_ or messaging_service_sid)")


class _JobRunner:
    """Sends one job with its in-place retries (the body of :func:`send_all`'s workers)."""

    def __init__(self, gateway, max_attempts, backoff, max_backoff, sleep, clock, deadline):
        self.gateway = gateway
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.clock = clock
        self.deadline = deadline
        self.gate = _Gate(clock)

    def expired(self, after=0.0):
        return self.deadline is not None and self.clock() + after >= self.deadline

    def run(self, job):
        attempts = 0
        last = Outcome(job.key, None, not_attempted(), 0)
        while True:
            self.gate.wait(self.sleep)
            if self.expired():
                return last  # never tried, or its last retryable error
            attempts += 1
            try:
                result = self.gateway.send(
                    job.to,
                    job.body,
                    from_=job.from_,
                    messaging_service_sid=job.messaging_service_sid,
                    status_callback=job.status_callback,
                )
            except GatewayError as error:
                if attempts >= self.max_attempts or not retry_in_place(error):
                    return Outcome(job.key, None, error, attempts)
                delay = min(self.max_backoff, self.backoff * 2 ** (attempts - 1))
                delay *= random.uniform(0.5, 1.0)  # jitter: spread the retries of a burst
                last = Outcome(job.key, None, error, attempts)
                if self.expired(delay):
                    return last  # retryable: a later queue run sends it
                _logger.info(
                    "Twilio send of %s failed (%s), retry %s in %.2f s",
                    job.key,
                    error,
                    attempts,
                    delay,
                )
                if error.throttled:
                    self.gate.hold(delay)  # the account is at its limit: everybody waits
                else:
                    self.sleep(delay)
                continue
            except Exception as exc:  # noqa: BLE001 - queue boundary, see _unexpected()
                _logger.exception("Unexpected error while sending %s", job.key)
                return Outcome(job.key, None, _unexpected(exc), attempts)
            return Outcome(job.key, result, None, attempts)


class _Stream:
    """:func:`send_all` with ``on_outcomes``/``refill``: answers handed to the caller as they
    arrive, jobs added while others are in flight."""

    def __init__(self, runner, jobs, concurrency, on_outcomes, refill):
        self.runner = runner
        self.jobs = []
        self.results = []
        self.concurrency = concurrency
        self.on_outcomes = on_outcomes or (lambda outcomes: None)
        self.refill = refill
        self.done = queue.SimpleQueue()
        self.started = 0  # jobs a worker has taken (only ever incremented, under the lock)
        self.lock = threading.Lock()
        self.pool = None
        self.initial = jobs

    def run(self):
        if self.concurrency == 1:
            return self.run_sequential()
        self.pool = ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix="duret-sms-send"
        )
        failure = None
        try:
            self.submit(self.initial)
            pending = len(self.jobs)
            while pending:
                group = [self.done.get()]
                while True:
                    try:
                        group.append(self.done.get_nowait())
                    except queue.Empty:
                        break
                pending -= len(group)
                for index, outcome in group:
                    self.results[index] = outcome
                if failure is not None:
                    continue  # drain what is in flight, record nothing more
                try:
                    self.on_outcomes([outcome for _index, outcome in group])
                    pending += self.submit(self.more(len(self.jobs) - self.started))
                except Exception as exc:  # noqa: BLE001 - raised again below, once drained
                    failure = exc
        finally:
            self.pool.shutdown(wait=True)
        if failure is not None:
            raise failure
        return self.results

    def run_sequential(self):
        self.submit(self.initial)
        failure = None
        index = 0
        while index < len(self.jobs):
            outcome = self.runner.run(self.jobs[index])
            self.results[index] = outcome
            index += 1
            if failure is not None:
                continue  # the jobs handed over are sent, as by the pool
            try:
                self.on_outcomes([outcome])
                self.submit(self.more(len(self.jobs) - index))
            except Exception as exc:  # noqa: BLE001 - raised again below, once all are sent
                failure = exc
        if failure is not None:
            raise failure
        return self.results

    def more(self, waiting):
        """Ask ``refill`` for jobs when the pool is about to run dry (see :func:`send_all`)."""
        if self.refill is None or waiting >= 2 * self.concurrency or self.runner.expired():
            return []
        jobs = list(self.refill())
        if not jobs:
            self.refill = None
        _check_senders(jobs)
        return jobs

    def submit(self, jobs):
        first = len(self.jobs)
        self.jobs.extend(jobs)
        self.results.extend([None] * len(jobs))
        if self.pool is not None:
            for index, job in enumerate(jobs, start=first):
                self.pool.submit(self.work, index, job)
        return len(jobs)

    def work(self, index, job):
        with self.lock:
            self.started += 1
        try:
            outcome = self.runner.run(job)
        except BaseException as exc:  # noqa: BLE001 - the caller must get an outcome per job
            outcome = Outcome(job.key, None, _unexpected(exc), 1)
        self.done.put((index, outcome))
