"""Customer link tokens kept out of the HTTP access log (duret_sms.core.redact).

The routes come from two places: the public routes the addons declare today (read from their
``@http.route`` decorators, so a new route with a token fails here until redact.py has its
line) and the ones the design names, coming ones included.
"""

import ast
import logging
import re
import secrets
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duret_sms.core import redact

ROOT = Path(__file__).resolve().parents[1]

# One token of each alphabet in use: Odoo's attendee access_token and the SMS uuid (uuid4 hex),
# the short-link token (secrets.token_urlsafe(12): 16 base64url characters, - and _ included),
# a longer base64url token, and ones that start or end with - or _.
TOKENS = [
    "0123456789abcdef0123456789abcdef",
    "3fa85f6457174562b3fc2c963f66afa6",
    "Ab-_9xY-z_01-_Qw",
    "-_AbCdEfGhIjKlMn",
    "q7Zk2mP4xW9nB3vL_",
    "LXb6yZ-2n9Kq_TmA0wVr3sD8fJ1hG5cE7iUoPaSlNxY",
]
# Public routes named by the design (DESIGN.md), /rdv/reschedule/ included before it exists.
DESIGN_ROUTES = [
    ("GET", "/rdv/<token>"),
    ("POST", "/rdv/confirm/<token>"),
    ("POST", "/rdv/cancel/<token>"),
    ("GET", "/rdv/reschedule/<token>"),
    ("POST", "/rdv/reschedule/<token>"),
    ("GET", "/sms/optout/<token>"),
    ("POST", "/sms/optout/<token>"),
    ("GET", "/v/<token>"),
    ("GET", "/r/<token>"),
    ("POST", "/twilio/sms/status/<sms_uuid>"),
]
CONVERTER_RE = re.compile(r"<(?:(\w+):)?(\w+)>")


def declared_routes():
    """(methods, path) of every route an addon of the repository declares with @http.route."""
    routes = []
    for path in sorted(ROOT.glob("duret_sms*/**/*.py")):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                if not (isinstance(deco, ast.Call) and ast.unparse(deco.func) == "http.route"):
                    continue
                kwargs = {
                    k.arg: ast.literal_eval(k.value)
                    for k in deco.keywords
                    if k.arg in ("route", "auth", "methods")
                }
                paths = ast.literal_eval(deco.args[0]) if deco.args else kwargs["route"]
                if kwargs.get("auth") not in ("public", "none"):
                    continue
                for route in [paths] if isinstance(paths, str) else paths:
                    routes.append((tuple(kwargs.get("methods") or ("GET",)), route))
    return routes


DECLARED = declared_routes()


def fill(route, token):
    """``route`` with ``token`` in each string argument and 42 in each int one."""
    return CONVERTER_RE.sub(lambda m: "42" if m.group(1) == "int" else token, route)


# The colours werkzeug puts around the request line by status (when Odoo logs to a terminal).
ANSI = {200: "{}", 303: "\x1b[32m{}\x1b[0m", 404: "\x1b[33m{}\x1b[0m", 500: "\x1b[1;35m{}\x1b[0m"}


def werkzeug_record(request_line, code=200):
    """The LogRecord werkzeug 2.x's WSGIRequestHandler.log_request makes of one request."""
    request_line = ANSI[code].format(request_line)
    return logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        0,
        '127.0.0.1 - - [02/Dec/2025 16:50:00] "%s" %s %s\n',
        (request_line, str(code), "1234"),
        None,
    )


def surviving_parts(token, text):
    """Pieces of ``token`` (six characters or more) still in ``text``."""
    return [token[i : i + 6] for i in range(len(token) - 5) if token[i : i + 6] in text]


def test_the_controllers_declare_routes_with_tokens():
    tokened = [route for _methods, route in DECLARED if CONVERTER_RE.search(route)]
    assert "/rdv/<string:token>" in tokened
    assert len(tokened) >= 5


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize(
    ("method", "route"),
    [(m, r) for methods, r in DECLARED for m in methods] + DESIGN_ROUTES,
)
def test_no_token_survives_in_the_access_log(method, route, token):
    logger = redact.install("duret_test_access_log")
    for query in ("", "?lang=fr_FR", f"?access_token={token}&debug=1"):
        line = f"{method} {fill(route, token)}{query} HTTP/1.1"
        for code in ANSI:
            record = werkzeug_record(line, code)
            assert logger.filter(record), "the line is still logged"
            message = record.getMessage()
            assert token not in message
            assert surviving_parts(token, message) == []
            if CONVERTER_RE.search(route):
                assert redact.MASK in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /rdv/Ab-_9xY-z_01-_Qw HTTP/1.1", "GET /rdv/*** HTTP/1.1"),
        ("POST /rdv/confirm/Ab-_9xY-z_01-_Qw HTTP/1.1", "POST /rdv/confirm/*** HTTP/1.1"),
        ("POST /rdv/cancel/abc HTTP/1.1", "POST /rdv/cancel/*** HTTP/1.1"),
        ("GET /rdv/reschedule/abc?x=1 HTTP/1.1", "GET /rdv/reschedule/***?x=1 HTTP/1.1"),
        ("GET /r/-_AbCdEfGhIjKlMn HTTP/1.1", "GET /r/*** HTTP/1.1"),
        ("GET /v/-_AbCdEfGhIjKlMn HTTP/1.1", "GET /v/*** HTTP/1.1"),
        ("GET /sms/optout/abc HTTP/1.1", "GET /sms/optout/*** HTTP/1.1"),
        ("POST /twilio/sms/status/abc HTTP/1.1", "POST /twilio/sms/status/*** HTTP/1.1"),
        # A route under /rdv/ not in the table yet: the rest of the path goes, not just a part.
        ("GET /rdv/s/Ab-_9xY-z_01-_Qw HTTP/1.1", "GET /rdv/*** HTTP/1.1"),
        # Full URLs and doubled slashes.
        ("https://duret.example:8069/rdv/abc", "https://duret.example:8069/rdv/***"),
        ("GET //rdv/abc HTTP/1.1", "GET //rdv/*** HTTP/1.1"),
        # Token parameters, whatever the path.
        ("GET /web?token=a-b_c&x=1 HTTP/1.1", "GET /web?token=***&x=1 HTTP/1.1"),
        (
            "GET /my/orders/7?access_token=a-_c HTTP/1.1",
            "GET /my/orders/7?access_token=*** HTTP/1.1",
        ),
        # werkzeug's colours for a 404 (ESC[33m ... ESC[0m) around the request line.
        ("\x1b[33mGET /rdv/abc HTTP/1.1\x1b[0m", "\x1b[33mGET /rdv/*** HTTP/1.1\x1b[0m"),
        # Lines without a token stay as they are.
        ("POST /twilio/sms/receive HTTP/1.1", "POST /twilio/sms/receive HTTP/1.1"),
        ("GET /web/login HTTP/1.1", "GET /web/login HTTP/1.1"),
        ("GET /rdv/ HTTP/1.1", "GET /rdv/ HTTP/1.1"),
        ("GET /web/static/lib/r/x.js HTTP/1.1", "GET /web/static/lib/r/x.js HTTP/1.1"),
        ("GET /web?tokens=1 HTTP/1.1", "GET /web?tokens=1 HTTP/1.1"),
    ],
)
def test_redact(line, expected):
    assert redact.redact(line) == expected


@given(
    st.sampled_from(redact.TOKEN_PATH_PREFIXES),
    st.text(alphabet="0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZ-_", min_size=1, max_size=64),
)
def test_no_token_of_any_alphabet_survives(prefix, token):
    out = redact.redact(f"GET {prefix}{token} HTTP/1.1")
    assert out == f"GET {prefix}*** HTTP/1.1"


def test_the_real_werkzeug_request_line_is_redacted(caplog):
    serving = pytest.importorskip("werkzeug.serving")
    redact.install()
    token = secrets.token_urlsafe(12)
    handler = serving.WSGIRequestHandler.__new__(serving.WSGIRequestHandler)
    handler.client_address = ("127.0.0.1", 50000)
    handler.command, handler.path, handler.request_version = "GET", f"/r/{token}", "HTTP/1.1"
    handler.requestline = f"GET /r/{token} HTTP/1.1"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for code in (200, 404):
            handler.log_request(code, 1234)
    assert len(caplog.records) == 2
    assert all("/r/***" in r.getMessage() for r in caplog.records)
    assert token not in caplog.text


def test_the_evented_servers_request_line_is_redacted(caplog):
    pywsgi = pytest.importorskip("gevent.pywsgi")
    redact.install()
    token = secrets.token_hex(16)
    # Odoo's evented server (prefork mode) logs through logging.getLogger('longpolling').
    log = pywsgi.LoggingLogAdapter(logging.getLogger("longpolling"))
    with caplog.at_level(logging.INFO, logger="longpolling"):
        log.write(f'127.0.0.1 - - [2025-12-02 16:50:00] "GET /rdv/{token} HTTP/1.1" 200 9 0.01\n')
    assert "/rdv/***" in caplog.text
    assert token not in caplog.text


def test_filter_rewrites_message_and_arguments_once_installed():
    logger = redact.install("duret_test_redact")
    redact.install("duret_test_redact")
    assert sum(isinstance(f, redact.TokenRedactingFilter) for f in logger.filters) == 1
    record = logging.LogRecord(
        "duret_test_redact",
        logging.INFO,
        __file__,
        0,
        f"unsubscribed through /sms/optout/{TOKENS[0]}: %s %s",
        (f"GET /rdv/{TOKENS[2]} HTTP/1.1", 200),
        None,
    )
    assert logger.filter(record)
    assert record.getMessage() == "unsubscribed through /sms/optout/***: GET /rdv/*** HTTP/1.1 200"


def test_install_covers_the_access_logs_of_both_servers():
    redact.install()
    for name in ("werkzeug", "longpolling"):
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, redact.TokenRedactingFilter) for f in filters) == 1
