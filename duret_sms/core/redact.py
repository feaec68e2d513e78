"""Keep the customers' link tokens out of the HTTP access log.

Odoo's HTTP server logs every request line at INFO through the ``werkzeug`` logger; the tokens
of ``/rdv/<token>`` and ``/sms/optout/<token>`` (and the SMS uuid of status callbacks, which is
also the unsubscribe token) are credentials of one customer each.
"""

import logging
import re

TOKEN_PATH_RE = re.compile(
    r"(/rdv/(?:confirm/|cancel/)?|/sms/optout/|/twilio/sms/status/)[0-9A-Za-z]{16,}"
)


def redact(text):
    """``text`` with the tokens of customer links and callbacks replaced by ``***``."""
    return TOKEN_PATH_RE.sub(r"\1***", text)


class TokenRedactingFilter(logging.Filter):
    """A ``logging`` filter that redacts tokens in a record's message and string arguments."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install(logger_name="werkzeug"):
    """Add the filter to ``logger_name`` once per process (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
        logger.addFilter(TokenRedactingFilter())
    return logger
