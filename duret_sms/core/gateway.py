"""The Twilio gateway: the single seam for every outbound HTTP call of duret_sms.

One plain class over the official ``twilio`` SDK (v9) with explicit connect and read timeouts, an
overridable REST base URL (simulators, tests), and one exception type, :class:`GatewayError`,
that tells the caller whether sending again is safe. Also the webhook signature helpers, built on
the SDK's :class:`~twilio.request_validator.RequestValidator`.
"""

import json
import logging
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime

import requests
from requests.packages.urllib3.exceptions import NewConnectionError
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from .twilio_codes import ErrorInfo, error_info, may_have_been_accepted

# The SDK logs every request and response (URL, headers) at INFO: one Odoo log line per header
# per SMS. Keep its warnings only; the gateway reports failures itself.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

DEFAULT_TIMEOUT = (5.0, 15.0)


class GatewayError(Exception):
    """A message could not be handed to Twilio, or Twilio's answer was lost.

    ``code`` is Twilio's error code (None when Twilio gave none), ``http_status`` the HTTP status
    (None when no answer came), ``info`` the :class:`ErrorInfo` for staff. ``ambiguous`` is True
    when the request may have reached Twilio but no answer came back (read timeout, connection
    reset after sending, unreadable 2xx): the message may have been accepted and must not be
    resent automatically. ``retryable`` is True when sending the same message again is safe and
    may succeed; ``throttled`` when Twilio refused for too many concurrent requests (429/20429).
    """

    def __init__(self, info, *, http_status=None, ambiguous=False, detail=None):
        self.info = info
        self.code = info.code
        self.http_status = http_status
        self.ambiguous = ambiguous
        self.detail = detail
        super().__init__(str(self))

    @property
    def retryable(self):
        return self.info.retryable and not self.ambiguous

    @property
    def throttled(self):
        return self.code == 20429 or (self.code is None and self.http_status == 429)

    def __str__(self):
        text = self.info.message
        if self.detail:
            text = f"{text} [{self.detail}]"
        return text


@dataclass(frozen=True)
class MessageResult:
    """Twilio's view of one message, typed: ``price`` is a positive cost (Twilio sends
    negative strings such as ``"-0.07600"``) and None until Twilio knows it."""

    sid: str
    status: str
    num_segments: int | None = None
    price: float | None = None
    price_unit: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    to: str | None = None
    date_sent: datetime | None = None


@dataclass(frozen=True)
class AccountFigures:
    """The account's own figures at Twilio: prepaid ``balance`` (in ``currency``; Twilio stops
    sending at zero) and this month's SMS usage (``sms_count`` segments billed for
    ``sms_price`` in ``sms_price_unit``)."""

    balance: float | None
    currency: str | None
    sms_count: int
    sms_price: float
    sms_price_unit: str | None


class _TimeoutHttpClient(TwilioHttpClient):
    """The SDK's requests-based client with a ``(connect, read)`` timeout tuple.

    The SDK's ``HttpClient.__init__`` checks ``timeout <= 0``, which a tuple cannot pass, although
    ``requests`` takes the tuple as is; the SDK only forwards ``self.timeout`` to
    ``Session.send`` when the call gives none, which is always the case for message resources.
    """

    def __init__(self, timeout):
        super().__init__(pool_connections=True, timeout=None)
        self.timeout = timeout


def _result(message):
    """Build a :class:`MessageResult` from the SDK's ``MessageInstance``."""
    segments = message.num_segments
    price = message.price
    return MessageResult(
        sid=message.sid,
        status=message.status,
        num_segments=int(segments) if segments not in (None, "") else None,
        price=abs(float(price)) if price not in (None, "") else None,
        price_unit=message.price_unit,
        error_code=message.error_code,
        error_message=message.error_message,
        to=message.to,
        date_sent=message.date_sent,
    )


def _refused_before_sending(exc):
    """Tell whether a requests ``ConnectionError`` happened before any byte was sent.

    With the SDK's adapters (no urllib3 retries), a refused or unresolvable connection arrives as
    a ``MaxRetryError`` whose reason is a ``NewConnectionError``; a reset after sending arrives as
    a bare ``ProtocolError`` and stays ambiguous.
    """
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


class TwilioGateway:
    """Send and fetch SMS through Twilio's 2010-04-01 Messages API.

    ``base_url`` replaces ``https://api.twilio.com`` (scheme, host, port; the SDK appends the
    ``/2010-04-01/...`` path), and then ``edge`` is ignored. ``timeout`` is ``(connect, read)`` in
    seconds, or one number for both. Safe to share between threads: each thread gets its own SDK
    client and HTTP session, since ``requests.Session`` is not documented as thread-safe.
    """

    def __init__(
        self, account_sid, auth_token, *, base_url=None, timeout=DEFAULT_TIMEOUT, edge=None
    ):
        if not account_sid or not auth_token:
            raise ValueError("a Twilio Account SID and Auth Token are required")
        self.account_sid = account_sid
        self._auth_token = auth_token
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout
        self.edge = None if base_url else edge
        self._local = threading.local()
        self._lock = threading.Lock()
        # Weak: a pool thread's client dies with its thread (thread-local storage), and a gateway
        # used by many send_all() runs must not keep every dead thread's session alive.
        self._http_clients = weakref.WeakSet()

    def __repr__(self):
        # Never the Auth Token: reprs end up in logs and tracebacks.
        return f"<TwilioGateway {self.account_sid} {self.base_url or 'api.twilio.com'}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close every HTTP session this gateway opened (call it when no request is in flight)."""
        with self._lock:
            clients, self._http_clients = list(self._http_clients), weakref.WeakSet()
        for http_client in clients:
            http_client.session.close()
        self._local = threading.local()

    def _client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            http_client = _TimeoutHttpClient(self.timeout)
            client = Client(
                self.account_sid, self._auth_token, http_client=http_client, edge=self.edge
            )
            if self.base_url:
                # Domain.absolute_url() joins this base_url with each resource path at request
                # time. Edge and region (also read from TWILIO_EDGE/TWILIO_REGION) would rewrite
                # the host name, which must stay exactly as configured.
                client.api.base_url = self.base_url
                client.edge = client.region = None
            with self._lock:
                self._http_clients.add(http_client)
            self._local.client = client
        return client

    def send(
        self,
        to,
        body,
        *,
        from_=None,
        messaging_service_sid=None,
        status_callback=None,
        validity_period=None,
        smart_encoded=None,
    ):
        """Hand one SMS to Twilio; return Twilio's answer (status queued or accepted).

        ``messaging_service_sid`` wins over ``from_`` when both are given: Twilio then picks the
        sender from the service's pool. ``validity_period`` in seconds (1-36000).

        :raises ValueError: when neither ``from_`` nor ``messaging_service_sid`` is given.
        :raises GatewayError: on any Twilio or network failure.
        """
        if not (from_ or messaging_service_sid):
            raise ValueError("a sender (from_) or a messaging_service_sid is required")
        params = {"to": to, "body": body}
        if messaging_service_sid:
            params["messaging_service_sid"] = messaging_service_sid
        else:
            params["from_"] = from_
        if status_callback:
            params["status_callback"] = status_callback
        if validity_period is not None:
            params["validity_period"] = validity_period
        if smart_encoded is not None:
            params["smart_encoded"] = smart_encoded
        message = self._call(lambda client: client.api.v2010.account.messages.create(**params))
        if not message.sid:
            # A 2xx without a message: Twilio may hold it, so it must not be sent again blindly.
            raise GatewayError(
                ErrorInfo(
                    None,
                    "sms_server",
                    False,
                    "Twilio accepted the request but returned "
                    "no message id: check Twilio's log before sending again",
                ),
                ambiguous=True,
            )
        return _result(message)

    def fetch(self, sid):
        """Return Twilio's current view of message ``sid`` (status, price once known).

        :raises GatewayError: on any Twilio or network failure (unknown sid: code 20404).
        """
        return _result(self._call(lambda client: client.api.v2010.account.messages(sid).fetch()))

    def account_figures(self):
        """Return the account's balance and this month's SMS usage (:class:`AccountFigures`).

        Usage records of category ``sms`` (all SMS, in and out) for the current calendar month
        in GMT, as Twilio bills them.

        :raises GatewayError: on any Twilio or network failure.
        """
        balance = self._call(lambda client: client.api.v2010.account.balance.fetch())
        records = self._call(
            lambda client: client.api.v2010.account.usage.records.this_month.list(category="sms")
        )
        count = sum(int(record.count or 0) for record in records)
        price = sum(float(record.price or 0) for record in records)
        units = {record.price_unit for record in records if record.price_unit}
        return AccountFigures(
            balance=float(balance.balance) if balance.balance not in (None, "") else None,
            currency=(balance.currency or "").upper() or None,
            sms_count=count,
            sms_price=price,
            sms_price_unit=(units.pop().upper() if len(units) == 1 else None),
        )

    def _call(self, operation):
        """Run one SDK operation; translate its failures into :class:`GatewayError`."""
        try:
            return operation(self._client())
        except (TwilioRestException, TwilioServiceException) as exc:
            raise self._twilio_error(exc) from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise self._network_error(exc, ambiguous=False, what="connection timed out") from exc
        except requests.exceptions.SSLError as exc:
            # The TLS handshake precedes the request; a bad certificate will not heal by itself.
            raise GatewayError(
                ErrorInfo(
                    None,
                    "sms_server",
                    False,
                    "The TLS connection to Twilio failed: check the Twilio API URL",
                ),
                detail=type(exc).__name__,
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            if _refused_before_sending(exc):
                raise self._network_error(exc, ambiguous=False, what="connection refused") from exc
            raise self._network_error(exc, ambiguous=True, what="connection lost") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise self._network_error(exc, ambiguous=True, what="no answer in time") from exc
        except requests.exceptions.RequestException as exc:
            raise self._network_error(exc, ambiguous=True, what="broken answer") from exc
        except json.JSONDecodeError as exc:
            raise self._network_error(exc, ambiguous=True, what="unreadable answer") from exc

    @staticmethod
    def _twilio_error(exc):
        status = exc.status
        # Without a JSON body carrying a code, the SDK repeats the HTTP status as the code.
        code = exc.code if exc.code not in (None, status) else None
        text = (
            getattr(exc, "msg", None)
            or getattr(exc, "detail", None)
            or getattr(exc, "title", None)
            or "no message"
        )
        return GatewayError(
            error_info(code, status),
            http_status=status,
            ambiguous=may_have_been_accepted(code, status),
            detail=f"HTTP {status}: {text}",
        )

    @staticmethod
    def _network_error(exc, *, ambiguous, what):
        if ambiguous:
            info = ErrorInfo(
                None,
                "sms_server",
                False,
                f"Twilio did not answer ({what}): the message may have been sent; "
                "check Twilio's log before sending it again",
            )
        else:
            info = ErrorInfo(
                None,
                "sms_server",
                True,
                f"Twilio could not be reached ({what}): the message was not sent",
            )
        return GatewayError(info, ambiguous=ambiguous, detail=f"{type(exc).__name__}: {exc}")


def compute_signature(auth_token, url, params):
    """Return the ``X-Twilio-Signature`` Twilio would send for a POST of ``params`` to ``url``."""
    return RequestValidator(auth_token).compute_signature(url, params or {})


def validate_signature(auth_token, url, params, signature):
    """Tell whether ``signature`` is Twilio's signature of ``params`` POSTed to ``url``.

    ``url`` must be the exact public URL Twilio called (scheme, host, path, query); the SDK also
    tries it with and without the default port and compares in constant time. A missing or empty
    signature or token gives False, never an exception.
    """
    if not signature or not isinstance(signature, str) or not auth_token:
        return False
    return RequestValidator(auth_token).validate(url, params or {}, signature)
