"""Twilio message statuses and error codes, mapped to Odoo's ``sms.sms`` vocabulary.

Pure tables and two small functions: no I/O. The Odoo side turns a Twilio status into an
``sms.sms`` state with :data:`TWILIO_STATUS_TO_SMS_STATE`, refuses backward moves with
:func:`is_forward` (Twilio delivers status callbacks out of order), and explains a failure to
office staff with :func:`error_info`.
"""

from dataclasses import dataclass

# Twilio message status -> Odoo sms.sms state. Odoo's labels differ from its keys: "pending" is
# shown as "Sent" (handed to the carrier) and "sent" as "Delivered". Inbound statuses map to None:
# they never describe an outgoing SMS and must be ignored.
TWILIO_STATUS_TO_SMS_STATE = {
    "accepted": "process",
    "scheduled": "process",
    "queued": "process",
    "sending": "process",
    "sent": "pending",
    "delivered": "sent",
    "read": "sent",
    "undelivered": "error",
    "failed": "error",
    "canceled": "canceled",
    "receiving": None,
    "received": None,
}

# Progress of an sms.sms; terminal states share the top rank so none can replace another.
SMS_STATE_RANK = {
    "outgoing": 0,
    "process": 1,
    "pending": 2,
    "sent": 3,
    "error": 3,
    "canceled": 3,
}

TERMINAL_SMS_STATES = frozenset({"sent", "error", "canceled"})

# Twilio refuses every message to a number that texted STOP (or CANCEL, END, ...) until START.
OPTED_OUT_CODE = 21610

# A create answered by one of these HTTP statuses may have created the message all the same: a
# 500 can come after the message was stored, and a 502/504 from a proxy says nothing about what
# Twilio did behind it. Such an answer is settled by the delivery report, never by sending
# again. 503 is Twilio's "not accepted, come back later" (as 429), so it is retried.
UNCERTAIN_HTTP_STATUSES = frozenset({500, 502, 504})
# Error codes that say the message was certainly not created, whatever the HTTP status.
NOT_ACCEPTED_CODES = frozenset({20429, 20503})


def may_have_been_accepted(code, http_status):
    """Tell whether a failed create answered ``http_status``/``code`` may still have created
    the message (so that sending it again could duplicate it)."""
    if code in NOT_ACCEPTED_CODES:
        return False
    return http_status in UNCERTAIN_HTTP_STATUSES or code == 20500


def is_forward(old_state, new_state):
    """Tell whether an sms.sms may move from ``old_state`` to ``new_state``.

    True only for a strictly later state: a terminal state (sent, error, canceled) is final, so a
    late "sent" callback cannot undo "delivered"; "undelivered" after "sent" (pending -> error)
    is forward. ``new_state`` None (an ignored Twilio status) is never forward.

    :raises ValueError: for a state name Odoo does not have.
    """
    if new_state is None:
        return False
    for state in (old_state, new_state):
        if state not in SMS_STATE_RANK:
            raise ValueError(f"unknown sms.sms state: {state!r}")
    if old_state in TERMINAL_SMS_STATES:
        return False
    return SMS_STATE_RANK[new_state] > SMS_STATE_RANK[old_state]


@dataclass(frozen=True)
class ErrorInfo:
    """What a Twilio failure means for Odoo.

    ``failure_type`` is one of Odoo's sms.sms failure types. ``retryable`` is True when the cause
    lies with Twilio or the network (capacity, throttling, time-outs, internal errors), so the same
    message may succeed later unchanged; False when the number, the content, the handset, carrier
    filtering or the account needs a human. ``message`` is plain English for office staff.
    """

    code: int | str | None
    failure_type: str
    retryable: bool
    message: str


# Twilio error code -> (failure_type, retryable, message). Sources: twilio.com/docs/api/errors/N.
_ERRORS = {
    20003: (
        "sms_acc",
        False,
        "Twilio rejected the credentials ({code}): check the Account SID and Auth Token",
    ),
    20404: ("unknown", False, "Twilio does not know this message or account ({code})"),
    20429: (
        "sms_server",
        True,
        "Too many simultaneous requests to Twilio ({code}): the message will be sent again",
    ),
    20500: (
        "sms_server",
        False,
        (
            "Twilio had an internal error ({code}): the message may have been sent; waiting "
            "for its delivery report"
        ),
    ),
    20503: (
        "sms_server",
        True,
        "Twilio is temporarily unavailable ({code}): the message will be sent again",
    ),
    21211: (
        "sms_number_format",
        False,
        "Twilio rejected the recipient number as invalid ({code}): correct the number",
    ),
    21212: (
        "sms_acc",
        False,
        ("The sender is not a valid number or sender ID ({code}): check the sender in Settings"),
    ),
    21408: (
        "sms_country_not_supported",
        False,
        (
            "Sending to this country is not enabled on the Twilio account ({code}): enable it "
            "in Twilio's Geo Permissions"
        ),
    ),
    21602: ("unknown", False, "The message has no text ({code})"),
    21603: (
        "sms_acc",
        False,
        "No sender configured ({code}): set a sender number or Messaging Service in Settings",
    ),
    21604: ("sms_number_missing", False, "The message has no recipient number ({code})"),
    21606: (
        "sms_acc",
        False,
        ("The sender cannot send SMS to this recipient ({code}): check the sender in Settings"),
    ),
    21610: (
        "sms_blacklist",
        False,
        (
            "The recipient opted out by replying STOP ({code}): Twilio blocks all messages to "
            "this number until they reply START"
        ),
    ),
    21611: (
        "sms_server",
        True,
        "The sender's Twilio queue is full ({code}): send again later, more slowly",
    ),
    21612: (
        "sms_not_allowed",
        False,
        "Twilio cannot reach this recipient by SMS from this sender ({code})",
    ),
    21614: (
        "sms_invalid_destination",
        False,
        "The recipient is not a mobile number ({code}): a landline cannot receive SMS",
    ),
    21617: (
        "sms_rejected",
        False,
        "The message is longer than Twilio's 1,600 character limit ({code}): shorten it",
    ),
    30001: (
        "sms_server",
        True,
        "Twilio's queue overflowed ({code}): send again later, more slowly",
    ),
    30002: ("sms_acc", False, "The Twilio account is suspended ({code}): contact Twilio"),
    30003: (
        "sms_not_delivered",
        False,
        (
            "The recipient's phone is off or out of coverage ({code}): Twilio advises one retry "
            "later; repeated failures mean carrier filtering"
        ),
    ),
    30004: (
        "sms_rejected",
        False,
        "The message was blocked by the carrier or the recipient ({code})",
    ),
    30005: (
        "sms_invalid_destination",
        False,
        "The recipient's number is unknown to the carrier ({code}): check the number",
    ),
    30006: (
        "sms_invalid_destination",
        False,
        "The recipient is a landline or an unreachable carrier ({code})",
    ),
    30007: (
        "sms_rejected",
        False,
        (
            "The carrier filtered the message as spam or against its rules ({code}): change "
            "the wording or the sender"
        ),
    ),
    30008: ("sms_not_delivered", False, "The carrier reported an unknown error ({code})"),
    30410: (
        "sms_not_delivered",
        True,
        "The carrier did not answer in time ({code}): send again later",
    ),
    30450: (
        "sms_rejected",
        True,
        (
            "Twilio's fraud protection blocked traffic to this destination ({code}): send "
            "again in 30 minutes"
        ),
    ),
    30500: ("sms_server", True, "Twilio had an internal error ({code}): send again later"),
}

TWILIO_ERRORS = {
    code: ErrorInfo(code, failure_type, retryable, text.format(code=code))
    for code, (failure_type, retryable, text) in _ERRORS.items()
}


def error_info(code, http_status=None):
    """Explain a Twilio failure from its error ``code`` and, failing that, its ``http_status``.

    ``code`` may be an int, a numeric string (callbacks send ``ErrorCode`` as text) or None.
    A known code wins over the HTTP status. Unknown codes are permanent ('unknown', not
    retryable) with the raw code in the message; without a code, HTTP 5xx and 429 are retryable
    server errors and 401/403 credential errors.
    """
    if isinstance(code, str):
        code = int(code) if code.strip().isdigit() else (code.strip() or None)
    if code in TWILIO_ERRORS:
        return TWILIO_ERRORS[code]
    if code is not None:
        return ErrorInfo(
            code,
            "unknown",
            False,
            f"Twilio error {code}: see https://www.twilio.com/docs/api/errors/{code}",
        )
    if http_status in (401, 403):
        return ErrorInfo(
            None,
            "sms_acc",
            False,
            f"Twilio rejected the credentials (HTTP {http_status}): check the "
            "Account SID and Auth Token",
        )
    if http_status == 429:
        return ErrorInfo(
            None,
            "sms_server",
            True,
            "Too many simultaneous requests to Twilio (HTTP 429): the message will be sent again",
        )
    if http_status in UNCERTAIN_HTTP_STATUSES:
        return ErrorInfo(
            None,
            "sms_server",
            False,
            f"Twilio answered HTTP {http_status}: the message may have been sent; waiting for "
            "its delivery report",
        )
    if http_status is not None and 500 <= http_status <= 599:
        return ErrorInfo(
            None,
            "sms_server",
            True,
            f"Twilio is unavailable (HTTP {http_status}): send again later",
        )
    if http_status is not None:
        return ErrorInfo(None, "unknown", False, f"Twilio answered HTTP {http_status}")
    return ErrorInfo(None, "unknown", False, "Twilio could not be reached or gave no answer")
