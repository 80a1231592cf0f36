#!/usr/bin/env bash
# moto server (an AWS emulator) for the EventBridge/SQS tests, dev and CI (issue #5), run from a
# Python venv: no Docker, only python3 (>= 3.11) with its venv module.
#
#   scripts/moto.sh start    start (or reuse) moto_server on 127.0.0.1:$MOTO_PORT
#   scripts/moto.sh stop     SIGTERM, wait, then SIGKILL
#   scripts/moto.sh status   exit 0 when moto answers on the port
#   scripts/moto.sh reset    forget every bus, rule and queue (POST /moto-api/reset)
#   scripts/moto.sh logs [N] tail the server log
#   scripts/moto.sh lock     rewrite scripts/moto-requirements.txt from a fresh install of $MOTO_VERSION
#
# Environment (all optional):
#   MOTO_PORT            port (5055)
#   MOTO_STATE_DIR       pid file and log (<repo>/.cache/moto, gitignored)
#   MOTO_CACHE_DIR       where the venv is made (${XDG_CACHE_HOME:-$HOME/.cache}/causeway); one venv per
#                        (moto version, Python version, requirements file), so a bump makes a new one.
#                        pip's own download cache (~/.cache/pip) is used as usual.
#   MOTO_PYTHON          the Python to make the venv with (python3)
#   MOTO_START_TIMEOUT   seconds to wait for the server to answer (60)
set -euo pipefail

MOTO_VERSION="5.2.5" # must match scripts/moto-requirements.txt

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQUIREMENTS="$REPO_ROOT/scripts/moto-requirements.txt"
STATE_DIR="${MOTO_STATE_DIR:-$REPO_ROOT/.cache/moto}"
CACHE_ROOT="${MOTO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/causeway}"
PORT="${MOTO_PORT:-5055}"
PYTHON="${MOTO_PYTHON:-python3}"
START_TIMEOUT="${MOTO_START_TIMEOUT:-60}"
STOP_TIMEOUT=15

PID_FILE="$STATE_DIR/moto.pid"
LOG_FILE="$STATE_DIR/moto.log"

SERVICE=moto.sh
WHAT="moto server"
PORT_VAR=MOTO_PORT
# shellcheck source=lib/service.sh
source "$REPO_ROOT/scripts/lib/service.sh"

install_hint='install it with: apt-get install python3 python3-venv (Debian/Ubuntu; python3-venv brings pip into new venvs)'

# Checks python3, its version and the venv + ensurepip modules one by one, so the message names what is missing.
require_python() {
  command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON is missing (Python 3.11 or newer is needed); $install_hint"
  local v
  v="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  [[ "${v%%.*}" -eq 3 && "${v#*.}" -ge 11 ]] ||
    die "$PYTHON is Python $v; moto $MOTO_VERSION with the pinned packages of $REQUIREMENTS needs Python 3.11 or newer"
  "$PYTHON" -c 'import venv' >/dev/null 2>&1 || die "the Python venv module is missing for $PYTHON; $install_hint"
  "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1 ||
    die "pip cannot be put into a venv: the ensurepip module is missing for $PYTHON; $install_hint"
}

python_tag() { "$PYTHON" -c 'import sys; print("py%d.%d" % sys.version_info[:2])'; }

venv_dir() {
  local hash
  hash="$(sha256sum "$REQUIREMENTS" | cut -c1-10)"
  printf '%s/moto-%s-%s-%s' "$CACHE_ROOT" "$MOTO_VERSION" "$(python_tag)" "$hash"
}

# Makes the venv once; $VENV/.complete marks a finished install (an interrupted one is redone).
ensure_venv() {
  require_python
  VENV="$(venv_dir)"
  [[ -f "$VENV/.complete" ]] && return 0
  mkdir -p "$CACHE_ROOT"
  exec 8>"$CACHE_ROOT/.moto-venv.lock"
  flock 8
  if [[ -f "$VENV/.complete" ]]; then exec 8>&-; return 0; fi
  grep -q "^moto\[[a-z,]*\]==$MOTO_VERSION\$" "$REQUIREMENTS" ||
    die "$REQUIREMENTS does not pin moto $MOTO_VERSION; run scripts/moto.sh lock"
  local started=$SECONDS
  say "installing moto $MOTO_VERSION into $VENV (first run only)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || die "$PYTHON -m venv $VENV failed; $install_hint"
  [[ -x "$VENV/bin/pip" ]] || die "the new venv has no pip (ensurepip did not run); $install_hint"
  # The lock file pins every package, so no resolving (--no-deps; `pip check` proves it complete), and
  # no byte-compiling of all of moto up front (--no-compile): Python compiles what it imports, once.
  if ! "$VENV/bin/pip" install --disable-pip-version-check --no-input -q --no-deps --no-compile -r "$REQUIREMENTS" \
      >"$CACHE_ROOT/moto-pip.log" 2>&1 || ! "$VENV/bin/pip" check >>"$CACHE_ROOT/moto-pip.log" 2>&1; then
    tail -n 30 "$CACHE_ROOT/moto-pip.log" >&2
    rm -rf "$VENV"
    die "pip could not install the packages of $REQUIREMENTS (log above; full log in $CACHE_ROOT/moto-pip.log)"
  fi
  [[ -x "$VENV/bin/moto_server" ]] || die "moto_server is missing from $VENV after the install"
  touch "$VENV/.complete"
  exec 8>&-
  say "installed moto $MOTO_VERSION in $((SECONDS - started))s"
}

# GET /moto-api/ over bash's /dev/tcp (no curl needed): moto's dashboard page is titled "Moto".
probe() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || exit 2
    printf "GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    head -c 4096 <&3 | grep -q "<title>Moto</title>"
  ' probe "$PORT" 2>/dev/null
}

# The pid from the pid file when that process is alive and is our moto_server.
our_pid() { pid_matching "moto_server -H 127.0.0.1 -p $PORT"; }

cmd_start() {
  service_reuse && return 0
  local started=$SECONDS pid
  ensure_venv
  pid="$(service_launch "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT")"
  service_wait_ready "$pid"
  say "started moto $MOTO_VERSION (pid $pid) on 127.0.0.1:$PORT in $((SECONDS - started))s; log: $LOG_FILE"
}

cmd_stop() { service_stop; }

cmd_status() { service_status; }

cmd_reset() {
  probe || die "no moto server answers on 127.0.0.1:$PORT"
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf "POST /moto-api/reset HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n" >&3
    head -n 1 <&3 | grep -q " 200 "
  ' reset "$PORT" || die "POST /moto-api/reset failed"
  say "reset: every resource of the moto server on 127.0.0.1:$PORT is gone"
}

# Rewrites the lock file from a throw-away venv with the newest dependencies of moto $MOTO_VERSION.
cmd_lock() {
  require_python
  local tmp
  tmp="$(mktemp -d)"
  "$PYTHON" -m venv "$tmp/venv"
  "$tmp/venv/bin/pip" install --disable-pip-version-check -q "moto[events,sqs]==$MOTO_VERSION" flask flask-cors
  {
    sed -n '/^#/p' "$REQUIREMENTS"
    "$tmp/venv/bin/pip" freeze --exclude-editable | sed 's/^moto==/moto[events,sqs]==/'
  } >"$tmp/requirements.txt"
  mv "$tmp/requirements.txt" "$REQUIREMENTS"
  rm -rf "$tmp"
  say "wrote $REQUIREMENTS"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  reset) cmd_reset ;;
  logs) tail -n "${2:-100}" "$LOG_FILE" ;;
  lock) cmd_lock ;;
  *) echo "usage: $0 start|stop|status|restart|reset|logs [N]|lock" >&2; exit 2 ;;
esac
