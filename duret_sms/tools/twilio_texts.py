"""Twilio's failure explanations and statuses, translatable.

The core (``core/twilio_codes.py``, ``core/gateway.py``) cannot import Odoo, so it writes its
explanations in English and keeps the Twilio error code. They are stored that way (the code in
``sms.sms.twilio_error_code``, the English text in ``duret_failure_reason``) and translated with
these tables when shown, in the reader's language: the same SMS reads in French for a French
user and in English for an English one.
"""

import re

from odoo import _lt

from ..core import twilio_codes

# Twilio error code -> the staff explanation of core.twilio_codes, translatable. The code is
# passed as text: "30003", never "30 003".
TWILIO_ERROR_TEXTS = {
    20003: _lt("Twilio rejected the credentials (%(code)s): check the Account SID and Auth Token"),
    20404: _lt("Twilio does not know this message or account (%(code)s)"),
    20429: _lt(
        "Too many simultaneous requests to Twilio (%(code)s): the message will be sent again"
    ),
    20500: _lt(
        "Twilio had an internal error (%(code)s): the message may have been sent; waiting for "
        "its delivery report"
    ),
    20503: _lt("Twilio is temporarily unavailable (%(code)s): the message will be sent again"),
    21211: _lt("Twilio rejected the recipient number as invalid (%(code)s): correct the number"),
    21212: _lt(
        "The sender is not a valid number or sender ID (%(code)s): check the sender in Settings"
    ),
    21408: _lt(
        "Sending to this country is not enabled on the Twilio account (%(code)s): enable it "
        "in Twilio's Geo Permissions"
    ),
    21602: _lt("The message has no text (%(code)s)"),
    21603: _lt(
        "No sender configured (%(code)s): set a sender number or Messaging Service in Settings"
    ),
    21604: _lt("The message has no recipient number (%(code)s)"),
    21606: _lt(
        "The sender cannot send SMS to this recipient (%(code)s): check the sender in Settings"
    ),
    21610: _lt(
        "The recipient opted out by replying STOP (%(code)s): Twilio blocks all messages to "
        "this number until they reply START"
    ),
    21611: _lt("The sender's Twilio queue is full (%(code)s): send again later, more slowly"),
    21612: _lt("Twilio cannot reach this recipient by SMS from this sender (%(code)s)"),
    21614: _lt("The recipient is not a mobile number (%(code)s): a landline cannot receive SMS"),
    21617: _lt("The message is longer than Twilio's 1,600 character limit (%(code)s): shorten it"),
    30001: _lt("Twilio's queue overflowed (%(code)s): send again later, more slowly"),
    30002: _lt("The Twilio account is suspended (%(code)s): contact Twilio"),
    30003: _lt(
        "The recipient's phone is off or out of coverage (%(code)s): Twilio advises one retry "
        "later; repeated failures mean carrier filtering"
    ),
    30004: _lt("The message was blocked by the carrier or the recipient (%(code)s)"),
    30005: _lt("The recipient's number is unknown to the carrier (%(code)s): check the number"),
    30006: _lt("The recipient is a landline or an unreachable carrier (%(code)s)"),
    30007: _lt(
        "The carrier filtered the message as spam or against its rules (%(code)s): change "
        "the wording or the sender"
    ),
    30008: _lt("The carrier reported an unknown error (%(code)s)"),
    30410: _lt("The carrier did not answer in time (%(code)s): send again later"),
    30450: _lt(
        "Twilio's fraud protection blocked traffic to this destination (%(code)s): send "
        "again in 30 minutes"
    ),
    30500: _lt("Twilio had an internal error (%(code)s): send again later"),
}

# Explanations the core writes without a Twilio code (HTTP status, network), recognised by
# their English wording. Each pattern is checked against the core in tests/test_sms_display.py.
_CORE_TEXTS = [
    (
        r"Twilio error (?P<code>\d+): see (?P<url>\S+)",
        _lt("Twilio error %(code)s: see %(url)s"),
    ),
    (
        r"Twilio rejected the credentials \(HTTP (?P<status>\d+)\): check the Account SID "
        r"and Auth Token",
        _lt(
            "Twilio rejected the credentials (HTTP %(status)s): check the Account SID and "
            "Auth Token"
        ),
    ),
    (
        r"Too many simultaneous requests to Twilio \(HTTP 429\): the message will be sent again",
        _lt("Too many simultaneous requests to Twilio (HTTP 429): the message will be sent again"),
    ),
    (
        r"Twilio is unavailable \(HTTP (?P<status>\d+)\): send again later",
        _lt("Twilio is unavailable (HTTP %(status)s): send again later"),
    ),
    (r"Twilio answered HTTP (?P<status>\d+)", _lt("Twilio answered HTTP %(status)s")),
    (
        r"Twilio could not be reached or gave no answer",
        _lt("Twilio could not be reached or gave no answer"),
    ),
    (
        r"Twilio did not answer \((?P<what>[^)]+)\): the message may have been sent; check "
        r"Twilio's log before sending it again",
        _lt(
            "Twilio did not answer (%(what)s): the message may have been sent; check Twilio's "
            "log before sending it again"
        ),
    ),
    (
        r"Twilio could not be reached \((?P<what>[^)]+)\): the message was not sent",
        _lt("Twilio could not be reached (%(what)s): the message was not sent"),
    ),
    (
        r"The TLS connection to Twilio failed: check the Twilio API URL",
        _lt("The TLS connection to Twilio failed: check the Twilio API URL"),
    ),
    (
        r"Twilio accepted the request but returned no message id: check Twilio's log before "
        r"sending again",
        _lt(
            "Twilio accepted the request but returned no message id: check Twilio's log before "
            "sending again"
        ),
    ),
    (
        r"Unexpected error while sending \((?P<error>[^)]+)\): the message may have been sent; "
        r"check Twilio's log before sending it again",
        _lt(
            "Unexpected error while sending (%(error)s): the message may have been sent; check "
            "Twilio's log before sending it again"
        ),
    ),
]
_CORE_PATTERNS = [(re.compile(pattern), text) for pattern, text in _CORE_TEXTS]

# The network failures named inside the texts above (core/gateway.py).
_NETWORK_WHAT = {
    "connection timed out": _lt("connection timed out"),
    "connection refused": _lt("connection refused"),
    "connection lost": _lt("connection lost"),
    "no answer in time": _lt("no answer in time"),
    "broken answer": _lt("broken answer"),
    "unreadable answer": _lt("unreadable answer"),
}

# Twilio's message statuses (Messages API enum), for staff.
TWILIO_STATUS_LABELS = {
    "accepted": _lt("Accepted by Twilio"),
    "scheduled": _lt("Scheduled at Twilio"),
    "queued": _lt("Queued at Twilio"),
    "sending": _lt("Being sent"),
    "sent": _lt("Handed to the carrier"),
    "delivered": _lt("Delivered"),
    "read": _lt("Read"),
    "undelivered": _lt("Not delivered"),
    "failed": _lt("Failed (not sent)"),
    "canceled": _lt("Cancelled"),
    "receiving": _lt("Receiving"),
    "received": _lt("Received"),
    "partially_delivered": _lt("Partially delivered"),
}


def translate_reason(env, text, code=None):
    """Return ``text`` (an explanation written by the core, in English) in the language of
    ``env``, keeping any technical detail that follows it; other texts are returned as is.

    ``code`` is the Twilio error code stored with it, if any.
    """
    # Odoo's _lt reads the language from this local; a cron or webhook environment has none
    # in its context: the user's language then, as Odoo's own _() would pick.
    context = {"lang": env.context.get("lang") or env.user.lang}  # noqa: F841
    if not text:
        return text
    if code and code in TWILIO_ERROR_TEXTS:
        english = twilio_codes.error_info(code).message
        if text.startswith(english):
            return str(TWILIO_ERROR_TEXTS[code]) % {"code": str(code)} + text[len(english) :]
    for pattern, translated in _CORE_PATTERNS:
        match = pattern.match(text)
        if match:
            params = match.groupdict()
            if "what" in params and params["what"] in _NETWORK_WHAT:
                params["what"] = str(_NETWORK_WHAT[params["what"]])
            return str(translated) % params + text[match.end() :]
    return text


def twilio_status_label(env, status):
    """Twilio's status ``status`` ("undelivered") for staff, in the language of ``env``."""
    # Odoo's _lt reads the language from this local; a cron or webhook environment has none
    # in its context: the user's language then, as Odoo's own _() would pick.
    context = {"lang": env.context.get("lang") or env.user.lang}  # noqa: F841
    if not status:
        return False
    label = TWILIO_STATUS_LABELS.get(status)
    return str(label) if label else status
