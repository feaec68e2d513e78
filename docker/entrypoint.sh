#!/bin/bash
# Entrypoint of the odoo service in docker-compose.yml, wrapping the official image's
# /entrypoint.sh (which waits for PostgreSQL and passes --db_host/--db_user/... to odoo).
#  0. the master password (admin_passwd): odoo.conf as mounted, plus a random master password
#     made at the first start (printed once, kept hashed in the /var/lib/odoo volume), or
#     $DURET_ADMIN_PASSWD; Odoo reads that copy (ODOO_RC). Skipped if odoo.conf sets one.
#  1. pip install --user -r requirements.txt, when requirements.txt changed (stamp in the
#     /var/lib/odoo volume, so later starts skip it);
#  2. on first start, create the database $DURET_DB with $DURET_MODULES, demo data and French,
#     then run scripts/demo_first_run.py (Sandbox provider, administrator in French);
#  3. exec the official entrypoint with the container's command (`odoo`).
# Idempotent: steps 0 to 2 do nothing new when already done.
set -euo pipefail

ADDONS=/mnt/extra-addons
DB=${DURET_DB:-duret}
# The four addons and the apps they bridge (Contacts, Calendar, Purchase, Inventory, Invoicing).
MODULES=${DURET_MODULES:-duret_sms,duret_sms_purchase,duret_sms_stock,duret_sms_account,contacts,calendar,purchase,stock,account}
# The image runs as user odoo; HOME is its volume /var/lib/odoo.
STATE=${HOME:-/var/lib/odoo}

# 0. The master password of the database manager. Odoo accepts "admin" when none is set, and
# one written in odoo.conf would be the same in every install and in git: so a random one per
# install, shown once here, kept only as the hash Odoo itself writes (pbkdf2_sha512).
conf=${ODOO_RC:-/etc/odoo/odoo.conf}
rc=$STATE/odoo.conf
ADMIN_PASSWD_RE='^[[:space:]]*admin_passwd[[:space:]]*='
hash_passwd() {  # the password on stdin, its hash on stdout (passlib: a dependency of Odoo)
    python3 -c 'import sys
from passlib.context import CryptContext
print(CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=600_000).hash(sys.stdin.read()))'
}
if ! grep -qE "$ADMIN_PASSWD_RE" "$conf"; then
    if [ -n "${DURET_ADMIN_PASSWD:-}" ]; then
        line="admin_passwd = $(printf '%s' "$DURET_ADMIN_PASSWD" | hash_passwd)"
    else
        # Kept from an earlier start (or changed since through the database manager).
        line=$(grep -E "$ADMIN_PASSWD_RE" "$rc" 2>/dev/null | tail -n 1 || true)
    fi
    if [ -z "$line" ]; then
        passwd=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
        line="admin_passwd = $(printf '%s' "$passwd" | hash_passwd)"
        echo "duret: master password of the database manager, printed this once (only its" \
            "hash is kept, in $rc): $passwd"
    fi
    # odoo.conf as mounted, with the line right under [options]; readable by Odoo's user only.
    (
        umask 077
        awk -v line="$line" '{ print } /^[[:space:]]*\[options\]/ { print line }' "$conf" >"$rc.new"
        mv "$rc.new" "$rc"
    )
    export ODOO_RC=$rc
fi

# 1. Python requirements. Debian 12 / Ubuntu 23.04+ images refuse pip outside a venv unless
# told to (PEP 668); older pips ignore this variable, while --break-system-packages would be
# an unknown option to them.
req=$ADDONS/requirements.txt
stamp=$STATE/.duret-requirements.sha256
if [ -f "$req" ] && [ "$(sha256sum <"$req")" != "$(cat "$stamp" 2>/dev/null)" ]; then
    echo "duret: pip install --user -r requirements.txt"
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user --no-cache-dir \
        --disable-pip-version-check --no-warn-script-location -r "$req"
    sha256sum <"$req" >"$stamp"
fi

# 2. The database, on first start only. Same connection settings as the official entrypoint.
: "${HOST:=${PGHOST:=db}}" "${PORT:=${PGPORT:=5432}}"
: "${USER:=${PGUSER:=odoo}}" "${PASSWORD:=${PGPASSWORD:=odoo}}"
export PGPASSWORD=$PASSWORD
sql() {
    psql -h "$HOST" -p "$PORT" -U "$USER" -d "$DB" -tAc "$1" 2>/dev/null
}
installed() {
    sql "SELECT 1 FROM ir_module_module WHERE name = 'duret_sms' AND state = 'installed'" | grep -q 1
}
demo_ready() {
    sql "SELECT 1 FROM ir_config_parameter WHERE key = 'duret_sms.demo_first_run'" | grep -q 1
}
wait-for-psql.py --db_host "$HOST" --db_port "$PORT" --db_user "$USER" \
    --db_password "$PASSWORD" --timeout=60
if ! installed; then
    echo "duret: creating database $DB with $MODULES and demo data (first start, a few minutes)"
    # -d on a missing database makes Odoo create it; without_demo = False loads demo data.
    /entrypoint.sh odoo -d "$DB" -i "$MODULES" --load-language=fr_FR --stop-after-init --no-http
fi
if ! demo_ready; then
    # The same first-run step as ./run.sh: the demo company sends through the Sandbox.
    /entrypoint.sh odoo shell -d "$DB" --no-http <"$ADDONS/scripts/demo_first_run.py"
fi

# 3. The official entrypoint, as the image would run it.
exec /entrypoint.sh "$@"
