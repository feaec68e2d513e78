"""Keep the customers' link tokens out of the HTTP access log.

Odoo's HTTP server logs every request line at INFO through the ``werkzeug`` logger (the evented
server of prefork mode through ``longpolling``). The tokens in the paths of the public routes
below are credentials of one customer each: whoever reads the log could confirm or cancel a
visit, or unsubscribe a number. The SMS uuid of a status callback is redacted too: it is also
that SMS's unsubscribe token (``/sms/optout/<uuid>``).
"""

import logging
import re

# Every public route whose path carries a token: a new one is one line here (the plain test
# tests/test_redact.py reads the controllers' @http.route paths and fails on a route missing).
# What follows the prefix, up to the query string, becomes ***: whatever the token's alphabet
# (hex uuids, base64url with - and _) and length (a truncated token is still most of one).
TOKEN_PATH_PREFIXES = (
    "/rdv/",  # customer page of a visit
    "/rdv/confirm/",
    "/rdv/cancel/",
    "/rdv/reschedule/",
    "/v/",  # short link of one-segment reminders
    "/avis/",  # rating page of a visit (the same short token)
    "/r/",  # the same, sent before 17.0.1.2.0 (and Odoo's link_tracker codes)
    "/sms/optout/",  # unsubscribe link (the SMS uuid)
    "/twilio/sms/status/",  # delivery reports (the same SMS uuid)
)
# Query parameters holding a token (?token=..., ?access_token=..., &csrf_token=...).
TOKEN_PARAM_RE = r"[?&;](?:[\w.-]*[_.-])?token="

MASK = "***"


def _build_regex(prefixes):
    # Longest prefix first, so that /rdv/confirm/<token> keeps its /rdv/confirm/.
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return re.compile(
        # A path start: after a space or quote (request line), a scheme and host (a URL), a
        # slash (//rdv/...) or the start of the text; never inside a longer path (/web/x/r/).
        # What follows, up to the query string or a character no token has (quotes, spaces,
        # and : , ; ( ) of a log message around a path), goes.
        rf"((?<![^\s\"'(<=/])(?:https?://[^/\s\"'<>]+)?(?:{alternatives}))[^?#\s\"'<>:,;()]+"
        rf"|({TOKEN_PARAM_RE})[^&#\s\"'<>]+",
        re.IGNORECASE,
    )


TOKEN_RE = _build_regex(TOKEN_PATH_PREFIXES)


def _mask(match):
    return (match.group(1) or match.group(2)) + MASK


def redact(text):
    """``text`` with the tokens of customer links and callbacks replaced by ``***``."""
    return TOKEN_RE.sub(_mask, text)


class TokenRedactingFilter(logging.Filter):
    """A ``logging`` filter that redacts tokens in a record's message and string arguments."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


# werkzeug: the threaded server and the prefork workers; longpolling: the evented server of
# prefork mode (gevent's access log), which serves any path a proxy sends it.
ACCESS_LOGGERS = ("werkzeug", "longpolling")


def install(*logger_names):
    """Add the filter to each of ``logger_names`` (default: the access logs of Odoo's HTTP
    servers) once per process (idempotent); return the last logger."""
    for name in logger_names or ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())
    return logger
