#!/usr/bin/env python3
"""Odoo tests in a real Odoo 17 and PostgreSQL: stage 3 of ./test.sh, also runnable alone.

    .venv/bin/python scripts/odoo_tests.py [--odoo-home DIR] [--keep-db] [--db NAME]
                                           [--pytest-odoo]

1. Finds an Odoo 17 source tree: --odoo-home, else $ODOO_HOME, else the tree of an importable
   ``odoo`` package, else /opt/odoo17. None found: prints one "skipped" line and exits 0.
2. Installs Odoo's requirements into the running virtualenv (python-ldap and psycopg2 left out,
   psycopg2-binary instead), only when they changed (stamp file). Odoo itself is not installed
   in it: pytest-odoo gets it through PYTHONPATH.
3. Uses the PostgreSQL server named by $PGHOST/$PGPORT/$PGUSER/$PGPASSWORD (defaults:
   127.0.0.1, 5432, odoo) when it answers and the role may create databases; otherwise starts a
   throwaway cluster (as the ``postgres`` user when run as root) on a free port of 127.0.0.1,
   fsync off, in /tmp, and removes it at the end.
4. In a fresh database, three or four Odoo runs, all logged to var/odoo-tests.log:
   a. ``odoo-bin -i <repo addons + their dependencies> --test-enable --test-tags /<repo addons>``:
      the repository's addons are installed and their own tests run;
   b. scripts/odoo_registry_tests.py: Odoo's ``sms``, ``phone_validation`` and ``calendar_sms``
      suites (at_install, then post_install) in the fully loaded registry, duret_sms included;
   c. ``odoo-bin -i test_mail_sms --test-enable --test-tags /test_mail_sms``: installed after
      duret_sms, so its at_install tests run with duret_sms loaded;
   d. when duret_sms_mass_mailing is in the repository: ``odoo-bin -i test_mass_mailing`` with
      the tags of its SMS test classes only (``MASS_MAILING_TAGS``), bridge installed.
5. Parses Odoo's result lines and prints the failing tests, then ``odoo tests: N passed,
   N failed`` (errors count as failed). Exits 1 on any failure or error, on a run without
   tests, on any other ERROR/CRITICAL log line, or when a run crashes.

--keep-db keeps the database (and a started cluster running) for pytest-odoo or a look in the
UI; var/odoo-test.conf then points at it. --pytest-odoo then also runs the addons' Odoo tests
(duret_sms/tests, duret_sms_*/tests) through pytest-odoo against that database (./test.sh passes
it unless --no-pytest-odoo).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import importlib.util
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from static_checks import find_addons  # noqa: E402 - sibling script, not a package

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var"
LOG = VAR / "odoo-tests.log"
PYTEST_ODOO_LOG = VAR / "pytest-odoo.log"
CONF = VAR / "odoo-test.conf"
DATA_DIR = VAR / "odoo-data"
# The conventional location; DURET_ODOO_DEFAULT moves it (e.g. to show the "skipped" path on a
# machine that has /opt/odoo17).
DEFAULT_ODOO_HOME = Path(os.environ.get("DURET_ODOO_DEFAULT", "/opt/odoo17"))
SKIP_LINE = (
    "Odoo 17 not found: Odoo tests skipped (set ODOO_HOME or put a 17.0 tree in /opt/odoo17)"
)
# Odoo's own suites that must keep passing with duret_sms installed.
REGISTRY_SUITES = ["sms", "phone_validation", "calendar_sms"]  # already installed by step a
INSTALL_SUITES = ["test_mail_sms"]  # test-only module, installed after duret_sms
# Odoo's SMS Marketing tests, with duret_sms_mass_mailing installed (it is auto_install with
# mass_mailing_sms): only the SMS classes of test_mass_mailing, the e-mail ones do not meet it.
MASS_MAILING_SUITE = "test_mass_mailing"
MASS_MAILING_TAGS = [
    "mass_mailing_sms/test_mass_mailing",  # TestMassSMSInternals, TestMassSMS, statistics
    "/test_mass_mailing:TestSmsController",  # the /sms/<mailing>/<code> unsubscribe page
    "/test_mass_mailing:TestSMSPost",  # link tracking in SMS
]
# One Odoo run's limit: an install takes 3-4 minutes on a quiet 2-core machine; a busy one (e.g.
# two faked-clock runs side by side) needs more: DURET_ODOO_STEP_TIMEOUT=<seconds>.
STEP_TIMEOUT = int(os.environ.get("DURET_ODOO_STEP_TIMEOUT") or 900)

RESULT_RE = re.compile(
    r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
LEVEL_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) (\S+) (\S+): (.*)")
TEST_FAIL_RE = re.compile(r"^odoo\.addons\.(\w+)\.tests\.[\w.]+$")
SKIP_RE = re.compile(r" INFO \S+ odoo\.addons\.[\w.]+: skipped ")


class StageError(Exception):
    """A problem that stops stage 3 before or between the Odoo runs."""


# --------------------------------------------------------------------------- Odoo tree


def odoo_major(home: Path) -> int | None:
    """Major version of the Odoo tree at ``home``, or None when it is not an Odoo tree."""
    release = home / "odoo" / "release.py"
    if not release.is_file():
        return None
    match = re.search(r"^version_info = \((\d+),", release.read_text(), re.M)
    return int(match.group(1)) if match else None


def find_odoo_home(explicit: str | None) -> tuple[Path | None, str]:
    """The Odoo 17 tree to use and where it came from; (None, reason) when there is none."""
    if explicit:
        home = Path(explicit).expanduser().resolve()
        major = odoo_major(home)
        if major != 17:
            found = f"Odoo {major}" if major else "no Odoo tree"
            raise StageError(f"ODOO_HOME={home}: {found} there, Odoo 17.0 expected")
        return home, "ODOO_HOME"
    try:
        spec = importlib.util.find_spec("odoo")
    except (ImportError, ValueError):
        spec = None
    if spec and spec.submodule_search_locations:
        home = Path(next(iter(spec.submodule_search_locations))).resolve().parent
        if odoo_major(home) == 17:
            return home, "importable odoo"
    if odoo_major(DEFAULT_ODOO_HOME) == 17:
        return DEFAULT_ODOO_HOME, str(DEFAULT_ODOO_HOME)
    return None, "not found"


def addons_path(home: Path) -> str:
    paths = [home / "odoo" / "addons", home / "addons", REPO]
    return ",".join(str(p) for p in paths if p.is_dir())


def odoo_command(home: Path) -> list[str]:
    odoo_bin = home / "odoo-bin"
    if odoo_bin.is_file():
        return [sys.executable, str(odoo_bin)]
    return [sys.executable, "-m", "odoo"]


# --------------------------------------------------------------------------- virtualenv


def in_virtualenv() -> bool:
    return sys.prefix != sys.base_prefix


def odoo_requirements(home: Path) -> str:
    """Odoo's requirements.txt, without what needs system headers to build."""
    kept = [
        line
        for line in (home / "requirements.txt").read_text().splitlines()
        if not re.match(r"^\s*(python-ldap|psycopg2)\b", line)
    ]
    kept.append("psycopg2-binary==2.9.9  # instead of psycopg2: no libpq headers needed")
    return "\n".join(kept) + "\n"


def install_odoo_requirements(home: Path) -> None:
    """pip install Odoo's requirements into this virtualenv when they changed since last time."""
    if not in_virtualenv():
        return
    text = odoo_requirements(home)
    digest = hashlib.sha256((text + sys.version).encode()).hexdigest()
    stamp = Path(sys.prefix) / ".duret-odoo-requirements.sha256"
    if not (stamp.is_file() and stamp.read_text().strip() == digest):
        VAR.mkdir(exist_ok=True)
        req = VAR / "odoo-requirements.txt"
        req.write_text(text)
        print(f"  installing Odoo's requirements into {sys.prefix} (first run only)", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
             str(req)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode:
            raise StageError(f"pip install -r {req} failed:\n{proc.stdout}{proc.stderr}")
        stamp.write_text(digest + "\n")
    # Earlier versions of this script made `import odoo` work through a .pth file; that makes
    # pylint-odoo infer through Odoo's sources and the static checks three times slower.
    stale = Path(sysconfig.get_paths()["purelib"]) / "duret-odoo-home.pth"
    stale.unlink(missing_ok=True)


def check_test_doubles() -> None:
    """The addons' tests import the test doubles (testing/, distribution duret_sms_testing):
    stop with the remedy when this virtualenv lacks them, say so when they come from elsewhere."""
    spec = importlib.util.find_spec("duret_sms_testing")
    if spec is None or not spec.origin:
        raise StageError(
            f"duret_sms_testing is not installed in {sys.prefix}: the addons' tests import it "
            "(pip install -r requirements-dev.txt, or pip install -e ./testing)"
        )
    where = Path(spec.origin).resolve().parent.parent
    if where != REPO / "testing":
        print(f"  note: duret_sms_testing comes from {where}, not from this checkout")


# --------------------------------------------------------------------------- PostgreSQL


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    password: str | None = None
    cluster: Path | None = None  # set when this script started the server
    run_as: tuple[str, ...] = ()
    bindir: Path | None = None

    def connect(self, dbname: str = "postgres"):
        import psycopg2

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            dbname=dbname, connect_timeout=3,
        )  # fmt: skip

    def describe(self) -> str:
        where = f"{self.host}:{self.port} as {self.user}"
        return f"throwaway cluster {where}" if self.cluster else f"existing server {where}"


def usable_server() -> tuple[Postgres | None, str]:
    """The PostgreSQL server given by the PG* variables, if it answers and may create databases."""
    pg = Postgres(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", "5432")),
        user=os.environ.get("PGUSER", "odoo"),
        password=os.environ.get("PGPASSWORD") or None,
    )
    if pg.user == "postgres":
        return None, "PGUSER=postgres, which Odoo refuses"
    try:
        import psycopg2
    except ImportError:
        return None, "psycopg2 is not installed"
    try:
        with contextlib.closing(pg.connect()) as cnx, cnx.cursor() as cr:
            cr.execute("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
            row = cr.fetchone()
    except psycopg2.Error as err:
        return None, f"{pg.host}:{pg.port}: {str(err).strip().splitlines()[0]}"
    if not (row and row[0]):
        return None, f"role {pg.user} may not create databases"
    return pg, ""


def find_pg_bindir() -> Path:
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise StageError(
        "no PostgreSQL server answers and no PostgreSQL binaries were found "
        "(apt-get install postgresql, or set PGHOST/PGPORT/PGUSER, or PG_BINDIR)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_cluster() -> Postgres:
    """initdb + pg_ctl start a throwaway cluster on a free port; the server never runs as root."""
    bindir = find_pg_bindir()
    run_as: tuple[str, ...] = ()
    if os.geteuid() == 0:
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise StageError("running as root and there is no 'postgres' user to run PostgreSQL")
        run_as = ("runuser", "-u", "postgres", "--") if shutil.which("runuser") else ("su",)
    cluster = Path(tempfile.mkdtemp(prefix="duret-pg-", dir="/tmp"))
    if run_as:
        os.chown(cluster, pw.pw_uid, pw.pw_gid)
    pg = Postgres("127.0.0.1", free_port(), "odoo", cluster=cluster, run_as=run_as, bindir=bindir)
    data = cluster / "data"
    run_pg(pg, [bindir / "initdb", "-D", data, "-U", "odoo", "-A", "trust", "-E", "UTF8",
                "--no-locale", "-N"])  # fmt: skip
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            "\n# throwaway test cluster of duret_sms (scripts/odoo_tests.py)\n"
            f"listen_addresses = '127.0.0.1'\nport = {pg.port}\n"
            "unix_socket_directories = ''\nfsync = off\nsynchronous_commit = off\n"
            "full_page_writes = off\nmax_connections = 100\n"
        )
    run_pg(pg, [bindir / "pg_ctl", "-D", data, "-l", cluster / "server.log", "-w", "-t", "60",
                "start"])  # fmt: skip
    return pg


def run_pg(pg: Postgres, cmd: list) -> None:
    cmd = [str(c) for c in cmd]
    if pg.run_as == ("su",):
        full = ["su", "-s", "/bin/sh", "postgres", "-c", shlex.join(cmd)]
    else:
        full = [*pg.run_as, *cmd]
    proc = subprocess.run(full, capture_output=True, text=True, check=False, cwd="/tmp")
    if proc.returncode:
        log = pg.cluster / "server.log" if pg.cluster else None
        tail = log.read_text()[-2000:] if log and log.is_file() else ""
        raise StageError(f"{shlex.join(cmd)} failed:\n{proc.stdout}{proc.stderr}{tail}")


def stop_cluster(pg: Postgres) -> None:
    with contextlib.suppress(StageError):
        run_pg(pg, [pg.bindir / "pg_ctl", "-D", pg.cluster / "data", "-m", "fast", "-w", "stop"])
    shutil.rmtree(pg.cluster, ignore_errors=True)


def drop_database(pg: Postgres, name: str) -> None:
    with contextlib.closing(pg.connect()) as cnx:
        cnx.autocommit = True
        with cnx.cursor() as cr:
            cr.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
    shutil.rmtree(DATA_DIR / "filestore" / name, ignore_errors=True)


# --------------------------------------------------------------------------- Odoo runs


def discard(pg: Postgres, db: str) -> None:
    """Remove a throwaway database: the whole cluster when the script started it, else the
    database alone; and its filestore."""
    if pg.cluster:
        stop_cluster(pg)
    else:
        with contextlib.suppress(Exception):
            drop_database(pg, db)
    shutil.rmtree(DATA_DIR / "filestore" / db, ignore_errors=True)


def write_config(
    home: Path,
    pg: Postgres,
    db: str,
    path: Path = CONF,
    header: str = "; Written by scripts/odoo_tests.py for the local test database; regenerated "
    "each run.\n; The Docker quick start uses odoo.conf at the top of the repository instead.\n",
    cron_threads: int = 0,
) -> None:
    """Write the Odoo configuration of a throwaway database (also used by i18n_update.py)."""
    VAR.mkdir(exist_ok=True)
    path.write_text(
        header + "[options]\n"
        f"addons_path = {addons_path(home)}\n"
        f"data_dir = {DATA_DIR}\n"
        f"db_host = {pg.host}\n"
        f"db_port = {pg.port}\n"
        f"db_user = {pg.user}\n"
        f"db_password = {pg.password or False}\n"
        f"db_name = {db}\n"
        f"max_cron_threads = {cron_threads}\n"
        "workers = 0\n"
        "log_level = info\n"
    )


@dataclass
class Run:
    name: str
    cmd: list[str]
    failed: int = 0
    errors: int = 0
    tests: int = 0
    skipped: int = 0
    returncode: int | None = None
    found_result: bool = False
    failing: list[str] | None = None
    other_errors: list[str] | None = None


def run_step(run: Run, log) -> None:
    log.write(f"\n===== {run.name}\n===== $ {shlex.join(run.cmd)}\n")
    log.flush()
    start = log.tell()
    proc = subprocess.Popen(run.cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        run.returncode = proc.wait(timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        run.returncode = -9
        log.write(f"\n===== killed after {STEP_TIMEOUT}s\n")
    except BaseException:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        raise
    log.flush()
    with LOG.open(encoding="utf-8", errors="replace") as read:
        read.seek(start)
        parse_log(run, read.read())


def parse_log(run: Run, text: str) -> None:
    results = RESULT_RE.findall(text)
    if results:
        run.found_result = True
        run.failed, run.errors, run.tests = (int(x) for x in results[-1])
    run.skipped = len(SKIP_RE.findall(text))
    run.failing, run.other_errors = [], []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = LEVEL_RE.match(line)
        if not match:
            continue
        _level, _db, logger, message = match.groups()
        if message.startswith("bad query"):  # the reason is on a following line
            reason = next(
                (ln for ln in lines[index + 1 : index + 4] if ln.startswith("ERROR:")), ""
            )
            message = f"{reason or message[:120]} (bad query)"
        test = TEST_FAIL_RE.match(logger)
        if test and re.match(r"(FAIL|ERROR): ", message):
            run.failing.append(f"{test.group(1)}: {message}")
        elif logger == "odoo.tests.suite" and re.match(r"(FAIL|ERROR): ", message):
            module = re.search(r"odoo\.addons\.(\w+)\.", message)  # setUpClass/tearDownClass
            run.failing.append(f"{module.group(1) if module else 'odoo'}: {message}")
        elif logger == "odoo.tests.result" or re.match(r"Module \S+: \d+ failures", message):
            continue  # the summaries themselves
        else:
            run.other_errors.append(f"{logger}: {message}")


def depends_of(addon: Path) -> list[str]:
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))
    return list(manifest.get("depends", []))


def plan_runs(home: Path, db: str, http_port: int) -> list[Run]:
    addons = find_addons(REPO)
    if not addons:
        raise StageError(f"no addon (directory with __manifest__.py) in {REPO}")
    names = [a.name for a in addons]
    # Bridges (duret_sms_purchase, ...) are auto_install: install the apps they bridge to.
    extra = sorted(
        {dep for a in addons if a.name != "duret_sms" for dep in depends_of(a)} - set(names)
    )
    odoo = [*odoo_command(home), "-c", str(CONF), "-d", db, f"--http-port={http_port}"]
    return [
        Run(
            f"install {', '.join(names + extra)} and run the tests of {', '.join(names)}",
            [*odoo, "-i", ",".join(names + extra), "--test-enable",
             "--test-tags", ",".join(f"/{n}" for n in names), "--stop-after-init"],
        ),
        Run(
            f"Odoo's {', '.join(REGISTRY_SUITES)} tests in the full registry (duret_sms loaded)",
            [sys.executable, str(REPO / "scripts" / "odoo_registry_tests.py"),
             "--odoo-home", str(home), "-c", str(CONF), "-d", db,
             "--modules", ",".join(REGISTRY_SUITES), f"--http-port={http_port}"],
        ),
        Run(
            f"install {', '.join(INSTALL_SUITES)} after duret_sms and run its tests",
            [*odoo, "-i", ",".join(INSTALL_SUITES), "--test-enable",
             "--test-tags", ",".join(f"/{n}" for n in INSTALL_SUITES), "--stop-after-init"],
        ),
    ] + ([
        Run(
            f"install {MASS_MAILING_SUITE} after duret_sms_mass_mailing and run its SMS tests",
            [*odoo, "-i", MASS_MAILING_SUITE, "--test-enable",
             "--test-tags", ",".join(MASS_MAILING_TAGS), "--stop-after-init"],
        ),
    ] if "duret_sms_mass_mailing" in names else [])  # fmt: skip


def report(runs: list[Run], elapsed: float) -> bool:
    ok = True
    failed = passed = 0
    for run in runs:
        if run.returncode is None:
            ok = False
            print(f"  {run.name}: not run (the previous run crashed)")
            continue
        bad = run.failed + run.errors
        failed += bad
        passed += run.tests - bad
        skipped = f", {run.skipped} skipped" if run.skipped else ""
        print(f"  {run.name}: {run.tests} tests, {bad} failed{skipped}")
        for name in run.failing or []:
            print(f"    {name}")
        if not run.found_result:
            ok = False
            print(f"    no test result in the log (exit status {run.returncode}): Odoo crashed?")
        elif run.tests == 0:
            ok = False
            print("    no test ran")
        if run.other_errors:
            ok = False
            print(f"    {len(run.other_errors)} other ERROR/CRITICAL log line(s), first ones:")
            for line in run.other_errors[:5]:
                print(f"      {line[:200]}")
        if run.returncode and run.found_result and not bad and not run.other_errors:
            ok = False
            print(f"    exit status {run.returncode}")
        ok = ok and not bad
    if not ok:
        print(f"  full log: {LOG.relative_to(REPO)}")
    # A crash, a run without tests or a stray ERROR line fails the stage with 0 failed tests.
    verdict = "" if ok or failed else ", but FAILED (see above)"
    print(f"odoo tests: {passed} passed, {failed} failed{verdict} ({elapsed:.0f}s)")
    return ok


# pytest-odoo loads the registry without naming the database on the test thread as odoo-bin
# does; this plugin of the test doubles' distribution (testing/) does it.
PYTEST_ODOO_PLUGINS = ["-p", "odoo", "-p", "duret_sms_testing.pytest_odoo_thread"]


def pytest_odoo_paths() -> list[str]:
    """The Odoo tests of every addon of the repository: duret_sms/tests, duret_sms_*/tests."""
    return [f"{a.name}/tests" for a in find_addons(REPO) if (a / "tests").is_dir()]


def pytest_odoo_command(home: Path, db: str) -> str:
    return shlex.join(
        [f"PYTHONPATH={home}", ".venv/bin/pytest", *PYTEST_ODOO_PLUGINS, f"--odoo-database={db}",
         f"--odoo-config={CONF.relative_to(REPO)}", "--odoo-http", *pytest_odoo_paths()]
    )  # fmt: skip


def run_pytest_odoo(home: Path, db: str) -> bool:
    """Run the addons' Odoo tests through pytest-odoo against ``db``: print the failing tests and
    pytest's closing line; the whole output goes to var/pytest-odoo.log."""
    cmd = [sys.executable, "-m", "pytest", *PYTEST_ODOO_PLUGINS, f"--odoo-database={db}",
           f"--odoo-config={CONF}", "--odoo-http", "-q", *pytest_odoo_paths()]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(home)}  # pytest-odoo imports odoo
    print(f"  $ {pytest_odoo_command(home, db)}", flush=True)
    try:
        proc = subprocess.run(
            cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False,
            timeout=STEP_TIMEOUT,
        )  # fmt: skip
        stdout, stderr, returncode = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
        stderr, returncode = f"killed after {STEP_TIMEOUT}s", -9
    PYTEST_ODOO_LOG.write_text(stdout + stderr, encoding="utf-8")
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    if returncode:
        failing = [ln for ln in lines if ln.startswith(("FAILED ", "ERROR "))]
        shown = failing or lines[-15:] or stderr.strip().splitlines()[-15:]
        print("\n".join(f"    {ln}" for ln in shown))
        print(f"  full output: {PYTEST_ODOO_LOG.relative_to(REPO)}")
    # pytest's own closing line ("N passed, N failed ... in Ns"), as the plain pytest stage shows.
    closing = lines[-1].strip("= ") if lines else f"no result (exit status {returncode})"
    print(f"pytest-odoo: {closing}")
    return returncode == 0


# --------------------------------------------------------------------------- main


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--odoo-home", default=os.environ.get("ODOO_HOME") or None)
    parser.add_argument("--db", help="database name (default: duret_test_<date>_<time>)")
    parser.add_argument("--keep-db", action="store_true", help="keep the database (and server)")
    parser.add_argument("--pytest-odoo", action="store_true", help="also run pytest-odoo")
    parser.add_argument("--no-install", action="store_true", help="do not pip install anything")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)

    t0 = time.time()
    try:
        home, origin = find_odoo_home(args.odoo_home)
    except StageError as err:
        print(f"  {err}")
        print("odoo tests: FAILED (bad ODOO_HOME)")
        return 1
    if home is None:
        print(SKIP_LINE)
        return 0
    db = args.db or time.strftime("duret_test_%Y%m%d_%H%M%S")
    pg = None
    try:
        if not args.no_install:
            install_odoo_requirements(home)
        check_test_doubles()
        pg, why = usable_server()
        if pg is None:
            print(f"  no usable PostgreSQL ({why}): starting a throwaway cluster", flush=True)
            pg = start_cluster()
        print(f"  Odoo 17 at {home} ({origin}); PostgreSQL: {pg.describe()}; database {db}")
        drop_database(pg, db)
        http_port = free_port()
        write_config(home, pg, db)
        runs = plan_runs(home, db, http_port)
        print(
            f"  running ({len(runs)} Odoo runs, a few minutes); log: {LOG.relative_to(REPO)}",
            flush=True,
        )
        with LOG.open("w", encoding="utf-8") as log:
            for run in runs:
                run_step(run, log)
                if not run.found_result:  # e.g. the install crashed: the next runs would too
                    break
        ok = report(runs, time.time() - t0)
        if args.pytest_odoo and not runs[0].found_result:
            ok = False
            print("pytest-odoo: not run (the addons' installation did not finish)")
        elif args.pytest_odoo:
            ok = run_pytest_odoo(home, db) and ok
        if args.keep_db:
            print(f"  database kept: {db} (config: {CONF.relative_to(REPO)})")
            print(f"  pytest-odoo: {pytest_odoo_command(home, db)}")
            if pg.cluster:
                stop = [*pg.run_as, str(pg.bindir / "pg_ctl"), "-D", str(pg.cluster / "data"),
                        "stop"]  # fmt: skip
                print(f"  PostgreSQL left running; stop it with: {shlex.join(stop)}")
        return 0 if ok else 1
    except StageError as err:
        print(f"  {err}")
        print("odoo tests: FAILED (could not run Odoo)")
        return 1
    finally:
        if pg is not None and not args.keep_db:
            discard(pg, db)


if __name__ == "__main__":
    sys.exit(main())
