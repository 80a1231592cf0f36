#!/usr/bin/env bash
# A real single-node Apache Kafka for dev, tests and CI (DESIGN §3), run from the
# Maven Central jars: no Docker, no tarball download, only Java 17 and Maven.
#
#   scripts/kafka.sh start    start (or reuse) a KRaft broker+controller on 127.0.0.1:$KAFKA_PORT
#   scripts/kafka.sh stop     SIGTERM, wait, then SIGKILL
#   scripts/kafka.sh status   exit 0 when a broker answers a Metadata request on the port
#   scripts/kafka.sh perf     ProducerPerformance (acks=all) against the running broker; --help for options
#   scripts/kafka.sh logs     tail the broker log
#   scripts/kafka.sh reset    stop and wipe the broker's data (next start formats a new cluster)
#
# Environment (all optional):
#   KAFKA_VERSION             Apache Kafka version of the jars (pinned below)
#   KAFKA_PORT                PLAINTEXT listener port (9092); the controller listens on KAFKA_CONTROLLER_PORT (port+1)
#   KAFKA_STATE_DIR           data, config, log and pid file (<repo>/.cache/kafka, gitignored)
#   KAFKA_CACHE_DIR           where the jars are copied (${XDG_CACHE_HOME:-$HOME/.cache}/causeway/kafka-<version>)
#   KAFKA_AUTO_CREATE_TOPICS  auto.create.topics.enable (false: Causeway creates its topics explicitly)
#   KAFKA_HEAP_OPTS           JVM heap (-Xms128m -Xmx768m: the machine has 2 cores and runs many things)
#   KAFKA_START_TIMEOUT       seconds to wait for the broker to answer (120)
set -euo pipefail

# 4.4.0 is listed on Maven Central but kafka-tools-api:4.4.0 cannot be resolved there,
# so 4.3.1 is the newest 4.x whose full runtime classpath resolves.
KAFKA_VERSION="${KAFKA_VERSION:-4.3.1}"
LOG4J_VERSION="2.25.4" # the log4j-core kafka_2.13 ${KAFKA_VERSION} depends on; adds its slf4j binding

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${KAFKA_STATE_DIR:-$REPO_ROOT/.cache/kafka}"
CACHE_DIR="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/causeway/kafka-$KAFKA_VERSION}"
LIBS="$CACHE_DIR/libs"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
AUTO_CREATE="${KAFKA_AUTO_CREATE_TOPICS:-false}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx768m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

DATA_DIR="$STATE_DIR/data"
PID_FILE="$STATE_DIR/kafka.pid"
LOG_FILE="$STATE_DIR/kafka.log"
CONF="$STATE_DIR/server.properties"
FORMAT_STAMP="$STATE_DIR/format.stamp"

SERVICE=kafka.sh
WHAT="broker"
PORT_VAR=KAFKA_PORT
# shellcheck source=lib/service.sh
source "$REPO_ROOT/scripts/lib/service.sh"
# shellcheck source=lib/kafka-cluster-id.sh
source "$REPO_ROOT/scripts/lib/kafka-cluster-id.sh"

install_hint='install it with: apt-get install openjdk-17-jre-headless maven'

require_java() {
  command -v java >/dev/null 2>&1 || die "java is missing (Java 17 or newer is needed); $install_hint"
  local spec
  spec="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [[ "${spec%%.*}" =~ ^[0-9]+$ && "${spec%%.*}" -ge 17 ]] ||
    die "java ${spec:-of unknown version} is too old: Kafka $KAFKA_VERSION needs Java 17 or newer; $install_hint"
}

# Copies kafka_2.13 + kafka-tools and their runtime dependencies into $LIBS once.
# Maven caches the downloads in ~/.m2; $LIBS/.complete marks a finished copy.
fetch_libs() {
  [[ -f "$LIBS/.complete" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) is missing and the Kafka jars are not cached in $LIBS yet; $install_hint"
  mkdir -p "$CACHE_DIR"
  exec 8>"$CACHE_DIR/.fetch.lock"
  flock 8
  if [[ -f "$LIBS/.complete" ]]; then exec 8>&-; return 0; fi
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS (first run only)"
  local tmp
  tmp="$(mktemp -d "$CACHE_DIR/fetch.XXXXXX")"
  cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>causeway.dev</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  if ! mvn -B -q -f "$tmp/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$tmp/libs" -DincludeScope=runtime >"$tmp/mvn.log" 2>&1; then
    tail -n 30 "$tmp/mvn.log" >&2
    die "Maven could not fetch the Kafka $KAFKA_VERSION jars (log above; full log in $tmp/mvn.log)"
  fi
  touch "$tmp/libs/.complete"
  rm -rf "$LIBS"
  mv "$tmp/libs" "$LIBS"
  rm -rf "$tmp"
  exec 8>&-
}

classpath() { printf '%s/*' "$LIBS"; }

# Runs a Kafka tool class quietly (warnings only, to stderr).
run_tool() {
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$STATE_DIR/log4j2-tools.properties" \
    -cp "$(classpath)" "$@"
}

write_log_configs() {
  cat >"$STATE_DIR/log4j2.properties" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
  cat >"$STATE_DIR/log4j2-tools.properties" <<'EOF'
status = warn
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
EOF
}

write_server_properties() {
  cat >"$CONF" <<EOF
# Generated by scripts/kafka.sh on each start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=$AUTO_CREATE
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
}

# Formats storage once per (version, ports): the dynamic quorum (KIP-853, --standalone)
# records the controller endpoint, so a port change needs a fresh cluster.
format_storage() {
  local want="$KAFKA_VERSION $PORT $CONTROLLER_PORT"
  if [[ -f "$DATA_DIR/meta.properties" && -f "$FORMAT_STAMP" && "$(cat "$FORMAT_STAMP")" == "$want" ]]; then
    return 0
  fi
  [[ -d "$DATA_DIR" ]] && say "storage was formatted for another version/ports; wiping $DATA_DIR"
  rm -rf "$DATA_DIR"
  local cluster_id
  cluster_id="$(new_cluster_id)" || die "could not draw a cluster id"
  # --cluster-id=ID, not -t ID: an id that begins with '-' cannot be taken for an option this way.
  if ! run_tool kafka.tools.StorageTool format --standalone --cluster-id="$cluster_id" -c "$CONF" >"$STATE_DIR/format.log" 2>&1; then
    cat "$STATE_DIR/format.log" >&2
    die "formatting the storage in $DATA_DIR failed"
  fi
  printf '%s\n' "$want" >"$FORMAT_STAMP"
}

# Sends a Metadata v4 request (api key 3; v0-v3 are gone in Kafka 4) with a null topic
# list and succeeds when the answer carries our correlation id and at least one broker.
# Pure bash (/dev/tcp), so probing costs no JVM start.
probe() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || exit 2
    # size=29 | api_key=3 api_version=4 correlation=0x43570001 client_id="causeway-probe" | topics=null allow_auto_create=false
    printf "\x00\x00\x00\x1d\x00\x03\x00\x04\x43\x57\x00\x01\x00\x0ecauseway-probe\xff\xff\xff\xff\x00" >&3
    read -r -a b < <(head -c 16 <&3 | od -An -v -tu1 | tr "\n" " ")
    [[ ${#b[@]} -eq 16 && ${b[4]} -eq 67 && ${b[5]} -eq 87 && ${b[6]} -eq 0 && ${b[7]} -eq 1 ]] || exit 3
    (( (b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15]) >= 1 ))
  ' probe "$PORT" 2>/dev/null
}

# The pid from the pid file when that process is alive and is our kafka.Kafka.
our_pid() { pid_matching "kafka.Kafka $CONF"; }

cmd_start() {
  service_reuse && return 0
  port_open "$CONTROLLER_PORT" && die "controller port 127.0.0.1:$CONTROLLER_PORT is in use; free it or set KAFKA_CONTROLLER_PORT"
  require_java
  fetch_libs
  write_log_configs
  write_server_properties
  format_storage
  local started=$SECONDS pid
  # shellcheck disable=SC2086
  pid="$(service_launch java $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$STATE_DIR/log4j2.properties" \
    -cp "$(classpath)" kafka.Kafka "$CONF")"
  service_wait_ready "$pid"
  say "started Apache Kafka $KAFKA_VERSION (pid $pid) on 127.0.0.1:$PORT in $((SECONDS - started))s; log: $LOG_FILE"
}

cmd_stop() { service_stop; }

cmd_status() { service_status; }

cmd_reset() {
  cmd_stop
  rm -rf "$DATA_DIR" "$FORMAT_STAMP"
  say "wiped $DATA_DIR"
}

cmd_perf() {
  local records=100000 size=1024 topic=causeway-perf partitions=1 throughput=-1
  while (($#)); do
    case "$1" in
      --records) records="$2"; shift 2 ;;
      --record-size) size="$2"; shift 2 ;;
      --topic) topic="$2"; shift 2 ;;
      --partitions) partitions="$2"; shift 2 ;;
      --throughput) throughput="$2"; shift 2 ;;
      --) shift; break ;;
      -h | --help)
        echo "usage: kafka.sh perf [--records N] [--record-size BYTES] [--topic T] [--partitions P] [--throughput REC_PER_S] [-- more ProducerPerformance options, e.g. --print-metrics]"
        return 0 ;;
      *) die "perf: unknown option $1 (see kafka.sh perf --help)" ;;
    esac
  done
  probe || die "no broker answers on 127.0.0.1:$PORT; run scripts/kafka.sh start first"
  require_java
  fetch_libs
  mkdir -p "$STATE_DIR"
  write_log_configs
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" --create --if-not-exists \
    --topic "$topic" --partitions "$partitions" --replication-factor 1 >/dev/null
  # acks=all + idempotence: the same durability the Kafka event log asks for (DESIGN §3).
  run_tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" \
    --record-size "$size" --throughput "$throughput" \
    --bootstrap-server "127.0.0.1:$PORT" --command-property acks=all enable.idempotence=true "$@"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  reset) cmd_reset ;;
  logs) tail -n "${2:-100}" "$LOG_FILE" ;;
  perf) shift; cmd_perf "$@" ;;
  *) echo "usage: $0 start|stop|status|restart|reset|logs [N]|perf [--help]" >&2; exit 2 ;;
esac
