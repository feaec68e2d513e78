"""A local Twilio simulator: enough of the 2010-04-01 Messages API for the official SDK.

Real HTTP on the loopback interface (``http.server.ThreadingHTTPServer`` in a background thread),
for tests and benchmarks; it never binds or connects anywhere else. It creates and fetches
messages with Twilio's JSON shapes and error codes, checks HTTP basic auth, and POSTs signed
status callbacks ("sent", then "delivered" or "undelivered") from a background worker.

Scripting hooks: :meth:`TwilioSimulator.fail_number`, :meth:`~TwilioSimulator.undeliverable`,
:meth:`~TwilioSimulator.queue_errors`, :meth:`~TwilioSimulator.set_latency`,
:meth:`~TwilioSimulator.deliver` and :meth:`~TwilioSimulator.wait_callbacks`.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import queue
import random
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .segments import count_segments

DEFAULT_ACCOUNT_SID = "AC" + "5e" * 16
DEFAULT_AUTH_TOKEN = "5e" * 16
API_VERSION = "2010-04-01"
# The sender Twilio picks from a Messaging Service's pool in this simulation (a French 09 number,
# the range ARCEP reserves for platform conversations).
SERVICE_SENDER = "+33939000001"
CALLBACK_TIMEOUT = 5.0

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CREATE_PATH = re.compile(rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages\.json$")
_FETCH_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
)
_ACCOUNT_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)/"
    r"(?P<resource>Balance\.json|Usage/Records/ThisMonth\.json)$"
)
# Order of a message's life on Twilio's side: the stored resource never moves back even when
# callbacks are scripted out of order.
_STATUS_RANK = {
    "accepted": 0,
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "canceled": 3,
}
_CHARGED = frozenset({"delivered", "undelivered"})
_ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    30003: "Unreachable destination handset",
}


@dataclass(frozen=True)
class Faults:
    """Random faults for fault-matrix runs; each rate is a probability per create request.

    Not accepted (nothing created, safe to retry): ``busy`` (429/20429), ``down`` (503/20503).
    Created but the answer is lost or uncertain (resending would duplicate it): ``lost`` (the
    connection is closed without an answer), ``slow`` (the answer waits ``slow_seconds``, past
    the client's read timeout), ``error_after_create`` (answered 500 with no code).
    Delivery reports (with ``auto_callbacks``): ``race`` posts them before the create is
    answered, ``reorder`` posts the final status before "sent", ``duplicate`` posts the final
    status twice; ``callback_workers`` threads post them concurrently. ``seed`` makes a run
    repeatable.
    """

    busy: float = 0.0
    down: float = 0.0
    lost: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 2.0
    error_after_create: float = 0.0
    race: float = 0.0
    reorder: float = 0.0
    duplicate: float = 0.0
    callback_workers: int = 1
    seed: int | None = None


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Callbacks are never redirected: a redirect could lead off the loopback interface."""

    def redirect_request(self, *args, **kwargs):
        return None


# No proxies (they would be the first non-local hop) and no redirects.
_CALLBACK_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _now():
    return format_datetime(datetime.now(timezone.utc))


def _sign(auth_token, url, params):
    """Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL then each param name+value, sorted."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Several SDK threads connect at once; the default backlog of 5 would drop SYNs and make
    # clients wait a second for the retransmission.
    request_queue_size = 128

    def __init__(self, address, handler, simulator):
        self.simulator = simulator
        super().__init__(address, handler)

    def handle_error(self, request, client_address):
        # A client that gave up (read timeout) leaves a broken pipe: record it, print nothing.
        self.simulator._record_server_error()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.twilio.com
    server_version = "TwilioSimulator/1.0"
    timeout = 60  # idle keep-alive connections close after a minute
    # Headers and body leave in two writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK, adding ~40 ms to every answer on a keep-alive connection.
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.server.simulator._track(self.connection, True)

    def finish(self):
        self.server.simulator._track(self.connection, False)
        super().finish()

    def log_message(self, *args):
        pass  # the simulator keeps its own request log instead of printing to stderr

    def do_GET(self):
        self.server.simulator._handle(self, "GET")

    def do_POST(self):
        self.server.simulator._handle(self, "POST")

    def answer(self, status, payload, headers=None):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class TwilioSimulator:
    """A fake api.twilio.com on 127.0.0.1; use it as a context manager or start()/stop() it.

    ``latency`` (seconds) delays every API answer after the request is processed, so a client
    that times out leaves a created message behind, as with the real Twilio. ``price_per_segment``
    is charged (as Twilio's negative string) once a message is delivered or undelivered.
    With ``auto_callbacks`` every created message moves to "sent" then to its final status in
    the background, POSTing signed callbacks to its StatusCallback when it has one.
    """

    def __init__(
        self,
        account_sid=DEFAULT_ACCOUNT_SID,
        auth_token=DEFAULT_AUTH_TOKEN,
        *,
        latency=0.0,
        host="127.0.0.1",
        port=0,
        auto_callbacks=True,
        price_per_segment="0.07600",
        price_unit="EUR",
        faults=None,
    ):
        if host not in _LOOPBACK_HOSTS:
            raise ValueError(f"the simulator only listens on the loopback interface, not {host}")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.latency = latency
        self.host = host
        self.port = port
        self.auto_callbacks = auto_callbacks
        self.price_per_segment = Decimal(price_per_segment)
        self.price_unit = price_unit
        self.messages = {}
        self.requests = []
        self.callbacks = []
        self.server_errors = 0
        self.created_count = 0
        self._callback_urls = {}
        self._failing_numbers = {}
        self._undeliverable = {}
        self._queued_errors = deque()
        self._lock = threading.RLock()
        self._connections = set()
        self._work = queue.Queue()
        self._pending = 0
        self._drained = threading.Condition(self._lock)
        self._server = None
        self._threads = []
        self.faults = faults or Faults()
        self._randoms = {}
        self._answer_faults = {}
        self._answered_early = {}
        self.fault_counts = {}

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def base_url(self):
        """The URL to give the SDK instead of https://api.twilio.com."""
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_address[1]}"

    def start(self):
        """Listen (on ``port``, or a free one when 0) and start the callback worker."""
        if self._server is not None:
            return self
        server_class = _Server
        if ":" in self.host:
            server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
        self._server = server_class((self.host, self.port), _Handler, self)
        self._threads = [
            # A short poll interval makes stop() quick; tests start and stop many simulators.
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="twilio-sim-http",
                daemon=True,
            ),
        ]
        self._threads += [
            threading.Thread(
                target=self._callback_worker, name=f"twilio-sim-callbacks-{i}", daemon=True
            )
            for i in range(max(1, self.faults.callback_workers))
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self):
        """Stop serving, close open connections and end the callback worker."""
        if self._server is None:
            return
        for _thread in range(max(1, self.faults.callback_workers)):
            self._work.put(None)
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- scripting hooks ----------------------------------------------------------------------

    def fail_number(self, number, code, http_status=400):
        """Make every create for ``To=number`` answer Twilio error ``code``."""
        with self._lock:
            self._failing_numbers[number] = (http_status, code)

    def undeliverable(self, number, error_code=30003):
        """Accept messages to ``number``, then end them "undelivered" with ``error_code``."""
        with self._lock:
            self._undeliverable[number] = error_code

    def queue_errors(self, http_status, code=None, count=1):
        """Make the next ``count`` creates answer ``http_status`` (e.g. 429/20429, 503/None)."""
        with self._lock:
            self._queued_errors.extend([(http_status, code)] * count)

    def clear_queued_errors(self):
        """Forget the errors still queued by :meth:`queue_errors` (Twilio is back)."""
        with self._lock:
            self._queued_errors.clear()

    def set_faults(self, faults):
        """Inject :class:`Faults` from now on (callback workers are set at start)."""
        with self._lock:
            self.faults = faults
            self._randoms = {}

    def duplicates(self):
        """How many StatusCallback URLs (one per SMS) got more than one message created."""
        with self._lock:
            counts = {}
            for url in self._callback_urls.values():
                counts[url] = counts.get(url, 0) + 1
        return sum(1 for count in counts.values() if count > 1)

    def _count_fault(self, kind):
        self.fault_counts[kind] = self.fault_counts.get(kind, 0) + 1

    def _draw(self, *kinds):
        """Pick at most one of ``kinds`` with their rates (caller holds the lock).

        Each group of kinds draws from its own seeded stream, so that the callback threads'
        draws do not change which requests fail.
        """
        if not any(getattr(self.faults, kind) for kind in kinds):
            return None
        stream = self._randoms.get(kinds[0])
        if stream is None:
            seed = None if self.faults.seed is None else f"{self.faults.seed}-{kinds[0]}"
            stream = self._randoms[kinds[0]] = random.Random(seed)
        roll = stream.random()
        for kind in kinds:
            rate = getattr(self.faults, kind)
            if roll < rate:
                self._count_fault(kind)
                return kind
            roll -= rate
        return None

    def callback_url(self, sid):
        """Return the StatusCallback message ``sid`` was created with, or None."""
        with self._lock:
            return self._callback_urls.get(sid)

    def set_latency(self, seconds):
        """Delay every later API answer by ``seconds``."""
        self.latency = seconds

    def deliver(self, sid, status="delivered", error_code=None):
        """Move message ``sid`` to ``status`` and POST that one callback now, in any order.

        The stored message only moves forward; the callback carries ``status`` as given, which
        is how out-of-order callbacks are scripted. Returns the callback's HTTP status, or None
        when the message has no StatusCallback or the POST failed (see :attr:`callbacks`).

        :raises KeyError: for an unknown ``sid``.
        """
        with self._lock:
            if sid not in self.messages:
                raise KeyError(sid)
            self._advance(sid, status, error_code)
        return self._post_callback(sid, status, error_code)

    def wait_callbacks(self, timeout=5.0):
        """Wait until the callback worker has nothing left to do; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._drained:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._drained.wait(remaining)
        return True

    # -- HTTP ---------------------------------------------------------------------------------

    def _track(self, connection, opened):
        with self._lock:
            if opened:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _record_server_error(self):
        with self._lock:
            self.server_errors += 1

    def _handle(self, handler, method):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode() if length else ""
        form = {
            name: values[0]
            for name, values in urllib.parse.parse_qs(raw, keep_blank_values=True).items()
        }
        path = urllib.parse.urlsplit(handler.path).path
        status, payload, headers, created_sid = self._route(
            method, path, form, handler.headers.get("Authorization")
        )
        with self._lock:
            self.requests.append(
                {
                    "method": method,
                    "path": path,
                    "form": form,
                    "status": status,
                    "time": time.monotonic(),
                }
            )
        progress = created_sid and self.auto_callbacks
        with self._lock:
            fault = self._answer_faults.pop(created_sid, None) if created_sid else None
            early = progress and self._draw("race") is not None
        if progress:
            # Counted before answering, so wait_callbacks() called by a client that already has
            # its answer cannot miss this message.
            with self._lock:
                self._pending += 1
        try:
            if early:
                # The delivery reports reach the client before the answer to its create.
                done = threading.Event()
                with self._lock:
                    self._answered_early[created_sid] = done
                self._work.put(created_sid)
                done.wait(CALLBACK_TIMEOUT * 3)
            if self.latency:
                time.sleep(self.latency)
            if fault == "lost":
                # Created, but the answer never leaves: the connection just closes.
                handler.close_connection = True
                with contextlib.suppress(OSError):
                    handler.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault == "slow":
                time.sleep(self.faults.slow_seconds)
            if fault == "error_after_create":
                status, payload = self._error(500, None)
                payload["message"] = "Internal Server Error"
            handler.answer(status, payload, headers)
        finally:
            # A client that timed out still leaves a message that Twilio goes on to deliver.
            if progress and not early:
                self._work.put(created_sid)

    def _route(self, method, path, form, authorization):
        """Return (http status, JSON payload, extra headers, sid of a created message)."""
        if not self._authorized(authorization):
            return (
                *self._error(401, 20003),
                {"WWW-Authenticate": 'Basic realm="Twilio API"'},
                None,
            )
        if (account_answer := self._account_route(method, path)) is not None:
            return account_answer
        create, fetch = _CREATE_PATH.match(path), _FETCH_PATH.match(path)
        match = create or fetch
        if match is None or match["account"] != self.account_sid:
            return (*self._error(404, 20404, path=path), None, None)
        if create and method == "POST":
            return self._create(form)
        if fetch and method == "GET":
            with self._lock:
                message = self.messages.get(fetch["sid"])
                if message is None:
                    return (*self._error(404, 20404, path=path), None, None)
                return 200, dict(message), None, None
        return (
            405,
            {"code": None, "message": "Method not allowed", "status": 405, "more_info": None},
            None,
            None,
        )

    def _authorized(self, authorization):
        if not authorization or not authorization.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.account_sid) and hmac.compare_digest(
            password, self.auth_token
        )

    @staticmethod
    def _error(http_status, code, **fields):
        message = _ERROR_MESSAGES.get(code, "Simulated Twilio error {code}")
        return http_status, {
            "code": code,
            # Scripted errors reuse Twilio's texts; a placeholder without a value stays as is.
            "message": message.format_map(_Missing(code=code, **fields)),
            "more_info": f"https://www.twilio.com/docs/errors/{code}" if code else None,
            "status": http_status,
        }

    def _create(self, form):
        to, body = form.get("To", ""), form.get("Body", "")
        sender, service = form.get("From", ""), form.get("MessagingServiceSid", "")
        with self._lock:
            if self._queued_errors:
                http_status, code = self._queued_errors.popleft()
                status, payload = self._error(http_status, code)
                if code is None:
                    payload["message"] = "Service unavailable"
                return status, payload, None, None
            refused = self._draw("busy", "down")
            failing = self._failing_numbers.get(to)
        if refused == "busy":
            return (*self._error(429, 20429), None, None)
        if refused == "down":
            return (*self._error(503, 20503), None, None)
        if not to:
            return (*self._error(400, 21604), None, None)
        if not _E164.match(to):
            return (*self._error(400, 21211, to=to), None, None)
        if not (sender or service):
            return (*self._error(400, 21603), None, None)
        if not body:
            return (*self._error(400, 21602), None, None)
        if failing:
            return (*self._error(*failing, to=to), None, None)
        sid = "SM" + secrets.token_hex(16)
        now = _now()
        message = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            # With a service Twilio picks the sender, and counts segments, only later.
            "from": None if service else sender,
            "messaging_service_sid": service or None,
            "num_media": "0",
            "num_segments": "0" if service else str(count_segments(body)),
            "price": None,
            "price_unit": self.price_unit,
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json",
            },
            "to": to,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        with self._lock:
            self.messages[sid] = message
            self.created_count += 1
            if form.get("StatusCallback"):
                self._callback_urls[sid] = form["StatusCallback"]
            fault = self._draw("lost", "slow", "error_after_create")
            if fault:
                self._answer_faults[sid] = fault
        return 201, dict(message), None, sid

    # -- account: balance and usage (GET only) -----------------------------------------------

    initial_balance = Decimal("20.00")

    def set_balance(self, amount):
        """Set the prepaid balance before charges (charged messages are taken off it)."""
        self.initial_balance = Decimal(str(amount))

    def _account_route(self, method, path):
        """Answer ``Balance.json`` and ``Usage/Records/ThisMonth.json`` (category ``sms``, every
        message of this simulator's life), or None for other paths."""
        match = _ACCOUNT_PATH.match(path)
        if match is None or match["account"] != self.account_sid or method != "GET":
            return None
        with self._lock:
            charged = [m for m in self.messages.values() if m["price"]]
            spent = sum((-Decimal(m["price"]) for m in charged), Decimal(0))
            segments = sum(int(m["num_segments"]) for m in charged)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/{match['resource']}"
        if match["resource"] == "Balance.json":
            payload = {
                "account_sid": self.account_sid,
                "balance": f"{self.initial_balance - spent:.5f}",
                "currency": self.price_unit,
            }
            return 200, payload, None, None
        today = datetime.now(timezone.utc).date()
        record = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "as_of": _now(),
            "category": "sms",
            "count": str(segments),
            "count_unit": "messages",
            "description": "SMS",
            "start_date": today.replace(day=1).isoformat(),
            "end_date": today.isoformat(),
            "price": f"{spent:.5f}",
            "price_unit": self.price_unit.lower(),
            "usage": str(segments),
            "usage_unit": "messages",
            "uri": uri,
        }
        page = {"first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None}
        return 200, dict(page, uri=uri, page=0, page_size=50, usage_records=[record]), None, None

    # -- delivery and callbacks ---------------------------------------------------------------

    def _advance(self, sid, status, error_code):
        """Move a stored message forward to ``status`` (caller holds the lock)."""
        message = self.messages[sid]
        if _STATUS_RANK.get(status, 0) <= _STATUS_RANK.get(message["status"], 0):
            return
        now = _now()
        message.update(status=status, date_updated=now)
        if message["from"] is None:
            message["from"] = SERVICE_SENDER
        if message["num_segments"] == "0":
            message["num_segments"] = str(count_segments(message["body"]))
        if status in ("sent", "delivered", "undelivered") and message["date_sent"] is None:
            message["date_sent"] = now
        if status in _CHARGED:
            cost = self.price_per_segment * int(message["num_segments"])
            message["price"] = f"-{cost:.5f}"
        if status in ("undelivered", "failed"):
            code = int(error_code or 30008)
            message["error_code"] = code
            message["error_message"] = _ERROR_MESSAGES.get(code, "Delivery failed")

    def _callback_worker(self):
        while True:
            sid = self._work.get()
            if sid is None:
                return
            with self._lock:
                error_code = self._undeliverable.get(self.messages[sid]["to"])
                final = "undelivered" if error_code else "delivered"
                statuses = ["sent", final]
                if self._draw("reorder"):
                    statuses.reverse()
                if self._draw("duplicate"):
                    statuses.append(final)
                early = self._answered_early.pop(sid, None)
            for status in statuses:
                with self._lock:
                    self._advance(sid, status, error_code)
                self._post_callback(sid, status, error_code)
            if early is not None:
                early.set()
            with self._drained:
                self._pending -= 1
                self._drained.notify_all()

    def _post_callback(self, sid, status, error_code):
        """POST one signed status callback; record the outcome; never raise."""
        with self._lock:
            url = self._callback_urls.get(sid)
            message = dict(self.messages[sid])
        if not url:
            return None
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": message["from"] or "",
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": message["to"],
        }
        if message["messaging_service_sid"]:
            params["MessagingServiceSid"] = message["messaging_service_sid"]
        if status in ("undelivered", "failed"):
            params["ErrorCode"] = str(error_code or message["error_code"] or 30008)
        record = {
            "sid": sid,
            "status": status,
            "url": url,
            "params": params,
            "http_status": None,
            "error": None,
        }
        if urllib.parse.urlsplit(url).hostname not in _LOOPBACK_HOSTS:
            record["error"] = "refused: the simulator only calls back to the loopback interface"
        else:
            request = urllib.request.Request(
                url,
                data=urllib.parse.urlencode(params).encode(),
                method="POST",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": _sign(self.auth_token, url, params),
                    "User-Agent": "TwilioProxy/1.1",
                },
            )
            try:
                with _CALLBACK_OPENER.open(request, timeout=CALLBACK_TIMEOUT) as response:
                    record["http_status"] = response.status
            except urllib.error.HTTPError as exc:
                record["http_status"] = exc.code
            except (urllib.error.URLError, OSError) as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.callbacks.append(record)
        return record["http_status"]
