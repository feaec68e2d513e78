"""One company's queue run on Twilio as a stream: claims, requests and answers overlap."""

from ..core import dispatch
from .company_crons import cron_commit


class TwilioStream:
    """One company's queue run on Twilio: claims, hands over and records without pauses.

    The first batch is claimed and committed, then handed to ``dispatch.send_all``; while its
    requests are in flight, this thread (the cursor's) records the answers as they arrive
    (``SmsQueue.record_outcomes``, a group per transaction) and, when the pool is about to run
    dry, claims and commits the next batch (``refill``): each SMS is still claimed and
    committed before its request starts (odoo/odoo#264736). Batches follow the time budget:
    their size comes from the time left once the requests already handed over are done, at
    the speed measured so far (``dispatch.batch_size_for``); no batch is claimed once the
    deadline passed or a request could not start for lack of time.
    """

    def __init__(self, queue, company, link, batch_size, deadline):
        """:param queue: the ``SmsQueue`` whose claims and records are used."""
        self.queue = queue
        self.company = company
        self.link = link
        self.batch_size = batch_size
        self.deadline = deadline
        self.claimed = queue.sms.browse()
        self.unanswered = 0
        self.answered = 0
        self.started = None
        self.complete = True

    def run(self):
        """Return True when no SMS is left due, False when time ran out first."""
        jobs = self.next_jobs()
        if not jobs:
            return self.complete
        self.started = dispatch.monotonic()
        dispatch.send_all(
            self.link.gateway,
            jobs,
            concurrency=self.link.concurrency,
            backoff=self.link.backoff,
            deadline=self.deadline,
            on_outcomes=self.record,
            refill=self.next_jobs,
        )
        return self.complete

    def seconds_per_request(self):
        """How long one request took so far, the pool being full (None before any answer)."""
        if not self.answered:
            return None
        elapsed = dispatch.monotonic() - self.started
        return elapsed * min(self.link.concurrency, self.answered) / self.answered

    def next_jobs(self):
        """Claim and commit the next batch; return its jobs (none: nothing due or no time)."""
        if not self.complete:
            return []
        per_request = self.seconds_per_request()
        seconds_left = self.deadline - dispatch.monotonic()
        if per_request:
            seconds_left -= per_request * self.unanswered / self.link.concurrency
        size = dispatch.batch_size_for(
            seconds_left,
            max_size=self.batch_size,
            concurrency=self.link.concurrency,
            seconds_per_request=per_request,
        )
        if not size:
            self.complete = False
            return []
        batch = self.queue.claim_batch(self.company, size)
        if not batch:
            return []
        jobs = self.queue.prepare_jobs(batch, self.company)
        # The hand-over is durable before any HTTP call (odoo/odoo#264736).
        cron_commit(self.queue.env)
        self.claimed |= batch
        self.unanswered += len(batch)
        return jobs

    def record(self, outcomes):
        self.unanswered -= len(outcomes)
        self.answered += len(outcomes)
        if not all(outcome.attempts for outcome in outcomes):
            self.complete = False  # time was up before this request: the next run sends it
        self.queue.record_outcomes(self.claimed, outcomes)
