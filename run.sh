#!/usr/bin/env bash
# See the duret_sms demo without Docker: Odoo 17 with every addon of this repository, demo data
# in French, SMS in Sandbox mode, on http://localhost:8069 (login admin / admin).
#
#   ./run.sh                  serve the demo (creates it on the first start: a few minutes)
#   ./run.sh --port 8070      another HTTP port
#   ./run.sh --fresh          recreate the demo database
#   ./run.sh --db NAME        another database name (default duret_demo)
#
# Uses the same Odoo 17 tree, virtualenv and PostgreSQL as ./test.sh: ODOO_HOME (default: an
# importable odoo, else /opt/odoo17; Odoo is never downloaded), DURET_VENV (default .venv),
# PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1:5432 as odoo; without a usable server, a
# throwaway cluster in /tmp, removed on exit). Ctrl-C stops everything.
# Details: scripts/README.md ("Demo").
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
case "${1:-}" in
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
source scripts/venv.sh
exec "$PY" scripts/run_demo.py "$@"
