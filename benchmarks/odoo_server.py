"""What the benchmarks that run a real Odoo share: a free port, installing duret_sms into a
scratch database, and an Odoo 17 prefork server started as a subprocess and stopped by its PID.

Imported by the scripts beside it (``benchmarks/`` is their ``sys.path[0]`` when run as
``python benchmarks/<script>.py``); never imports odoo itself.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODOO_HOME = Path(os.environ.get("ODOO_HOME", "/opt/odoo17"))
DEFAULT_CONFIG = ROOT / "var" / "odoo-test.conf"


def free_port():
    """A TCP port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port, deadline):
    """Wait until something accepts connections on ``port``; False at ``deadline``."""
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.5)
    return False


def odoo_bin():
    return [sys.executable, str(ODOO_HOME / "odoo-bin")]


def install(config, database):
    """Install duret_sms (without demo data) into ``database``, created when missing."""
    command = [
        *odoo_bin(),
        *("-c", str(config), "-d", database, "-i", "duret_sms"),
        *("--without-demo=all", "--stop-after-init", "--http-port", str(free_port())),
    ]
    print(f"Installing duret_sms into {database} ...", flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


class PreforkServer:
    """Odoo 17 in prefork mode (``--workers``) on ``port``, logging to ``logfile``.

    A context manager: the server is started on entry, in a session of its own, and stopped
    on exit (errors included) by signalling that process group, the master's PID (its HTTP,
    cron and gevent workers are its children), then killed if it does not stop in time.
    """

    def __init__(
        self,
        config,
        database,
        port,
        logfile,
        workers=2,
        cron_threads=0,
        extra_args=(),
        start_timeout=120,
    ):
        self.command = [
            *odoo_bin(),
            *("-c", str(config), "-d", database, "--db-filter", f"^{database}$"),
            *("--workers", str(workers), "--max-cron-threads", str(cron_threads)),
            *("--http-port", str(port), "--gevent-port", str(free_port())),
            *("--logfile", str(logfile)),
            *extra_args,
        ]
        self.port = port
        self.logfile = Path(logfile)
        self.start_timeout = start_timeout
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603
        try:
            if not wait_http(self.port, time.monotonic() + self.start_timeout):
                raise SystemExit(f"Odoo did not start; see {self.logfile}")
            time.sleep(3)  # the workers and the gevent process come up
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
