# Plumbing shared by scripts/kafka.sh and scripts/moto.sh: messages, a pid file that names one of our
# processes, starting it detached and waiting until it answers, stopping it, and the log tail on failure.
# Source it after setting SERVICE (the script's name in messages), WHAT (what it runs), PORT_VAR (the
# variable that sets its port), STATE_DIR, PORT, PID_FILE, LOG_FILE, START_TIMEOUT and STOP_TIMEOUT; the
# script defines our_pid and probe.

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

# The first half of `start`, under the state dir's start lock (held until the script exits, so two
# concurrent starts, e.g. parallel test runs, never launch two servers): returns 0 when a server
# already answers on PORT (ours, once it is ready, or someone else's), 1 when one must be started.
service_reuse() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/.lock"
  flock 9
  local pid
  if pid="$(our_pid)"; then
    if probe; then say "already running (pid $pid) on 127.0.0.1:$PORT"; return 0; fi
    say "pid $pid is running but does not answer yet; waiting for it"
    service_wait_ready "$pid"
    return 0
  fi
  if probe; then
    say "a $WHAT not started by this script already answers on 127.0.0.1:$PORT; using it"
    return 0
  fi
  port_open "$PORT" && die "127.0.0.1:$PORT is in use by something that is not a $WHAT; free it or set $PORT_VAR"
  rm -f "$PID_FILE"
  return 1
}

# Runs "$@" detached and prints its pid. setsid: the server outlives the shell or test runner that
# started it (it is reused). The inner bash writes its own pid, then execs the command, so the pid
# file names the server. fd 9 (the start lock) is closed for the server, or it would hold the lock
# for its lifetime. Output goes to LOG_FILE (the previous one is kept as LOG_FILE.1).
service_launch() {
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' "$SERVICE" "$PID_FILE" "$@" >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  local i pid
  for i in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || die "the $WHAT process did not start"
  printf '%s' "$pid"
}

# Waits up to START_TIMEOUT seconds for probe to succeed; a server that exits or never answers fails
# the start (with its log), and one that never answers is stopped.
service_wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log_tail
      die "the $WHAT exited during startup (log above)"
    fi
    probe && return 0
    sleep 0.2
  done
  log_tail
  say "the $WHAT did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT}s; stopping it"
  stop_pid "$pid"
  exit 1
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
