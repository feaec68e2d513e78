"""Benchmark: the queue cron end to end in a real Odoo 17, one at a time versus in parallel.

What a user meets: SMS queued in Odoo, the real queue cron (``duret_sms.ir_cron_sms_twilio_queue``,
``method_direct_trigger``, committing as in production) hands them to the local Twilio simulator,
which answers each request after ``--latency`` seconds (100 ms: a round trip to api.twilio.com
from France). For each ``--count``, the same number of SMS is handed over once with
``duret_sms.twilio_concurrency`` = 1 (one at a time) and once with ``--concurrency``; prints the
seconds, the ratio, the SQL queries and the transactions per SMS, and the load average.

The simulator runs in a process of its own (Twilio is not in Odoo's process; in the same
process its threads would compete with Odoo's for the interpreter), without delivery reports.
On a SCRATCH database with duret_sms installed: it switches the main company to Twilio (the
simulator), opens the sending hours round the clock, cancels the SMS still queued and commits.
Usage::

    python benchmarks/bench_queue.py -c var/odoo-test.conf -d <scratch db> \\
        [--count 300 --count 1000] [--concurrency 16] [--latency 0.1] [--sequential-count N]

``--sequential-count`` measures one at a time on N SMS only and scales it to ``--count`` (the
ratio says so); by default both runs hand over ``--count`` SMS. Exits 1 when an SMS is created
twice or left without its Twilio SID.
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODOO_HOME = Path(os.environ.get("ODOO_HOME", "/opt/odoo17"))
GOALS = {300: 12.0, 1000: 14.0}


def serve_simulator(connection, latency):
    """Child process: run the simulator, answer the parent's questions until told to stop."""
    from duret_sms_testing.twilio_simulator import TwilioSimulator  # noqa: PLC0415

    with TwilioSimulator(latency=latency, auto_callbacks=False) as simulator:
        connection.send((simulator.base_url, simulator.account_sid, simulator.auth_token))
        while (command := connection.recv()) != "stop":
            if command == "figures":
                with simulator._lock:
                    sids = list(simulator.messages)
                connection.send(
                    {
                        "created": simulator.created_count,
                        "duplicates": simulator.duplicates(),
                        "sids": sids,
                    }
                )


class Bench:
    def __init__(self, args, simulator_connection, simulator_info):
        sys.path.insert(0, str(ODOO_HOME))
        import odoo  # noqa: PLC0415 - after sys.path points at the Odoo tree

        self.odoo = odoo
        odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
        self.args = args
        self.registry = odoo.registry(args.database)
        self.simulator = simulator_connection
        self.commits = 0
        commit = odoo.sql_db.Cursor.commit

        def counted_commit(cursor):
            self.commits += 1  # transactions the queue commits (the cron's own included)
            return commit(cursor)

        odoo.sql_db.Cursor.commit = counted_commit
        self.base_url, self.account_sid, self.auth_token = simulator_info

    def env(self, cr):
        return self.odoo.api.Environment(cr, self.odoo.SUPERUSER_ID, {})

    def configure(self):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            icp = env["ir.config_parameter"]
            icp.set_param("duret_sms.twilio_api_url", self.base_url)
            env.company.write(
                {
                    "country_id": env.ref("base.fr").id,
                    "duret_sms_provider": "twilio",
                    "twilio_account_sid": self.account_sid,
                    "twilio_auth_token": self.auth_token,
                    "twilio_from_number": "+33939000000",
                    "twilio_messaging_service_sid": False,
                    "duret_sms_tz": "Europe/Paris",
                    # the benchmark is about speed, not hours: open round the clock
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
            # Other companies and earlier runs' SMS would be handed over by these runs.
            env["res.company"].search([("id", "!=", env.company.id)]).write(
                {"duret_sms_provider": "iap"}
            )
            env["sms.sms"].search([("state", "in", ("outgoing", "process"))]).write(
                {"state": "canceled"}
            )

    def queue(self, count, label):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            sms = env["sms.sms"].create(
                [
                    {
                        "number": f"+336{30000000 + i:08d}",
                        "body": f"Duret Electricite : RDV {label} n°{i} demain a 9h. "
                        "Repondez ANNULE pour annuler.",
                        "company_id": env.company.id,
                    }
                    for i in range(count)
                ]
            )
            return sms.ids

    def hand_over(self, count, concurrency, label):
        """Queue ``count`` SMS and run the queue cron until none is left; return figures."""
        with self.registry.cursor() as cr:
            self.env(cr)["ir.config_parameter"].set_param(
                "duret_sms.twilio_concurrency", concurrency
            )
        ids = self.queue(count, label)
        before = self.simulator_figures()
        commits_before = self.commits
        queries_before = self.odoo.sql_db.sql_counter
        runs = 0
        started = time.perf_counter()
        with self.registry.cursor() as cr:
            cron = self.env(cr).ref("duret_sms.ir_cron_sms_twilio_queue")
            while True:
                runs += 1
                cron.method_direct_trigger()
                cr.commit()  # the cron worker's commit at the end of a job
                cr.execute(
                    "SELECT count(*) FROM sms_sms WHERE id IN %s AND state = 'outgoing'",
                    [tuple(ids)],
                )
                if not cr.fetchone()[0] or runs >= 20:
                    break
        seconds = time.perf_counter() - started
        queries = self.odoo.sql_db.sql_counter - queries_before
        commits = self.commits - commits_before
        after = self.simulator_figures()
        with self.registry.cursor() as cr:
            cr.execute("SELECT twilio_sid FROM sms_sms WHERE id IN %s", [tuple(ids)])
            sids = {row[0] for row in cr.fetchall()}
        created = set(after["sids"]) - set(before["sids"])
        return {
            "count": count,
            "concurrency": concurrency,
            "seconds": seconds,
            "cron runs": runs,
            "queries": queries / count,
            "commits": commits / count,
            "created": after["created"] - before["created"],
            "twice": after["duplicates"] - before["duplicates"],
            "without SID": len((sids - {None, False}) ^ created) + (None in sids),
        }

    def simulator_figures(self):
        self.simulator.send("figures")
        return self.simulator.recv()


def show(run):
    print(
        f"  concurrency {run['concurrency']:>2}: {run['count']:>5} SMS in {run['seconds']:7.2f} s"
        f" ({run['count'] / run['seconds']:6.1f} SMS/s, {run['cron runs']} cron run(s)),"
        f" {run['queries']:.2f} SQL queries and {run['commits']:.2f} transactions per SMS;"
        f" created {run['created']}, twice {run['twice']}, without their SID {run['without SID']}",
        flush=True,
    )
    return run["twice"] == 0 and run["without SID"] == 0 and run["created"] == run["count"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "var" / "odoo-test.conf"))
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--count", type=int, action="append", help="SMS (default 300 and 1000)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--sequential-count", type=int, help="one at a time on this many SMS")
    args = parser.parse_args(argv)
    counts = args.count or [300, 1000]

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve_simulator, args=(child, args.latency), daemon=True)
    process.start()
    ok = True
    try:
        bench = Bench(args, parent, parent.recv())
        bench.configure()
        print(f"simulated Twilio latency {args.latency * 1000:.0f} ms, {os.cpu_count()} cores")
        rows = []
        for count in counts:
            print(f"{count} SMS (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}):")
            sequential_count = min(args.sequential_count or count, count)
            one = bench.hand_over(sequential_count, 1, f"s{count}")
            ok = show(one) and ok
            many = bench.hand_over(count, args.concurrency, f"p{count}")
            ok = show(many) and ok
            per_sms_one = one["seconds"] / one["count"]
            ratio = per_sms_one * count / many["seconds"]
            scaled = " (one at a time scaled from its sample)" if sequential_count < count else ""
            goal = GOALS.get(count)
            verdict = f", goal {goal:.0f}x {'met' if ratio >= goal else 'missed'}" if goal else ""
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"  ratio: {ratio:.1f}x{scaled}{verdict}; load average {load}", flush=True)
            rows.append((count, one, many, ratio, load))
        print()
        print(
            "| SMS | one at a time | concurrency "
            f"{args.concurrency} | ratio | queries/SMS | transactions/SMS | load average |"
        )
        print("|---|---|---|---|---|---|---|")
        for count, one, many, ratio, load in rows:
            print(
                f"| {count} | {one['seconds'] * count / one['count']:.1f} s | "
                f"{many['seconds']:.2f} s | {ratio:.1f}x | {many['queries']:.2f} "
                f"(one at a time {one['queries']:.2f}) | {many['commits']:.2f} "
                f"(one at a time {one['commits']:.2f}) | {load} |"
            )
    finally:
        parent.send("stop")
        process.join(10)
    if not ok:
        print("error: every SMS must be created exactly once and keep its SID", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
