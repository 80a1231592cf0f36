# Plumbing shared by scripts/kafka.sh and scripts/moto.sh: messages, a pid file that names one of our
# processes, stopping it, and the log tail on failure. Source it after setting SERVICE (the script's
# name in messages), WHAT (what it runs), STATE_DIR, PORT, PID_FILE, LOG_FILE and STOP_TIMEOUT; the script
# defines our_pid and probe.

say() { printf '%s: %s\n' "$SERVICE" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Whether something accepts connections on 127.0.0.1:$1 (bash's /dev/tcp: no curl or nc needed).
port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' probe "$1" 2>/dev/null; }

# Prints the pid from PID_FILE when that process is alive and its command line contains $1 (so a
# recycled pid of some other program is never taken for ours).
pid_matching() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$1" || return 1
  printf '%s' "$pid"
}

log_tail() {
  [[ -f "$LOG_FILE" ]] || return 0
  say "last lines of $LOG_FILE:"
  tail -n "${1:-40}" "$LOG_FILE" >&2
}

# SIGTERM, up to STOP_TIMEOUT seconds for a clean exit, then SIGKILL; removes PID_FILE.
stop_pid() {
  local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

# `stop`: our process (our_pid, defined by the script) under the state dir's lock. WHAT names it.
service_stop() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/.lock"
  flock 9
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    say "not running (no $WHAT started from $STATE_DIR on port $PORT)"
    return 0
  fi
  local started=$SECONDS
  stop_pid "$pid"
  say "stopped (pid $pid) in $((SECONDS - started))s"
}

# `status`: ours and answering (probe, defined by the script), someone else's answering, or stopped.
service_status() {
  local pid
  if pid="$(our_pid)"; then
    if probe; then echo "running: pid $pid, 127.0.0.1:$PORT answers, state $STATE_DIR"; return 0; fi
    echo "starting or unhealthy: pid $pid is alive but 127.0.0.1:$PORT does not answer"; return 1
  fi
  if probe; then echo "running: a $WHAT not started from $STATE_DIR answers on 127.0.0.1:$PORT"; return 0; fi
  echo "stopped: nothing answers on 127.0.0.1:$PORT"
  return 1
}
