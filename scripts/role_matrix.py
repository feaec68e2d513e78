#!/usr/bin/env python3
"""Print the "who can do what" table (issue 17) from duret_sms/tests/role_matrix_data.py.

The same data drives the Odoo test ``TestRoleMatrix``; this script needs no Odoo::

    python3 scripts/role_matrix.py            # the Markdown table, for docs/production.md
    python3 scripts/role_matrix.py --write    # replace the table in docs/production.md
    python3 scripts/role_matrix.py --check    # exit 1 when docs/production.md is out of date
"""

import argparse
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "duret_sms" / "tests" / "role_matrix_data.py"
DOC = REPO / "docs" / "production.md"
BEGIN = "<!-- role-matrix:begin (scripts/role_matrix.py --write) -->"
END = "<!-- role-matrix:end -->"


def load_data():
    """The data module, loaded by path: importing the package duret_sms.tests needs Odoo."""
    spec = importlib.util.spec_from_file_location("duret_role_matrix_data", DATA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def block(data):
    """The table between its markers, as it stands in the docs."""
    return f"{BEGIN}\n{data.markdown_table()}{END}"


def current_block(text):
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(END)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="update docs/production.md")
    mode.add_argument("--check", action="store_true", help="fail if docs/production.md is stale")
    args = parser.parse_args(argv)
    data = load_data()
    problems = data.check_matrix()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if not (args.write or args.check):
        print(data.markdown_table(), end="")
        return 0
    text = DOC.read_text(encoding="utf-8")
    found = current_block(text)
    if found is None:
        print(f"{DOC.relative_to(REPO)}: no {BEGIN} ... {END} block", file=sys.stderr)
        return 1
    if args.check:
        if found != block(data):
            print(f"{DOC.relative_to(REPO)} is out of date: run scripts/role_matrix.py --write")
            return 1
        return 0
    DOC.write_text(text.replace(found, block(data)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
