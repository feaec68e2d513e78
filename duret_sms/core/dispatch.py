"""Bounded parallel hand-over of many SMS to Twilio, with safe retries.

Pure orchestration over a gateway (anything with ``send(to, body, *, from_,
messaging_service_sid, status_callback)`` raising :class:`~.gateway.GatewayError`): a thread pool
does the HTTP, each job is retried in place only when resending cannot duplicate the SMS
(429/20429, HTTP 5xx, connection never made), and a throttled answer pauses the whole pool so
the account's concurrency limit is respected. Ambiguous and permanent errors come back at once.
"""

import logging
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

    :raises ValueError: before anything is sent, when a job has neither ``from_`` nor
        ``messaging_service_sid`` or ``concurrency``/``max_attempts`` is below 1.
    """
    jobs = list(jobs)
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")
    for job in jobs:
        if not (job.from_ or job.messaging_service_sid):
            raise ValueError(f"job {job.key!r} has no sender (from_ or messaging_service_sid)")
    gate = _Gate(clock)

    def expired(after=0.0):
        return deadline is not None and clock() + after >= deadline

    def run(job):
        attempts = 0
        last = Outcome(job.key, None, not_attempted(), 0)
        while True:
            gate.wait(sleep)
            if expired():
                return last  # never tried, or its last retryable error
            attempts += 1
            try:
                result = gateway.send(
                    job.to,
                    job.body,
                    from_=job.from_,
                    messaging_service_sid=job.messaging_service_sid,
                    status_callback=job.status_callback,
                )
            except GatewayError as error:
                if attempts >= max_attempts or not retry_in_place(error):
                    return Outcome(job.key, None, error, attempts)
                delay = min(max_backoff, backoff * 2 ** (attempts - 1))
                delay *= random.uniform(0.5, 1.0)  # jitter: spread the retries of a burst
                last = Outcome(job.key, None, error, attempts)
                if expired(delay):
                    return last  # retryable: a later queue run sends it
                _logger.info(
                    "Twilio send of %s failed (%s), retry %s in %.2f s",
                    job.key,
                    error,
                    attempts,
                    delay,
                )
                if error.throttled:
                    gate.hold(delay)  # the account is at its limit: everybody waits
                else:
                    sleep(delay)
                continue
            except Exception as exc:  # noqa: BLE001 - queue boundary, see _unexpected()
                _logger.exception("Unexpected error while sending %s", job.key)
                return Outcome(job.key, None, _unexpected(exc), attempts)
            return Outcome(job.key, result, None, attempts)

    if concurrency == 1 or len(jobs) <= 1:
        return [run(job) for job in jobs]
    with ThreadPoolExecutor(
        max_workers=min(concurrency, len(jobs)), thread_name_prefix="duret-sms-send"
    ) as pool:
        return list(pool.map(run, jobs))
