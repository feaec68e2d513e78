"""Benchmark: Twilio's webhooks side by side with Odoo's ``/web/health`` on one prefork server.

What Twilio meets at busy hours: Odoo 17 started as a real prefork server (``--workers 2``, a
port of its own, ``--log-level=info``), and the same client (``--threads`` threads, each
request on a new connection: Odoo's HTTP workers answer HTTP/1.0 and close) posting, in turn:

- ``GET /web/health``: Odoo's own cheapest route, the yardstick;
- ``POST /twilio/sms/receive``: a free-text question ("je serai 10 min en retard") from a known
  customer with an upcoming appointment whose reminder was sent, every request a new
  ``MessageSid``, signed with the company's Auth Token (``twilio.request_validator``);
- ``POST /twilio/sms/status/<sms uuid>``: signed delivery reports for SMS handed to Twilio (the
  local simulator), each SMS ``sent`` then ``delivered`` (each report is recorded; the cron
  that applies them does not run on this server: ``--max-cron-threads 0``).

Each round posts ``--requests`` per thread to each route, in that order; the rates add the
``--rounds`` up, so that a machine whose load drifts weighs on the three alike. Prints the
requests per second of each route, the ratios webhook / health, the SQL queries per request
(median and max) parsed from the server's werkzeug log lines (Odoo 17 appends
``<queries> <query seconds> <other seconds>`` to each) and the HTTP statuses seen. Exits 1 when
a status is not 200 or a route's query count could not be read. No timed assertion: the
figures, and the issue's goals beside them, are for reading.

On a SCRATCH database with duret_sms installed (``--install`` installs it into a new one): it
points the main company at the Twilio simulator, opens its sending hours round the clock,
creates a customer, an appointment, reminders and SMS, and commits. Usage::

    python benchmarks/bench_webhooks.py -c var/odoo-test.conf -d <scratch db> [--install]
        [--port 8441] [--threads 4] [--requests 100] [--rounds 3]
"""

import argparse
import http.client
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from odoo_server import DEFAULT_CONFIG, ODOO_HOME, PreforkServer, free_port, install
from twilio.request_validator import RequestValidator

from duret_sms_testing.twilio_simulator import TwilioSimulator

sys.path.insert(0, str(ODOO_HOME))

ROUTES = ("health", "inbound", "inbound_one", "status", "refused")
PATHS = {
    "health": "/web/health",
    "inbound": "/twilio/sms/receive",
    # Same route; the query string (signed like the rest) tells its log lines apart.
    "inbound_one": "/twilio/sms/receive?bench=one-customer",
    "status": "/twilio/sms/status/",
    # The status route answering a forged request 403 before any work: the floor of a route
    # with a database in Odoo 17 (registry check, environment, our signature check).
    "refused": "/twilio/sms/status/",
}
EXPECTED_STATUS = {"refused": 403}
# Issue 21: what each webhook should sustain, as a share of /web/health's rate, and queries.
GOALS = {"inbound": (0.25, 20), "inbound_one": (None, 20), "status": (0.80, None)}
FROM_NUMBER = "+33939000000"
QUESTION = "Bonjour, je serai 10 min en retard, le code du portail est 1234. Merci"
# werkzeug's access line as Odoo 17 logs it, then its perf filter's three figures.
LOG_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ '
    r"(?P<queries>\d+|-) (?P<query_time>[\d.]+|-) (?P<other_time>[\d.]+|-)"
)


class Setup:
    """Prepare the database through Odoo's ORM in this process (committed)."""

    def __init__(self, args):
        import odoo  # noqa: PLC0415 - after sys.path points at the Odoo tree

        self.odoo = odoo
        odoo.tools.config.parse_config(["-c", str(args.config), "-d", args.database])
        self.registry = odoo.registry(args.database)
        self.args = args

    def env(self, cr):
        return self.odoo.api.Environment(cr, self.odoo.SUPERUSER_ID, {})

    def run(self, simulator, base_url, status_count):
        """Configure the company, create the customer, its reminded appointment and
        ``status_count`` SMS handed over to the simulator; return what the client needs."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            icp = env["ir.config_parameter"]
            # Webhook signatures are checked against the SMS setting Public URL.
            icp.set_param("duret_sms.public_url", base_url)
            icp.set_param("duret_sms.twilio_api_url", simulator.base_url)
            company = env.company
            company.write(
                {
                    "country_id": env.ref("base.fr").id,
                    "phone": "+33 4 72 00 00 00",
                    "duret_sms_provider": "twilio",
                    "twilio_account_sid": simulator.account_sid,
                    "twilio_auth_token": simulator.auth_token,
                    "twilio_from_number": FROM_NUMBER,
                    "twilio_messaging_service_sid": False,
                    "duret_sms_tz": "Europe/Paris",
                    # about speed, not hours: open round the clock
                    "duret_sms_weekday_start": 0,
                    "duret_sms_weekday_end": 24,
                    "duret_sms_saturday_start": 0,
                    "duret_sms_saturday_end": 24,
                    "duret_sms_allow_sunday": True,
                    "duret_sms_allow_holidays": True,
                    "duret_sms_booking_confirmation": False,
                }
            )
            # Earlier runs' SMS would be handed over by this one's queue runs.
            env["sms.sms"].search([("state", "in", ("outgoing", "process"))]).write(
                {"state": "canceled"}
            )
            # Customers of this run only: earlier runs' replies and appointments stay theirs.
            technician = env.ref("base.user_admin")
            start = self.odoo.fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
            customers = env["res.partner"]
            for _i in range(self.args.customers):
                # +33 61: metropolitan mobiles (+33 69x are overseas ones, invalid with +33)
                mobile = f"+3361{secrets.randbelow(10**7):07d}"
                customer = env["res.partner"].create(
                    {
                        "name": f"Client banc d'essai {mobile}",
                        "mobile": mobile,
                        "country_id": env.ref("base.fr").id,
                    }
                )
                event = (
                    env["calendar.event"]
                    .with_context(no_mail_to_attendees=True)
                    .create(
                        {
                            "name": "Dépannage tableau électrique",
                            "start": start,
                            "stop": start + timedelta(hours=1),
                            "user_id": technician.id,
                            "partner_ids": [(4, customer.id), (4, technician.partner_id.id)],
                        }
                    )
                )
                event.action_duret_send_reminder()
                customers |= customer
            customer = customers[0]
            # SMS of the customer's chatter, as Twilio reports on them.
            for i in range(status_count):
                customer._message_sms(f"Duret Électricité : message {i} de ce banc d'essai.")
            cr.commit()
            self.hand_over(env)
            attendees = env["calendar.attendee"].search([("partner_id", "in", customers.ids)])
            if len(attendees.filtered("duret_reminder_sent_at")) != len(customers):
                raise SystemExit("an appointment's reminder was not sent")
            sms = env["sms.sms"].search(
                [("partner_id", "=", customer.id), ("twilio_sid", "!=", False)], order="id"
            )
            pool = [(s.uuid, s.twilio_sid, s.number) for s in sms if "banc" in s.body]
            if len(pool) < status_count:
                raise SystemExit(f"{len(pool)} SMS handed over out of {status_count}")
            return {
                "mobiles": customers.mapped("mobile"),
                "account_sid": simulator.account_sid,
                "auth_token": simulator.auth_token,
                "sms": pool,
            }

    def hand_over(self, env):
        cron = env.ref("duret_sms.ir_cron_sms_twilio_queue")
        for _run in range(20):
            cron.method_direct_trigger()
            env.cr.commit()
            if not env["sms.sms"].search_count([("state", "=", "outgoing")]):
                return


class Requests:
    """The requests of each route, signed beforehand (the client only sends them)."""

    def __init__(self, base_url, facts, threads, per_thread):
        self.base_url = base_url
        self.facts = facts
        self.validator = RequestValidator(facts["auth_token"])
        self.threads = threads
        self.per_thread = per_thread
        self.sms = list(facts["sms"])
        self.forged_target = self.sms[0]  # the pool is consumed by the status batches
        self.mobiles = list(facts["mobiles"])
        self.next_mobile = 0

    def signed(self, path, params):
        signature = self.validator.compute_signature(self.base_url + path, params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        }
        return ("POST", path, urlencode(params).encode(), headers)

    def health(self):
        return ("GET", PATHS["health"], None, {})

    def inbound(self, path=PATHS["inbound"], mobile=None):
        """A question from the next customer of the pool (or from ``mobile``)."""
        if mobile is None:
            mobile = self.mobiles[self.next_mobile % len(self.mobiles)]
            self.next_mobile += 1
        sid = "SM" + secrets.token_hex(16)
        params = {
            "ToCountry": "FR",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": QUESTION,
            "To": FROM_NUMBER,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": self.facts["account_sid"],
            "From": mobile,
            "FromCountry": "FR",
            "ApiVersion": "2010-04-01",
        }
        return self.signed(path, params)

    def inbound_one(self):
        """A question from the first customer: every thread posts into one conversation."""
        return self.inbound(PATHS["inbound_one"], self.mobiles[0])

    def refused(self):
        """A delivery report with a wrong signature (answered 403, nothing read or written)."""
        uuid, sid, number = self.forged_target
        params = {"MessageSid": sid, "MessageStatus": "delivered", "To": number}
        method, path, body, headers = self.signed(PATHS["status"] + uuid, params)
        headers = dict(headers, **{"X-Twilio-Signature": "forged" + headers["X-Twilio-Signature"]})
        return (method, path, body, headers)

    def status_pair(self):
        """``sent`` then ``delivered`` for the next SMS of the pool."""
        uuid, sid, number = self.sms.pop(0)
        for status in ("sent", "delivered"):
            params = {
                "SmsSid": sid,
                "SmsStatus": status,
                "MessageStatus": status,
                "To": number,
                "MessageSid": sid,
                "AccountSid": self.facts["account_sid"],
                "From": FROM_NUMBER,
                "ApiVersion": "2010-04-01",
            }
            yield self.signed(PATHS["status"] + uuid, params)

    def batch(self, route):
        """``threads`` lists of ``per_thread`` requests for ``route``."""
        lists = []
        for thread in range(self.threads):
            if route == "status":
                requests = []
                while len(requests) < self.per_thread:
                    requests.extend(self.status_pair())
                lists.append(requests[: self.per_thread])
            elif route == "inbound":
                # Each thread its own customers (thread t: customers t, t + threads, ...), as
                # distinct customers answering their reminders at the same time.
                mobiles = self.mobiles[thread :: self.threads] or self.mobiles
                lists.append(
                    [self.inbound(mobile=mobiles[i % len(mobiles)]) for i in range(self.per_thread)]
                )
            else:
                lists.append([getattr(self, route)() for _i in range(self.per_thread)])
        return lists


def send_all(port, lists):
    """Send each list from its own thread, all at once; return (seconds, statuses)."""
    statuses = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(lists) + 1)

    def client(requests):
        seen = Counter()
        barrier.wait()
        for method, path, body, headers in requests:
            # Odoo's prefork workers close the connection after each answer (HTTP/1.0).
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                seen[response.status] += 1
            except OSError as error:
                seen[type(error).__name__] += 1
            finally:
                connection.close()
        with lock:
            statuses.update(seen)

    threads = [threading.Thread(target=client, args=(requests,)) for requests in lists]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, statuses


def log_figures(logfile, offset):
    """Per route, the (queries, status) of the werkzeug lines logged after ``offset``, and
    how many lines of each route had no query count."""
    figures = {route: [] for route in ROUTES}
    uncounted = Counter()
    with open(logfile, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            match = LOG_LINE.search(line)
            if not match:
                continue
            # The longest path that matches: the one-customer row's query string included.
            route = max(
                (r for r in ROUTES if match["path"].startswith(PATHS[r])),
                key=lambda r: len(PATHS[r]),
                default=None,
            )
            if route == "status" and match["status"] == "403":
                route = "refused"
            if route is None:
                continue
            if match["queries"] == "-":
                uncounted[route] += 1
            else:
                figures[route].append(int(match["queries"]))
    return figures, uncounted


def retried_requests(logfile, offset):
    """How many times the server logged that it retries a request (``odoo.service.model``:
    ``SERIALIZATION_FAILURE, <n> tries left, try again in <s> sec``) after ``offset``."""
    with open(logfile, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        return sum("tries left, try again in" in line for line in log)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(DEFAULT_CONFIG))
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--install", action="store_true", help="install duret_sms first")
    parser.add_argument("--port", type=int, help="Odoo's HTTP port (default: a free one)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=100, help="per thread, route and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--customers",
        type=int,
        default=20,
        help="customers with a reminded appointment whose questions the inbound row takes in "
        "turn (the 'one customer' row: the first one only)",
    )
    parser.add_argument("--warmup", type=int, default=5, help="requests per thread and route")
    parser.add_argument(
        "--odoo-arg",
        action="append",
        default=[],
        help="one more argument for odoo-bin (e.g. --odoo-arg=--log-sql to see each query; the "
        "query counts are then not logged)",
    )
    args = parser.parse_args(argv)
    if args.install:
        install(args.config, args.database)
    port = args.port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    per_route = args.threads * args.requests * args.rounds
    pairs = -(-args.requests // 2)  # each SMS gets "sent" then "delivered"
    status_sms = args.threads * (args.rounds * pairs + args.warmup)
    logdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    logfile = logdir / "odoo.log"
    with TwilioSimulator(auto_callbacks=False) as simulator:
        print(
            f"Preparing {args.database}: {args.customers} customers with a reminded "
            f"appointment, {status_sms} SMS"
        )
        facts = Setup(args).run(simulator, base_url, status_sms)
    requests = Requests(base_url, facts, args.threads, args.requests)
    server = PreforkServer(
        args.config,
        args.database,
        port,
        logfile,
        workers=2,
        extra_args=("--log-level", "info", *args.odoo_arg),
    )
    seconds = Counter()
    statuses = {route: Counter() for route in ROUTES}
    with server:
        # The first requests of each worker load the registry and fill caches: not measured.
        warm = Requests(base_url, facts, args.threads, args.warmup)
        warm.sms = requests.sms[-args.threads * args.warmup :]
        del requests.sms[-args.threads * args.warmup :]
        # Each customer's first question opens their conversation (measured apart: docs).
        send_all(port, [[warm.inbound() for _mobile in warm.mobiles]])
        for route in ROUTES:
            send_all(port, warm.batch(route))
        time.sleep(0.5)
        offset = logfile.stat().st_size
        load_before = os.getloadavg()
        for _round in range(args.rounds):
            for route in ROUTES:
                lists = requests.batch(route)
                elapsed, seen = send_all(port, lists)
                seconds[route] += elapsed
                statuses[route].update(seen)
        load_after = os.getloadavg()
        time.sleep(1)  # the last log lines are written
        figures, uncounted = log_figures(logfile, offset)
    ok = report(args, per_route, seconds, statuses, figures, uncounted)
    retries = retried_requests(logfile, offset)
    print(
        f"requests Odoo retried after a serialization failure (each after sleeping up to "
        f"seconds): {retries}"
    )
    print(
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{os.cpu_count()} cores; Odoo log: {logfile}"
    )
    return 0 if ok else 1


def report(args, per_route, seconds, statuses, figures, uncounted):
    rates = {route: per_route / seconds[route] for route in ROUTES}
    print(
        f"{args.threads} threads, {args.requests} requests per thread, route and round, "
        f"{args.rounds} rounds ({per_route} requests per route), --workers 2"
    )
    print("| route | requests/s | ratio to /web/health | SQL queries per request "
          "(median / max) | HTTP statuses |")  # fmt: skip
    print("|---|---|---|---|---|")
    ok = True
    for route in ROUTES:
        queries = figures[route]
        ratio = rates[route] / rates["health"]
        if queries:
            query_text = f"{statistics.median(queries):g} / {max(queries)}"
        else:
            query_text = "not logged"
        if uncounted[route]:
            query_text += f" ({uncounted[route]} lines without a count)"
        goal = GOALS.get(route)
        ratio_text = "1" if route == "health" else f"{ratio:.0%}"
        if route == "refused":
            ratio_text += " (the floor of a route with a database)"
        if route == "inbound_one":
            ratio_text += f" (one conversation, {args.threads} at once)"
        if goal:
            if goal[0]:
                ratio_text += f" (goal >= {goal[0]:.0%})"
            if goal[1]:
                query_text += f" (goal <= {goal[1]})"
        status_text = ", ".join(f"{code}: {n}" for code, n in sorted(statuses[route].items()))
        print(
            f"| {PATHS[route]}{'<uuid>' if PATHS[route].endswith('/') else ''}"
            f"{' forged' if route == 'refused' else ''} | {rates[route]:.1f} | "
            f"{ratio_text} | {query_text} | {status_text} |"
        )
        expected = EXPECTED_STATUS.get(route, 200)
        ok = ok and set(statuses[route]) == {expected} and bool(queries)
    if not ok:
        print(
            "error: every request must answer as expected (200; 403 when forged) and log its "
            "query count",
            file=sys.stderr,
        )
    return ok


if __name__ == "__main__":
    sys.exit(main())
