"""Fault matrix: nothing lost, nothing sent twice, with Odoo in prefork mode and a faulty Twilio.

Starts the local Twilio simulator (127.0.0.1 only) with seeded faults, and Odoo with
``--workers 2`` and a cron worker on a SCRATCH database (duret_sms installed; ``--install``
installs it into a new database), points the main company at the simulator, queues SMS and
runs the scenarios below. The simulator posts signed delivery reports to Odoo's HTTP workers
while the queue runs, several at a time, some before the create is answered, some out of
order, some twice. Usage::

    python benchmarks/fault_matrix.py -c var/odoo-test.conf -d i11_fault_matrix [--install]
        [--count 400] [--seed 11] [--timeout 600]

Scenarios (each on its own SMS):

- ``faults``: ``--count`` SMS; Twilio answers 10 % busy (429/20429) and 5 % down
  (503/20503) without creating, loses 3 % of its answers after creating the message, answers
  2 % too late (read timeout) and 2 % with a 500 after creating; reports race the answer
  (20 %), come out of order (20 %) or twice (10 %), 8 at a time. The queue runs in the cron
  worker AND in two threads of this script at the same time (three concurrent queue runs);
- ``crash``: a runner claims a batch, commits, hands it to Twilio and dies before recording
  a single answer; the delivery reports must settle every SMS.

Prints per scenario: SMS handed over, created at Twilio, created twice (must be 0), answers
lost (must be 0: an SMS Twilio created whose SID Odoo does not know, or an SMS Twilio never
created that Odoo does not keep queued), left in process (must be 0), delivery reports refused,
and the time taken. Exits 1 when any must-be-0 figure is not 0.
"""

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from odoo_server import DEFAULT_CONFIG, ODOO_HOME, PreforkServer, free_port, install

# The test doubles' distribution (testing/), installed editable by requirements-dev.txt.
from duret_sms_testing.twilio_simulator import Faults, TwilioSimulator

sys.path.insert(0, str(ODOO_HOME))

FAULTS = {
    "busy": 0.10,
    "down": 0.05,
    "lost": 0.03,
    "slow": 0.02,
    "error_after_create": 0.02,
    "race": 0.20,
    "reorder": 0.20,
    "duplicate": 0.10,
}
READ_TIMEOUT = 1.0  # seconds; "slow" answers come after 2 s


class Matrix:
    def __init__(self, args):
        self.args = args
        import odoo  # noqa: PLC0415 - after sys.path points at the Odoo tree

        self.odoo = odoo
        odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
        self.registry = None

    # -- database ----------------------------------------------------------------------------

    def env(self, cr):
        return self.odoo.api.Environment(cr, self.odoo.SUPERUSER_ID, {})

    def configure(self, simulator, port):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            icp = env["ir.config_parameter"]
            icp.set_param("web.base.url", f"http://127.0.0.1:{port}")
            icp.set_param("web.base.url.freeze", "True")
            # Status callbacks are built from the SMS public URL, not from web.base.url.
            icp.set_param("duret_sms.public_url", f"http://127.0.0.1:{port}")
            icp.set_param("duret_sms.twilio_api_url", simulator.base_url)
            icp.set_param("duret_sms.twilio_read_timeout", READ_TIMEOUT)
            icp.set_param("duret_sms.batch_size", 50)
            icp.set_param("duret_sms.twilio_retry_backoff", 0.05)
            env.company.write(
                {
                    "country_id": env.ref("base.fr").id,
                    "duret_sms_provider": "twilio",
                    "twilio_account_sid": simulator.account_sid,
                    "twilio_auth_token": simulator.auth_token,
                    "twilio_from_number": "+33939000000",
                    "twilio_messaging_service_sid": False,
                    "duret_sms_tz": "Europe/Paris",
                    # the matrix is about faults, not hours: open round the clock
                    "duret_sms_weekday_start": 0,
                    "duret_sms_weekday_end": 24,
                    "duret_sms_saturday_start": 0,
                    "duret_sms_saturday_end": 24,
                    "duret_sms_allow_sunday": True,
                    "duret_sms_allow_holidays": True,
                    "duret_sms_cap_commercial": 0,
                    "duret_sms_cap_dunning": 0,
                }
            )
            # Earlier runs' SMS would be claimed again by this one's queue runs.
            env["sms.sms"].search([("state", "in", ("outgoing", "process"))]).write(
                {"state": "canceled"}
            )

    def queue(self, scenario, count):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            sms = env["sms.sms"].create(
                [
                    {
                        "number": f"+336{20000000 + i:08d}",
                        "body": f"Duret : {scenario} n°{i}, RDV demain 9h.",
                        "company_id": env.company.id,
                    }
                    for i in range(count)
                ]
            )
            return sms.ids

    def trigger_queue(self):
        with self.registry.cursor() as cr:
            self.env(cr)["sms.sms"]._duret_trigger_queue()

    def run_queue(self):
        with self.registry.cursor() as cr:
            self.env(cr)["sms.sms"]._cron_duret_send_queue()

    def crash_after_hand_over(self, limit):
        """Claim, commit, hand over, then die before any answer is recorded."""
        from odoo.addons.duret_sms.core import dispatch  # noqa: PLC0415

        with self.registry.cursor() as cr:
            env = self.env(cr)
            sms_model = env["sms.sms"]
            batch = sms_model._duret_claim_batch(env.company, limit)
            jobs = batch._duret_prepare_jobs(env.company)
            link = env.company._duret_sms_link()
            cr.commit()
            dispatch.send_all(link.gateway, jobs, concurrency=link.concurrency)
            cr.rollback()  # the worker is gone: nothing of Twilio's answers is written
            return len(batch)

    def states(self, ids):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id, state, twilio_sid, uuid, duret_handover_at IS NOT NULL "
                "FROM sms_sms WHERE id IN %s",
                [tuple(ids)],
            )
            return {row[0]: row[1:] for row in cr.fetchall()}

    # -- figures -----------------------------------------------------------------------------

    def figures(self, simulator, ids, started, refused_before):
        rows = self.states(ids)
        by_uuid = {}
        for message in list(simulator.messages.values()):
            url = simulator.callback_url(message["sid"]) or ""
            by_uuid.setdefault(url.rsplit("/", 1)[-1], []).append(message["sid"])
        created = twice = lost = in_process = handed = 0
        for state, sid, uuid, handed_over in rows.values():
            sids = by_uuid.get(uuid, [])
            created += len(sids)
            twice += len(sids) > 1
            handed += bool(handed_over)
            in_process += state == "process"
            if sids and sid not in sids:
                lost += 1  # Twilio has it, Odoo does not know its SID
            elif not sids and state != "outgoing":
                lost += 1  # never created, yet not kept queued
        refused = sum(1 for c in simulator.callbacks if c["http_status"] != 200) - refused_before
        return {
            "SMS": len(rows),
            "handed over": handed,
            "created at Twilio": created,
            "created twice": twice,
            "answers lost": lost,
            "left in process": in_process,
            "reports refused": refused,
            "seconds": round(time.monotonic() - started, 1),
        }

    def settle(self, simulator, ids, deadline):
        """Wait (bounded) until nothing is in process or queued-and-due."""
        while time.monotonic() < deadline:
            simulator.wait_callbacks(2)
            states = [row[0] for row in self.states(ids).values()]
            if "process" not in states and "outgoing" not in states:
                return True
            time.sleep(1)
        return False

    # -- scenarios ---------------------------------------------------------------------------

    def scenario_faults(self, simulator):
        ids = self.queue("faults", self.args.count)
        refused_before = sum(1 for c in simulator.callbacks if c["http_status"] != 200)
        started = time.monotonic()
        deadline = started + self.args.timeout
        self.trigger_queue()  # the cron worker's run
        errors = []

        def runner():
            try:
                for _run in range(3):
                    self.run_queue()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))

        threads = [threading.Thread(target=runner) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(self.args.timeout)
        settled = self.settle(simulator, ids, deadline)
        result = self.figures(simulator, ids, started, refused_before)
        result["settled"] = settled
        if errors:
            result["runner errors"] = errors
        return result

    def scenario_crash(self, simulator):
        ids = self.queue("crash", 20)
        refused_before = sum(1 for c in simulator.callbacks if c["http_status"] != 200)
        started = time.monotonic()
        simulator.set_faults(Faults(callback_workers=8, seed=self.args.seed))
        self.crash_after_hand_over(20)
        settled = self.settle(simulator, ids, started + self.args.timeout)
        result = self.figures(simulator, ids, started, refused_before)
        result["settled"] = settled
        return result

    def run(self):
        port = free_port()
        faults = Faults(**FAULTS, slow_seconds=2 * READ_TIMEOUT, callback_workers=8)
        faults = Faults(**{**faults.__dict__, "seed": self.args.seed})
        logdir = Path(tempfile.mkdtemp(prefix="fault-matrix-"))
        with TwilioSimulator(faults=faults) as simulator:
            self.registry = self.odoo.registry(self.args.database)
            self.configure(simulator, port)
            server = PreforkServer(
                self.args.config,
                self.args.database,
                port,
                logdir / "odoo.log",
                cron_threads=1,
                extra_args=("--limit-time-real", "120"),
            )
            with server:
                results = {"faults": self.scenario_faults(simulator)}
                results["crash"] = self.scenario_crash(simulator)
            gevent_crashes = (logdir / "odoo.log").read_text().count("DistributionNotFound")
            print(f"Odoo log: {logdir / 'odoo.log'} (gevent start failures: {gevent_crashes})")
            print(f"Simulator faults injected: {dict(sorted(simulator.fault_counts.items()))}")
        return results


def report(results):
    keys = [
        "SMS",
        "handed over",
        "created at Twilio",
        "created twice",
        "answers lost",
        "left in process",
        "reports refused",
        "seconds",
    ]
    print("| scenario | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    ok = True
    for name, figures in results.items():
        print(f"| {name} | " + " | ".join(str(figures[k]) for k in keys) + " |")
        for key in ("created twice", "answers lost", "left in process"):
            ok = ok and figures[key] == 0
        ok = ok and figures["settled"] and not figures.get("runner errors")
        if figures.get("runner errors"):
            print(f"  runner errors: {figures['runner errors']}")
    print("OK: 0 created twice, 0 answers lost, 0 left in process" if ok else "FAILED")
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(DEFAULT_CONFIG))
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--install", action="store_true", help="install duret_sms first")
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per scenario")
    args = parser.parse_args(argv)
    if shutil.which("pg_isready") is None and not Path(args.config).exists():
        raise SystemExit(f"no Odoo configuration at {args.config}")
    if args.install:
        install(args.config, args.database)
    results = Matrix(args).run()
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
