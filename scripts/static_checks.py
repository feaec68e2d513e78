#!/usr/bin/env python3
"""Static checks of the repository: stage 1 of ./test.sh, also runnable alone.

    .venv/bin/python scripts/static_checks.py [--root DIR] [--only ruff,pylint,xml,manifest]

Checks, on every addon found at the top level of the repository (a directory holding a
``__manifest__.py``: ``duret_sms`` and the ``duret_sms_*`` bridges):

- ruff: ``ruff check`` and ``ruff format --check`` with the repository's pyproject.toml (this is
  where ``odoo`` is banned from ``duret_sms/core/``);
- pylint-odoo: the mandatory checks listed in the repository's .pylintrc;
- xml: every ``*.xml`` file of every addon is well-formed; every ``*.csv`` has rows as wide as
  its header;
- manifest: the manifest parses as a Python literal, ``version`` is ``17.0.x.y.z``, every file
  listed in ``data``/``demo`` exists, every XML/CSV file of the addon (outside ``static/``,
  ``tests/``, ``i18n/``, ``migrations/``) is listed, and every
  ``external_dependencies['python']`` package is in requirements.txt.

Prints the problems, then one summary line (``static checks: OK (...)`` or
``static checks: FAILED (...)``); exits 1 on any problem, 2 on a usage error.
Standard library only, apart from the ruff and pylint-odoo tools it runs.
"""

from __future__ import annotations

import argparse
import ast
import csv
import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

REPO = Path(__file__).resolve().parents[1]
CHECKS = ("ruff", "pylint", "xml", "manifest")
VERSION_RE = re.compile(r"^17\.0\.\d+\.\d+\.\d+$")
# Directories of an addon whose XML/CSV files are not loaded through the manifest.
UNLISTED_DIRS = {"static", "tests", "i18n", "i18n_extra", "migrations", "upgrades", "readme"}
SKIP_DIRS = {"__pycache__", "node_modules"}


@dataclass
class Result:
    """Outcome of one check: a short label for the summary line and the problems found."""

    kind: str
    label: str = ""
    problems: list[str] = field(default_factory=list)


def find_addons(root: Path) -> list[Path]:
    """Top-level directories of ``root`` that hold an Odoo manifest, sorted by name."""
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / "__manifest__.py").is_file()
    )


def addon_files(addon: Path, suffix: str) -> list[Path]:
    """Files of ``addon`` ending with ``suffix``, caches and hidden directories excluded."""
    return sorted(
        p
        for p in addon.rglob(f"*{suffix}")
        if p.is_file()
        and not any(
            part in SKIP_DIRS or part.startswith(".") for part in p.relative_to(addon).parts
        )
    )


def _tool(module: str, executable: str) -> list[str] | None:
    """Command prefix running a Python tool: the current interpreter's, else one on PATH."""
    if importlib.util.find_spec(module) is not None:
        return [sys.executable, "-m", module]
    found = shutil.which(executable)
    return [found] if found else None


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def check_ruff(root: Path, addons: list[Path]) -> Result:
    result = Result("ruff", "ruff, ruff format")
    ruff = _tool("ruff", "ruff")
    if ruff is None:
        result.problems.append("ruff is not installed (pip install -r requirements-dev.txt)")
        return result
    lint = _run([*ruff, "check", "--no-fix", "--output-format=concise", "."], root)
    if lint.returncode:
        lines = [ln for ln in lint.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: ", ln)]
        result.problems += lines or [(lint.stdout + lint.stderr).strip()]
    fmt = _run([*ruff, "format", "--check", "--output-format=concise", "."], root)
    if fmt.returncode == 2:  # ruff < 0.9 has no --output-format for `format`
        fmt = _run([*ruff, "format", "--check", "."], root)
    if fmt.returncode:
        files = re.findall(
            r"^(?:Would reformat: (\S+)|(\S+?):\d+:\d+: unformatted)", fmt.stdout, re.M
        )
        result.problems += [
            f"{old or new}: not formatted (run: ruff format {old or new})" for old, new in files
        ] or [(fmt.stdout + fmt.stderr).strip()]
    return result


def check_pylint(root: Path, addons: list[Path]) -> Result:
    result = Result("pylint-odoo", "pylint-odoo")
    pylint = _tool("pylint", "pylint")
    if pylint is None or importlib.util.find_spec("pylint_odoo") is None:
        result.problems.append("pylint-odoo is not installed (pip install -r requirements-dev.txt)")
        return result
    if not addons:
        return result
    rcfile = root / ".pylintrc"
    if not rcfile.is_file():
        result.problems.append(f"{rcfile} is missing")
        return result
    proc = _run([*pylint, f"--rcfile={rcfile}", *[a.name for a in addons]], root)
    # pylint's exit status is a bit mask; 32 means it could not run at all.
    if proc.returncode:
        lines = [ln for ln in proc.stdout.splitlines() if re.match(r"^\S+:\d+: \[", ln)]
        result.problems += lines or [(proc.stdout + proc.stderr).strip()]
    return result


def check_xml(root: Path, addons: list[Path]) -> Result:
    result = Result("XML")
    count = 0
    for addon in addons:
        for path in addon_files(addon, ".xml"):
            count += 1
            try:
                ElementTree.parse(path)
            except ElementTree.ParseError as err:
                line, col = err.position
                reason = str(err).split(":", 1)[0]
                result.problems.append(
                    f"{path.relative_to(root)}:{line}:{col}: malformed XML: {reason}"
                )
        for path in addon_files(addon, ".csv"):
            try:
                with path.open(newline="", encoding="utf-8") as handle:
                    rows = [row for row in csv.reader(handle) if row]
            except (UnicodeDecodeError, csv.Error) as err:
                result.problems.append(f"{path.relative_to(root)}: unreadable CSV: {err}")
                continue
            for number, row in enumerate(rows[1:], start=2):
                if rows and len(row) != len(rows[0]):
                    result.problems.append(
                        f"{path.relative_to(root)}:{number}: {len(row)} columns, "
                        f"header has {len(rows[0])}"
                    )
    result.label = f"{count} XML file{'s' if count != 1 else ''}"
    return result


def _requirement_names(path: Path, seen: set[Path] | None = None) -> set[str]:
    """Normalised distribution names of a requirements file, following ``-r`` includes."""
    seen = seen or set()
    if path in seen or not path.is_file():
        return set()
    seen.add(path)
    names = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            names |= _requirement_names(path.parent / line.split(None, 1)[1], seen)
            continue
        if line.startswith("-"):
            continue
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if match:
            names.add(normalise(match.group(1)))
    return names


def normalise(name: str) -> str:
    """PEP 503 normalisation, so that ``Foo_bar`` and ``foo-bar`` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def check_manifests(root: Path, addons: list[Path]) -> Result:
    result = Result("manifest")
    requirements = _requirement_names(root / "requirements.txt")
    for addon in addons:
        manifest_path = addon / "__manifest__.py"
        rel = manifest_path.relative_to(root)
        try:
            manifest = ast.literal_eval(manifest_path.read_text(encoding="utf-8"))
        except (SyntaxError, ValueError) as err:
            result.problems.append(f"{rel}: does not parse as a Python literal: {err}")
            continue
        if not isinstance(manifest, dict):
            result.problems.append(f"{rel}: is not a dict")
            continue
        version = manifest.get("version")
        if not isinstance(version, str) or not VERSION_RE.match(version):
            result.problems.append(f"{rel}: version {version!r} does not match 17.0.x.y.z")
        listed = set()
        for key in ("data", "demo"):
            files = manifest.get(key, [])
            if not isinstance(files, list):
                result.problems.append(f"{rel}: {key!r} is not a list")
                continue
            for name in files:
                listed.add(Path(name).as_posix())
                if not (addon / name).is_file():
                    result.problems.append(f"{rel}: {key} file {name} does not exist")
        for suffix in (".xml", ".csv"):
            for path in addon_files(addon, suffix):
                inner = path.relative_to(addon)
                if inner.parts[0] in UNLISTED_DIRS or inner.as_posix() in listed:
                    continue
                result.problems.append(
                    f"{path.relative_to(root)}: not listed in the manifest's data or demo"
                )
        python_deps = manifest.get("external_dependencies", {}).get("python", [])
        for dep in python_deps:
            if normalise(dep) not in requirements:
                result.problems.append(
                    f"{rel}: external dependency {dep!r} is not in requirements.txt"
                )
    count = len(addons)
    result.label = f"{count} manifest{'s' if count != 1 else ''}"
    return result


RUNNERS = {
    "ruff": check_ruff,
    "pylint": check_pylint,
    "xml": check_xml,
    "manifest": check_manifests,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--root", type=Path, default=REPO, help="repository root (default: %(default)s)"
    )
    parser.add_argument(
        "--only",
        default=",".join(CHECKS),
        help=f"comma-separated subset of {','.join(CHECKS)} (default: all)",
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    selected = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in selected if name not in RUNNERS]
    if unknown or not root.is_dir():
        parser.error(f"unknown check(s) {unknown}" if unknown else f"{root} is not a directory")

    addons = find_addons(root)
    results = [RUNNERS[name](root, addons) for name in selected]
    problems = [problem for result in results for problem in result.problems]
    for problem in problems:
        print(problem)
    if not addons:
        print(f"no addon (directory with __manifest__.py) found in {root}")
    labels = ", ".join(r.label for r in results if r.label)
    if problems or not addons:
        failed = ", ".join(
            f"{r.kind}: {len(r.problems)} problem{'s' if len(r.problems) != 1 else ''}"
            for r in results
            if r.problems
        )
        print(f"static checks: FAILED ({failed or 'no addon found'})")
        return 1
    print(f"static checks: OK ({labels})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
