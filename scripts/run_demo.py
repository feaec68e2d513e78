#!/usr/bin/env python3
"""Serve the duret_sms demo on http://localhost:8069 from the Odoo 17 tree the tests use.

    ./run.sh [--port 8069] [--db duret_demo] [--fresh] [--odoo-home DIR]

1. Finds Odoo 17 and PostgreSQL exactly as scripts/odoo_tests.py does ($ODOO_HOME, an
   importable ``odoo``, /opt/odoo17; the server of $PGHOST/$PGPORT/$PGUSER/$PGPASSWORD, else a
   throwaway cluster in /tmp). Never downloads Odoo; installs Odoo's Python requirements into
   the virtualenv when they changed, as the tests do.
2. First start (or --fresh): creates the database with every addon of the repository, the apps
   their bridges need (Contacts, Calendar, Purchase, Inventory, Invoicing), their demo data and
   French, then runs scripts/demo_first_run.py (Sandbox provider, French administrator).
   A database that already has duret_sms is reused as it is.
3. Serves it (crons on: the SMS queue and the reminders run) and prints the URL and login.
   Ctrl-C stops Odoo; a throwaway PostgreSQL cluster is then stopped and deleted. On an
   existing server the database is kept for the next start (--fresh recreates it).
Odoo's log: var/odoo-demo.log.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import odoo_tests as ot  # noqa: E402 - sibling script, not a package
from static_checks import find_addons  # noqa: E402

DEMO_CONF = ot.VAR / "odoo-demo.conf"
DEMO_LOG = ot.VAR / "odoo-demo.log"
FIRST_RUN = ot.REPO / "scripts" / "demo_first_run.py"
FIRST_RUN_DONE = "duret_sms.demo_first_run"  # system parameter set by FIRST_RUN
# The apps office staff use next to duret_sms; the bridges' own dependencies come on top.
APPS = ("contacts", "calendar", "purchase", "stock", "account")


def modules() -> list[str]:
    """The repository's addons, then the apps their bridges need (as the tests install)."""
    addons = find_addons(ot.REPO)
    names = [a.name for a in addons]
    bridged = {dep for a in addons if a.name != "duret_sms" for dep in ot.depends_of(a)}
    return names + sorted((bridged | set(APPS)) - set(names))


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As Odoo binds: connections of a server just stopped (TIME_WAIT) do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


LOCAL_URL_RE = re.compile(r"^http://(localhost|127\.0\.0\.1)(:\d+)?$")
PUBLIC_URL_KEYS = ("duret_sms.public_url", "web.base.url")
DEMO_LINK = "/rdv/de5000000000000000000000000000c1"  # Camille's page (demo data)


def local_url(current: str | None, port: int) -> str | None:
    """The demo's address on ``port`` when ``current`` is a local address (the demo's own,
    on another port); None when it is anything else (someone set a real public URL)."""
    match = LOCAL_URL_RE.match((current or "").strip().rstrip("/"))
    return f"http://{match.group(1)}:{port}" if match else None


def follow_port(pg: ot.Postgres, db: str, port: int) -> str | None:
    """Point the demo's Public URL (and Odoo's web.base.url) at ``port``, and the links of the
    demo's SMS with it, so that every link of the demo opens; returns the new address, or None
    when the database has a non-local Public URL (left alone)."""
    with contextlib.closing(pg.connect(db)) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (PUBLIC_URL_KEYS[0],))
        row = cr.fetchone()
        old = (row[0] if row else "").strip().rstrip("/")
        new = local_url(old, port)
        if new is None:
            return None
        cr.execute(
            "UPDATE ir_config_parameter SET value = %s WHERE key IN %s", (new, PUBLIC_URL_KEYS)
        )
        if old != new:
            # The demo's SMS carry links to the old address: the history is a demo, not proof.
            cr.execute(
                "UPDATE sms_sms SET body = replace(body, %s, %s) WHERE body LIKE %s",
                (old + "/", new + "/", f"%{old}/%"),
            )
        cnx.commit()
    return new


def database_state(pg: ot.Postgres, db: str) -> str:
    """'missing'; 'installed' (duret_sms installed, first-run step not done); 'ready' (both);
    or 'broken' (anything else)."""
    import psycopg2

    with contextlib.closing(pg.connect()) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
        if not cr.fetchone():
            return "missing"
    try:
        with contextlib.closing(pg.connect(db)) as cnx, cnx.cursor() as cr:
            cr.execute("SELECT state FROM ir_module_module WHERE name = 'duret_sms'")
            row = cr.fetchone()
            cr.execute("SELECT 1 FROM ir_config_parameter WHERE key = %s", (FIRST_RUN_DONE,))
            first_run_done = bool(cr.fetchone())
    except psycopg2.Error:
        return "broken"
    if not (row and row[0] == "installed"):
        return "broken"
    return "ready" if first_run_done else "installed"


def run_logged(cmd: list[str], log, stdin=None) -> None:
    log.write(f"\n===== $ {' '.join(cmd)}\n")
    log.flush()
    proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=stdin, check=False)
    if proc.returncode:
        raise ot.StageError(
            f"{' '.join(cmd[1:4])} ... failed (exit {proc.returncode}); "
            f"see {DEMO_LOG.relative_to(ot.REPO)}:\n{tail(DEMO_LOG)}"
        )


def tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(errors="replace").splitlines() if path.is_file() else []
    return "\n".join(f"    {line}" for line in text[-lines:])


def create_demo(home: Path, db: str, pg: ot.Postgres) -> None:
    names = modules()
    odoo = [*ot.odoo_command(home), "-c", str(DEMO_CONF), "-d", db]
    print(f"  creating the database {db}: {', '.join(names)}, demo data, French", flush=True)
    print("  (first start only: a few minutes)", flush=True)
    with DEMO_LOG.open("a", encoding="utf-8") as log:
        # Base first, then the company in France and in euros, then the apps: Invoicing's
        # generic chart and demo entries would otherwise fix the company's currency to USD.
        run_logged(
            [*odoo, "-i", "base", "--load-language=fr_FR", "--stop-after-init", "--no-http"], log
        )
        company_in_euros(pg, db)
        run_logged([*odoo, "-i", ",".join(names), "--stop-after-init", "--no-http"], log)


def company_in_euros(pg: ot.Postgres, db: str) -> None:
    """Make the main company a French one counting in euros before any app records an amount:
    Invoicing then installs the French chart of accounts (in euros) rather than the generic
    one, which would set the company back to USD."""
    with contextlib.closing(pg.connect(db)) as cnx, cnx.cursor() as cr:
        cr.execute("UPDATE res_currency SET active = true WHERE name = 'EUR'")
        cr.execute(
            """UPDATE res_partner SET country_id = (SELECT id FROM res_country WHERE code = 'FR'),
                      state_id = NULL
                WHERE id = (SELECT partner_id FROM res_company
                             WHERE id = (SELECT res_id FROM ir_model_data
                                          WHERE module = 'base' AND name = 'main_company'))"""
        )
        cr.execute(
            """UPDATE res_company SET currency_id = (SELECT id FROM res_currency WHERE name = 'EUR')
                WHERE id = (SELECT res_id FROM ir_model_data
                             WHERE module = 'base' AND name = 'main_company')"""
        )
        cnx.commit()


def first_run(home: Path, db: str) -> None:
    shell = [*ot.odoo_command(home), "shell", "-c", str(DEMO_CONF), "-d", db, "--no-http"]
    with DEMO_LOG.open("a", encoding="utf-8") as log, FIRST_RUN.open("rb") as script:
        run_logged(shell, log, stdin=script)
    print("  demo ready: Duret Électricité, SMS in Sandbox mode, administrator in French")


def serve(home: Path, db: str, port: int, url: str | None = None) -> int:
    cmd = [*ot.odoo_command(home), "-c", str(DEMO_CONF), "-d", db, f"--http-port={port}",
           f"--db-filter=^{db}$"]  # fmt: skip
    with DEMO_LOG.open("a", encoding="utf-8") as log:
        log.write(f"\n===== $ {' '.join(cmd)}\n")
        log.flush()
        # Own process group: Ctrl-C reaches this script only, which then stops Odoo itself
        # (and waits for it) before removing the database server under it.
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if not wait_http(port, proc):
                print(f"  Odoo did not start; see {DEMO_LOG.relative_to(ot.REPO)}:")
                print(tail(DEMO_LOG))
                return 1
            url = url or f"http://localhost:{port}"
            print(
                f"\n  Duret SMS demo: {url}\n"
                "  Login: admin   Password: admin\n"
                f"  A customer's page (Camille's link): {url}{DEMO_LINK}\n"
                f"  Odoo's log: {DEMO_LOG.relative_to(ot.REPO)}.  Ctrl-C to stop.\n",
                flush=True,
            )
            return proc.wait()
        except KeyboardInterrupt:
            print("\n  stopping Odoo...", flush=True)
            return 0
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # Odoo's graceful shutdown
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def wait_http(port: int, proc: subprocess.Popen, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return True
        time.sleep(0.5)
    return False


def _terminate(signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--port", type=int, default=8069, help="HTTP port (default 8069)")
    parser.add_argument("--db", default="duret_demo", help="database name (default duret_demo)")
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument("--odoo-home", default=os.environ.get("ODOO_HOME") or None)
    parser.add_argument("--no-install", action="store_true", help="do not pip install anything")
    args = parser.parse_args(argv)
    # Ctrl-C must stop the demo even when the shell started this script with SIGINT ignored
    # (background jobs of a non-interactive shell).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)

    try:
        home, origin = ot.find_odoo_home(args.odoo_home)
    except ot.StageError as err:
        print(f"run.sh: {err}")
        return 1
    if home is None:
        print("run.sh: Odoo 17 not found (set ODOO_HOME or put a 17.0 tree in /opt/odoo17)")
        return 1
    if not port_is_free(args.port):
        print(f"run.sh: port {args.port} is in use (another Odoo?); choose one with --port")
        return 1
    pg = None
    try:
        if not args.no_install:
            ot.install_odoo_requirements(home)
        pg, why = ot.usable_server()
        if pg is None:
            print(f"  no usable PostgreSQL ({why}): starting a throwaway cluster", flush=True)
            pg = ot.start_cluster()
        print(f"  Odoo 17 at {home} ({origin}); PostgreSQL: {pg.describe()}; database {args.db}")
        ot.write_config(
            home,
            pg,
            args.db,
            path=DEMO_CONF,
            header="; Written by scripts/run_demo.py (./run.sh) for the demo database.\n",
            cron_threads=1,
        )
        DEMO_LOG.write_text("")
        state = database_state(pg, args.db)
        if args.fresh or state in ("missing", "broken"):
            if state != "missing":
                print(f"  dropping the database {args.db} ({state}{', --fresh' * args.fresh})")
                ot.drop_database(pg, args.db)
            create_demo(home, args.db, pg)
            state = "installed"
        else:
            print(f"  reusing the database {args.db} (--fresh to start over)")
        if state == "installed":
            first_run(home, args.db)
        url = follow_port(pg, args.db, args.port)
        if url is None:
            print("  the database has its own Public URL (Settings > SMS): links keep it")
        return serve(home, args.db, args.port, url)
    except KeyboardInterrupt:
        print("\n  interrupted", flush=True)
        return 130
    except ot.StageError as err:
        print(f"run.sh: {err}")
        return 1
    finally:
        if pg is not None and pg.cluster:
            # Ctrl-C again must not leave a half-removed cluster behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            ot.discard(pg, args.db)  # the cluster and the database's filestore
            print(f"  throwaway PostgreSQL stopped and removed ({pg.cluster})")
        elif pg is not None:
            print(f"  database {args.db} kept on {pg.host}:{pg.port} for the next start")


if __name__ == "__main__":
    sys.exit(main())
