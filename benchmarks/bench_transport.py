"""Benchmark: hand-over throughput to Twilio, sequential versus parallel.

Starts the local Twilio simulator with 100 ms of latency per API call (a realistic round trip
to api.twilio.com from France), hands ``--count`` SMS to it through ``dispatch.send_all`` at
concurrency 1 and at ``--concurrency``, and prints messages per second for each and the ratio.
Everything stays on 127.0.0.1. Usage::

    python benchmarks/bench_transport.py [--count 1000] [--concurrency 16] [--latency 0.1]
"""

import argparse
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "duret_sms" not in sys.modules:
    # Like tests/conftest.py: reach duret_sms.core without running the addon's __init__ (odoo).
    _package = types.ModuleType("duret_sms")
    _package.__path__ = [str(ROOT / "duret_sms")]
    sys.modules["duret_sms"] = _package

from duret_sms.core.dispatch import SendJob, send_all  # noqa: E402
from duret_sms.core.gateway import TwilioGateway  # noqa: E402
from duret_sms_testing.twilio_simulator import TwilioSimulator  # noqa: E402

GOAL_RATIO = 10.0


def run(gateway, count, concurrency, batch):
    """Send ``count`` SMS; return (seconds, outcomes)."""
    jobs = [
        SendJob(
            key=i,
            to=f"+336{10000000 + i:08d}",
            from_="DURET",
            body=f"Duret Electricite : RDV n°{batch}-{i} demain à 9h. Répondez ANNULE.",
        )
        for i in range(count)
    ]
    start = time.perf_counter()
    outcomes = send_all(gateway, jobs, concurrency=concurrency)
    return time.perf_counter() - start, outcomes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="SMS per run (default 1000)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="parallel requests of the second run (default 16)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.1,
        help="simulated Twilio latency in seconds (default 0.1)",
    )
    args = parser.parse_args(argv)

    rates = {}
    with TwilioSimulator(latency=args.latency, auto_callbacks=False) as simulator:
        gateway = TwilioGateway(
            simulator.account_sid, simulator.auth_token, base_url=simulator.base_url
        )
        print(f"{args.count} SMS per run, simulated latency {args.latency * 1000:.0f} ms")
        for concurrency in (1, args.concurrency):
            before = simulator.created_count
            seconds, outcomes = run(gateway, args.count, concurrency, len(rates))
            failed = sum(1 for outcome in outcomes if not outcome.ok)
            created = simulator.created_count - before
            rates[concurrency] = args.count / seconds
            print(
                f"concurrency {concurrency:>3}: {seconds:7.2f} s  "
                f"{rates[concurrency]:8.1f} msg/s  created {created}  failed {failed}"
            )
            if failed or created != args.count:
                print("error: every SMS must be created exactly once", file=sys.stderr)
                return 1
        gateway.close()
    ratio = rates[args.concurrency] / rates[1]
    verdict = "meets" if ratio >= GOAL_RATIO else "misses"
    print(f"speed-up: {ratio:.1f}x ({verdict} the {GOAL_RATIO:.0f}x goal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
