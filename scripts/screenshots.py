#!/usr/bin/env python3
"""Take the screenshots of docs/screens/ from a running demo (./run.sh), with headless Chromium.

    ./run.sh --port 8069 &                     # the demo, French, Sandbox
    .venv/bin/python scripts/screenshots.py [--url http://localhost:8069] [--db duret_demo]
                                            [--only NAME ...] [--out docs/screens]

Staff screens at 1440x900, the customer's pages at phone size (390x844, touch), logged in as
the demo's administrator (admin / admin, French). Chromium is driven through its DevTools
protocol (the ``websocket-client`` package Odoo's own browser tests use): no Selenium, no
Node. Each screen waits until Odoo has rendered the view and nothing is loading, then a
moment for the charts. Prints one line per screenshot; exits 1 when one could not be taken.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import itertools
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DESKTOP = (1440, 900)
PHONE = (390, 844)
# Odoo has rendered an action and is not loading anything.
BACKEND_READY = (
    "!!document.querySelector('.o_action_manager .o_view_controller')"
    " && !document.querySelector('.o_loading_indicator, .o_blockUI')"
)
PAGE_READY = "document.readyState === 'complete'"
# The demo's fixed tokens (duret_sms/demo/duret_sms_demo.xml).
CAMILLE_RDV = "/rdv/de5000000000000000000000000000c1"
PROMO_OPTOUT = "/sms/optout/de50000000000000000000000000a002"
RATED_VISIT = "/avis/de5Tassin00000r1"
# Issue 21: Camille's conversation (demo/duret_sms_conversation_demo.xml), waiting for Paul.
CAMILLE_CONVERSATION = ("duret.sms.conversation", [["number", "=", "+33612000001"]])
CONVERSATION_FORM = "/web#model=duret.sms.conversation&id={id}&view_type=form"
# Open the thread's "Send SMS" and type an answer: the counter shows under it.
TYPE_AN_ANSWER = [
    "document.querySelector('button.o-duret-sms-send').click()",
    "setTimeout(() => { const t = document.querySelector('.o-mail-Composer-input');"
    " t.value = 'Merci, c\\'est noté. Paul sera là à 9 h.';"
    " t.dispatchEvent(new Event('input', { bubbles: true })); }, 500)",
]
ANSWER_TYPED = (
    "!!document.querySelector('.o-duret-sms-count')"
    " && document.querySelector('.o-mail-Composer-input').value.length > 0"
)
# Staff screens used on a phone (the technician on the road), taken at phone size.
STAFF_ON_PHONE = {"appointment-en-route", "conversations-phone", "conversation-phone"}
ELODIE_RESCHEDULE = "/rdv/reschedule/de5000000000000000000000000000c8"


@dataclass
class Shot:
    name: str
    path: str
    size: tuple[int, int] = DESKTOP
    ready: str = BACKEND_READY
    then: list[str] = field(default_factory=list)  # JavaScript run in turn once ready
    then_ready: str = ""  # what the page shows once ``then`` has run
    xmlid: str = ""  # a record: ``path`` gets its id with {id}
    search: tuple = ()  # or (model, domain): the first record found gives {id}


SHOTS = [
    Shot(
        "calendar-reminders",
        "/web#action=calendar.action_calendar_event&view_type=calendar",
        ready=BACKEND_READY + " && !!document.querySelector('.fc-event .o_event_title')",
        # Odoo's "connect your calendar" banner is not ours: out of the picture.
        then=["document.querySelectorAll('.o_onboarding_container').forEach((e) => e.remove())"],
    ),
    Shot("sms-history", "/web#action=duret_sms.sms_sms_action"),
    Shot("replies", "/web#action=duret_sms.duret_sms_reply_action"),
    Shot(
        "contact-sms-tab",
        "/web#model=res.partner&id={id}&view_type=form",
        xmlid="duret_sms.res_partner_marc_leroy_demo",
        then=["document.querySelector('.o_notebook_headers a[name=\"duret_sms\"]').click()"],
        then_ready="!!document.querySelector('.o_notebook .tab-pane.active .alert-warning')",
    ),
    Shot(
        "urgent-intervention",
        "/web#model=res.partner&id={id}&view_type=form",
        xmlid="duret_sms.res_partner_camille_martin_demo",
        then=["document.querySelector('.o_form_statusbar button.o_duret_sms_urgent').click()"],
        then_ready="!!document.querySelector('.modal [name=\"line_ids\"] .o_data_row')",
    ),
    Shot(
        "roi",
        "/web#action=duret_sms.duret_sms_roi_action",
        ready=BACKEND_READY + " && !!document.querySelector('.o_form_view')",
    ),
    Shot(
        "sms-analysis",
        "/web#action=duret_sms.duret_sms_report_action",
        ready=BACKEND_READY + " && !!document.querySelector('.o_graph_renderer canvas')",
    ),
    Shot("customer-page", CAMILLE_RDV, size=PHONE, ready=PAGE_READY),
    Shot("customer-cancel-page", CAMILLE_RDV.replace("/rdv/", "/rdv/cancel/"), PHONE, PAGE_READY),
    Shot("unsubscribe-page", PROMO_OPTOUT, size=PHONE, ready=PAGE_READY),
    # Issue 19: the technician's En route buttons on the appointment, at phone size.
    Shot(
        "appointment-en-route",
        "/web#model=calendar.event&id={id}&view_type=form",
        size=PHONE,
        xmlid="duret_sms.calendar_event_camille_demo",
        ready=BACKEND_READY + " && !!document.querySelector('.o_duret_en_route_block button')",
    ),
    # Issue 19: the thank-you SMS's page, once the customer rated (the demo's 5/5).
    Shot("rating-page", RATED_VISIT, size=PHONE, ready=PAGE_READY),
    # Issue 20: the free slots of the same technician.
    Shot("reschedule-page", ELODIE_RESCHEDULE, size=PHONE, ready=PAGE_READY),
    # Issue 21: the conversations (every state: the Waiting filter taken off), the thread with
    # an answer being typed (the SMS counter), and on the technician's phone the waiting ones
    # (the default filter) and the thread.
    Shot(
        "conversations",
        "/web#action=duret_sms.duret_sms_conversation_action",
        ready=BACKEND_READY + " && !!document.querySelector('.o_list_view .o_data_row')",
        then=["document.querySelector('.o_searchview_facet .o_facet_remove').click()"],
        then_ready="document.querySelectorAll('.o_list_view .o_data_row').length > 1",
    ),
    Shot(
        "conversation",
        CONVERSATION_FORM,
        search=CAMILLE_CONVERSATION,
        ready=BACKEND_READY + " && !!document.querySelector('.o-mail-Message')",
        then=TYPE_AN_ANSWER,
        then_ready=ANSWER_TYPED,
    ),
    Shot(
        "conversations-phone",
        "/web#action=duret_sms.duret_sms_conversation_action",
        size=PHONE,
        ready=BACKEND_READY + " && !!document.querySelector('.o_kanban_record')",
    ),
    Shot(
        "conversation-phone",
        CONVERSATION_FORM,
        size=PHONE,
        search=CAMILLE_CONVERSATION,
        ready=BACKEND_READY + " && !!document.querySelector('.o-mail-Message')",
        then=[
            *TYPE_AN_ANSWER,
            "setTimeout(() => document.querySelector('.o-mail-Chatter')"
            ".scrollIntoView({ block: 'start' }), 800)",
        ],
        then_ready=ANSWER_TYPED,
    ),
]


class ScreenshotError(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_session(url: str, db: str, login: str, password: str) -> str:
    """Log in through Odoo's JSON-RPC and return the session id."""
    payload = {"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}}
    request = urllib.request.Request(
        f"{url}/web/session/authenticate",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
        cookies = response.headers.get_all("Set-Cookie") or []
    if body.get("error"):
        raise ScreenshotError(f"login refused: {body['error'].get('message')}")
    for cookie in cookies:
        name, _sep, rest = cookie.partition("=")
        if name.strip() == "session_id":
            return rest.split(";", 1)[0]
    raise ScreenshotError("Odoo set no session cookie")


def call_kw(url: str, session: str, model: str, method: str, args: list, kwargs: dict):
    payload = {
        "jsonrpc": "2.0",
        "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
    }
    request = urllib.request.Request(
        f"{url}/web/dataset/call_kw",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Cookie": f"session_id={session}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    if body.get("error"):
        raise ScreenshotError(f"{model}.{method}: {body['error'].get('message')}")
    return body["result"]


def searched_id(url: str, session: str, model: str, domain: list) -> int:
    ids = call_kw(url, session, model, "search", [domain], {"limit": 1})
    if not ids:
        raise ScreenshotError(f"no {model} matches {domain}")
    return ids[0]


def record_id(url: str, session: str, xmlid: str) -> int:
    module, name = xmlid.split(".", 1)
    payload = {
        "jsonrpc": "2.0",
        "params": {
            "model": "ir.model.data",
            "method": "check_object_reference",
            "args": [module, name],
            "kwargs": {},
        },
    }
    request = urllib.request.Request(
        f"{url}/web/dataset/call_kw",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Cookie": f"session_id={session}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    if body.get("error"):
        raise ScreenshotError(f"{xmlid}: {body['error'].get('message')}")
    return body["result"][1]


class Chromium:
    """One headless Chromium and one tab, driven through the DevTools protocol."""

    def __init__(self, binary: str):
        import websocket  # websocket-client, in Odoo's requirements

        self.profile = tempfile.mkdtemp(prefix="duret-screens-")
        port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--no-first-run", "--disable-extensions", "--lang=fr-FR",
             f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}",
             "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        targets = []
        while time.monotonic() < deadline and not targets:
            with contextlib.suppress(OSError, ValueError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.loads(r.read()) if t.get("type") == "page"]
            time.sleep(0.3)
        if not targets:
            self.close()
            raise ScreenshotError("Chromium did not start")
        self.ws = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=60)
        self.ids = itertools.count(1)
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")
        # Odoo shows dates in the browser's time zone: the company's, as in Lyon.
        self.call("Emulation.setTimezoneOverride", timezoneId="Europe/Paris")
        self.call("Emulation.setLocaleOverride", locale="fr-FR")

    def call(self, method: str, **params):
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise ScreenshotError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 45) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(ScreenshotError):
                if self.evaluate(
                    f"(() => {{ try {{ return {expression}; }} catch (e) {{ return false; }} }})()"
                ):
                    return True
            time.sleep(0.4)
        return False

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def take(browser: Chromium, url: str, shot: Shot, out: Path, session: str) -> Path:
    width, height = shot.size
    phone = shot.size == PHONE
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=phone,
    )
    browser.call("Emulation.setTouchEmulationEnabled", enabled=phone)
    browser.call(
        "Network.setCookie", name="session_id", value=session, url=url, path="/", httpOnly=True
    )
    path = shot.path
    if shot.xmlid:
        path = path.format(id=record_id(url, session, shot.xmlid))
    elif shot.search:
        path = path.format(id=searched_id(url, session, *shot.search))
    browser.call("Page.navigate", url="about:blank")
    browser.call("Page.navigate", url=url + path)
    if not browser.wait_for(shot.ready):
        raise ScreenshotError(f"{shot.name}: the page did not get ready ({path})")
    for script in shot.then:
        browser.evaluate(script)
    if shot.then_ready and not browser.wait_for(shot.then_ready):
        raise ScreenshotError(f"{shot.name}: nothing happened after {shot.then}")
    time.sleep(1.5)  # chart animations, fonts
    data = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
    target = out / f"{shot.name}.png"
    target.write_bytes(base64.b64decode(data["data"]))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--url", default="http://localhost:8069", help="the demo's address")
    parser.add_argument("--db", default="duret_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default=str(REPO / "docs" / "screens"))
    parser.add_argument("--only", nargs="*", help="screenshot names (default: all)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    try:
        session = odoo_session(url, args.db, args.login, args.password)
        browser = Chromium(args.chromium)
    except (ScreenshotError, OSError) as error:
        print(f"screenshots: {error}")
        return 1
    failed = 0
    try:
        for shot in shots:
            try:
                target = take(browser, url, shot, out, session)
            except ScreenshotError as error:
                failed += 1
                print(f"  FAILED {error}")
                continue
            print(f"  {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
    finally:
        browser.close()
    print(f"screenshots: {len(shots) - failed} taken, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
