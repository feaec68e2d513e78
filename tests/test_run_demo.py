"""./run.sh and scripts/run_demo.py: what can be checked without starting Odoo.

The end-to-end run (create the demo, serve it, Ctrl-C, cluster removed) needs Odoo and
PostgreSQL and a few minutes; it is described in scripts/README.md ("Demo without Docker").
"""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import run_demo  # noqa: E402 - a script of the repository, not a package


def test_demo_installs_every_addon_and_the_apps_staff_use():
    modules = run_demo.modules()
    addons = sorted(p.parent.name for p in REPO.glob("*/__manifest__.py"))
    assert modules[: len(addons)] == addons, "the repository's addons first"
    # Contacts, Calendar, Purchase, Inventory, Invoicing
    for app in ("contacts", "calendar", "purchase", "stock", "account"):
        assert app in modules
    assert len(modules) == len(set(modules))
    assert "base" not in modules, "only apps, not every dependency"


def test_port_in_use_is_refused_and_a_free_one_accepted():
    with socket.socket() as server:
        server.bind(("0.0.0.0", 0))
        server.listen()
        port = server.getsockname()[1]
        assert not run_demo.port_is_free(port)
    assert run_demo.port_is_free(port)


def test_without_odoo_it_says_so_and_fails(capsys):
    assert run_demo.main(["--odoo-home", "/nowhere", "--no-install"]) == 1
    assert "Odoo 17.0 expected" in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_run_sh_help_documents_the_command(option):
    out = subprocess.run(
        ["bash", str(REPO / "run.sh"), option], capture_output=True, text=True, check=True
    ).stdout
    assert "http://localhost:8069" in out
    assert "admin / admin" in out
    assert "Ctrl-C" in out


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("http://localhost:8069", "http://localhost:8070"),
        ("http://localhost:8069/", "http://localhost:8070"),
        ("http://127.0.0.1:8069", "http://127.0.0.1:8070"),
        ("http://localhost", "http://localhost:8070"),
        ("https://odoo.duret.example", None),
        ("http://localhost.evil.example:8069", None),
        ("", None),
        (None, None),
    ],
)
def test_the_public_url_follows_the_port_unless_someone_set_a_real_one(current, expected):
    """Issue 18 #16: ./run.sh --port N makes every SMS link of the demo open on port N."""
    assert run_demo.local_url(current, 8070) == expected


def test_readme_links_follow_the_demo_address():
    """Issue 18 #16: no customer link hard-coded to port 8069 in the README."""
    readme = (REPO / "README.md").read_text()
    assert "localhost:8069/" not in readme


def test_the_demo_company_counts_in_euros_before_invoicing_is_installed(monkeypatch, tmp_path):
    """Issue 18 #17: Invoicing's generic chart and demo entries fix the company's currency
    (USD); the demo makes the company French and in euros between base and the apps."""
    steps = []
    monkeypatch.setattr(run_demo, "DEMO_LOG", tmp_path / "demo.log")
    monkeypatch.setattr(run_demo, "run_logged", lambda cmd, log, stdin=None: steps.append(cmd))
    monkeypatch.setattr(run_demo, "company_in_euros", lambda pg, db: steps.append("EUR"))
    monkeypatch.setattr(run_demo.ot, "odoo_command", lambda home: ["odoo-bin"])
    run_demo.create_demo(Path("/odoo"), "demo", pg=None)
    installs = [step[step.index("-i") + 1] if step != "EUR" else step for step in steps]
    assert installs[0] == "base"
    assert installs[1] == "EUR"
    assert "account" in installs[2].split(",")
