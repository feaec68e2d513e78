#!/usr/bin/env bash
# The test command of duret_sms: one line, no prior setup.
#
#   ./test.sh                 static checks, pytest, then the Odoo tests if an Odoo 17 tree is found
#                             (Odoo's own runner, then the addons' tests again through pytest-odoo)
#   ./test.sh --no-odoo       only the pure stages (static checks + pytest)
#   ./test.sh --odoo-only     only the Odoo tests
#   ./test.sh --keep-db       keep the test database afterwards (for pytest-odoo or a look in the UI)
#   ./test.sh --no-pytest-odoo  skip the second pass of the addons' Odoo tests through pytest-odoo
#                             (run by default after Odoo's runner, against the same database)
#   ./test.sh -k EXPR         pass a -k selection to pytest (stage 2)
#
# Environment: DURET_VENV (virtualenv, default .venv), PYTHON (interpreter that creates it,
# default python3), ODOO_HOME (Odoo 17 tree; default: an importable odoo, else /opt/odoo17),
# PGHOST/PGPORT/PGUSER/PGPASSWORD (a server to use instead of a throwaway cluster).
# Each stage prints one summary line (the Odoo stage two: "odoo tests: ..." then "pytest-odoo: ..."
# with pytest's closing line); the exit status is non-zero if any stage failed.
# What each stage does: scripts/README.md.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
REPO=$(pwd)

run_static=1 run_pytest=1 run_odoo=1
odoo_args=() pytest_args=() pytest_odoo=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-odoo) run_odoo=0 ;;
        --odoo-only) run_static=0 run_pytest=0 ;;
        --keep-db) odoo_args+=(--keep-db) ;;
        --pytest-odoo) pytest_odoo=1 ;;  # the default; kept for older command lines
        --no-pytest-odoo) pytest_odoo=0 ;;
        -k) shift; pytest_args+=(-k "${1:?-k needs an expression}") ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "test.sh: unknown option $1 (see ./test.sh --help)" >&2; exit 2 ;;
    esac
    shift
done

# --- virtualenv: create or reuse, install requirements-dev.txt only when it changed -----------
source scripts/venv.sh

# --- stages --------------------------------------------------------------------------------
failed=()
t0=$SECONDS

if [ $run_static = 1 ]; then
    "$PY" scripts/static_checks.py || failed+=("static checks")
fi

if [ $run_pytest = 1 ]; then
    # pytest's own closing line is the summary; "no tests ran" (exit 5) is a failure too.
    "$PY" -m pytest -q "${pytest_args[@]}" tests/ || failed+=("pytest")
fi
t_pure=$((SECONDS - t0))

if [ $run_odoo = 1 ]; then
    # pytest-odoo on by default, so that CI (.ci/run runs exactly ./test.sh) cannot miss a test
    # that only fails there (scripts/README.md, "pytest-odoo").
    [ $pytest_odoo = 1 ] && odoo_args+=(--pytest-odoo)
    "$PY" scripts/odoo_tests.py "${odoo_args[@]}" || failed+=("odoo tests")
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g') (pure stages ${t_pure}s, total $((SECONDS - t0))s)"
    exit 1
fi
echo "ALL OK (pure stages ${t_pure}s, total $((SECONDS - t0))s)"
