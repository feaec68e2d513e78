# Sourced by test.sh and run.sh (bash, from the repository root): create or reuse the
# virtualenv $DURET_VENV (default .venv) and install requirements-dev.txt only when it (or the
# test doubles' testing/pyproject.toml, installed editable by it) changed.
# Sets VENV and PY; exits with a message when Python or pip fails.
VENV=${DURET_VENV:-.venv}
PY=$VENV/bin/python
if [ ! -x "$PY" ]; then
    base=${PYTHON:-python3}
    if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        echo "${0##*/}: $base is missing or older than Python 3.10 (set PYTHON=...)" >&2
        exit 1
    fi
    echo "setup: creating the virtualenv $VENV"
    "$base" -m venv "$VENV" || { echo "${0##*/}: '$base -m venv' failed (apt-get install python3-venv?)" >&2; exit 1; }
fi
stamp=$VENV/.duret-requirements.sha256
# The editable install records this checkout's testing/ path: another checkout sharing the
# virtualenv reinstalls it.
digest=$(cat requirements-dev.txt requirements.txt testing/pyproject.toml <("$PY" -V) <(pwd) \
    | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    echo "setup: installing requirements-dev.txt into $VENV"
    if ! "$PY" -m pip install -q --disable-pip-version-check -r requirements-dev.txt >"$VENV/pip.log" 2>&1; then
        cat "$VENV/pip.log" >&2
        echo "${0##*/}: pip install -r requirements-dev.txt failed" >&2
        exit 1
    fi
    echo "$digest" >"$stamp"
fi
