"""The Docker quick start is safe to leave running (issue 17 #19): docker-compose.yml,
docker/entrypoint.sh and odoo.conf, checked without Docker (these machines have none).

- Published ports listen on the loopback only (Docker's ports bypass the host's firewall).
- The master password (admin_passwd) is random per install: made by the entrypoint at the
  first start, printed once, kept as a hash in the data volume; never a fixed one (Odoo takes
  "admin" when none is set).
- odoo.conf: no database manager (list_db = False), one database (dbfilter).
"""

import configparser
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ODOO_CONF = ROOT / "odoo.conf"
SHELL_SCRIPTS = [ENTRYPOINT, ROOT / "run.sh", ROOT / "test.sh", ROOT / ".ci" / "run"]
SHELL_SCRIPTS += sorted((ROOT / "scripts").glob("*.sh"))


def compose_lists(text, key):
    """{service: [items]} of the block list ``key:`` in each service of a compose file.

    Enough YAML for this file (PyYAML is not a dependency): services are the keys two spaces
    under ``services:``, list items ``- value`` (quotes stripped) deeper than ``key:``.
    """
    found, service, section, key_indent = {}, None, None, None
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            section, service, key_indent = line.rstrip(":"), None, None
            continue
        if section != "services":
            continue
        if indent == 2:
            service, key_indent = line.strip().rstrip(":"), None
            found.setdefault(service, [])
            continue
        if key_indent is not None and indent <= key_indent:
            key_indent = None
        if line.strip() == f"{key}:":
            key_indent = indent
        elif key_indent is not None and line.strip().startswith("- "):
            found[service].append(line.strip()[2:].strip().strip("\"'"))
        elif key_indent is not None:
            # Long syntax (target:/published:/host_ip:) or a flow list: not understood here.
            found[service].append(line.strip())
    return found


def compose_environment(text, service):
    env = {}
    for match in re.finditer(r"^ {6}(\w+): *(.*)$", text.split(f"\n  {service}:", 1)[1], re.M):
        env.setdefault(match.group(1), match.group(2).split(" #", 1)[0].strip().strip("\"'"))
    return env


def test_the_compose_parser_sees_every_published_port():
    text = (
        "services:\n  a:\n    image: x\n    ports:\n      - 8069:8069  # comment\n"
        '      - "127.0.0.1:8072:8072"\n    volumes:\n      - .:/mnt\n  b:\n    ports:\n'
        "      - target: 5432\n        published: 5432\nvolumes:\n  ports:\n"
    )
    assert compose_lists(text, "ports") == {
        "a": ["8069:8069", "127.0.0.1:8072:8072"],
        "b": ["target: 5432", "published: 5432"],
    }


def test_published_ports_listen_on_the_loopback_only():
    text = COMPOSE.read_text(encoding="utf-8")
    ports = compose_lists(text, "ports")
    assert set(ports) == {"db", "odoo"}
    assert ports["db"] == [], "PostgreSQL publishes no port: Odoo reaches it on the compose network"
    assert ports["odoo"], "Odoo is published"
    for item in ports["odoo"]:
        assert re.fullmatch(r"127\.0\.0\.1:\d+:\d+(/tcp)?", item), item
    assert "network_mode" not in text


def test_the_master_password_comes_from_the_entrypoint_not_from_a_file():
    text = COMPOSE.read_text(encoding="utf-8")
    env = compose_environment(text, "odoo")
    # From the shell or an .env file, never written in the compose file.
    assert env["DURET_ADMIN_PASSWD"] == "${DURET_ADMIN_PASSWD:-}"
    conf = configparser.RawConfigParser()
    conf.read(ODOO_CONF, encoding="utf-8")
    assert not conf.has_option("options", "admin_passwd"), "one password for every install"
    assert "admin_passwd" in ODOO_CONF.read_text(encoding="utf-8"), "odoo.conf says where it is"


def test_odoo_conf_serves_one_database_without_the_manager():
    conf = configparser.RawConfigParser()
    conf.read(ODOO_CONF, encoding="utf-8")
    assert conf.get("options", "list_db") == "False"
    env = compose_environment(COMPOSE.read_text(encoding="utf-8"), "odoo")
    assert conf.get("options", "dbfilter") == f"^{env['DURET_DB']}$"
    # The image's entrypoint passes the connection only when odoo.conf leaves it unset.
    for option in ("db_host", "db_port", "db_user", "db_password"):
        assert not conf.has_option("options", option), option


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_scripts_parse(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- step 0 of docker/entrypoint.sh, run for real in a temporary HOME -------------------------


def master_password_step():
    """The entrypoint's step 0 (master password), as a script of its own."""
    text = ENTRYPOINT.read_text(encoding="utf-8")
    step = text.split("\n# 0. ", 1)[1].split("\n# 1. ", 1)[0]
    return f'set -euo pipefail\nSTATE=$HOME\n# 0. {step}\necho "ODOO_RC=${{ODOO_RC}}"\n'


@pytest.fixture
def run_step(tmp_path):
    passlib = pytest.importorskip("passlib.context", reason="the Odoo image has passlib")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # python3 is this interpreter (its virtualenv included): the Odoo image's has passlib.
    (bin_dir / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python3").chmod(0o755)
    script = tmp_path / "step0.sh"
    script.write_text(master_password_step(), encoding="utf-8")
    mounted = tmp_path / "etc-odoo.conf"
    shutil.copy(ODOO_CONF, mounted)

    def run(home, conf=mounted, **env):
        home.mkdir(exist_ok=True)
        environ = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(home),
            "ODOO_RC": str(conf),
            **env,
        }
        result = subprocess.run(
            ["bash", str(script)], capture_output=True, text=True, env=environ, check=True
        )
        return result.stdout

    run.verify = passlib.CryptContext(["pbkdf2_sha512"]).verify
    run.mounted = mounted
    return run


def admin_passwd(rc):
    conf = configparser.RawConfigParser()  # as Odoo reads it: a duplicate option would raise
    conf.read(rc, encoding="utf-8")
    return conf.get("options", "admin_passwd")


def test_first_start_makes_a_random_master_password_and_prints_it_once(run_step, tmp_path):
    home = tmp_path / "var-lib-odoo"
    rc = home / "odoo.conf"
    out = run_step(home)
    printed = re.search(r"master password of the database manager.*: (\S+)$", out, re.M)
    assert printed, out
    password = printed.group(1)
    assert len(password) >= 20
    assert f"ODOO_RC={rc}" in out
    stored = admin_passwd(rc)
    assert stored.startswith("$pbkdf2-sha512$") and password not in rc.read_text(encoding="utf-8")
    assert run_step.verify(password, stored)
    assert stat.S_IMODE(rc.stat().st_mode) == 0o600
    # The mounted odoo.conf, line for line, plus the password right under [options].
    lines = rc.read_text(encoding="utf-8").splitlines()
    options = lines.index("[options]")
    assert lines[options + 1] == f"admin_passwd = {stored}"
    assert (
        lines[: options + 1] + lines[options + 2 :]
        == run_step.mounted.read_text(encoding="utf-8").splitlines()
    )

    # Later starts: the same password, not printed again.
    out = run_step(home)
    assert password not in out and "master password" not in out
    assert admin_passwd(rc) == stored

    # Another install: another password.
    other = re.search(r": (\S+)$", run_step(tmp_path / "other-install"), re.M).group(1)
    assert other != password


def test_a_chosen_master_password_is_kept_hashed_and_not_printed(run_step, tmp_path):
    home = tmp_path / "var-lib-odoo"
    out = run_step(home, DURET_ADMIN_PASSWD="Chosen by the admin 1")
    assert "Chosen" not in out and "master password" not in out
    assert run_step.verify("Chosen by the admin 1", admin_passwd(home / "odoo.conf"))


def test_a_master_password_in_odoo_conf_is_left_alone(run_step, tmp_path):
    conf = tmp_path / "own.conf"
    conf.write_text("[options]\nadmin_passwd = set-by-the-admin\n", encoding="utf-8")
    home = tmp_path / "var-lib-odoo"
    out = run_step(home, conf=conf)
    assert f"ODOO_RC={conf}" in out and "master password" not in out
    assert not (home / "odoo.conf").exists()
