#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, broker+controller) for development and tests,
# run from the official jars on Maven Central because these machines have no Docker engine.
#
#   scripts/kafka/kafka.sh start    resolve jars (once), format storage (once), start, create topics
#   scripts/kafka/kafka.sh stop     stop the broker this script started
#   scripts/kafka/kafka.sh status   exit 0 when the broker answers on its port
#   scripts/kafka/kafka.sh reset    stop and delete the broker's data
#
# Settings mirror docker-compose.yml; change them in both places.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
CACHE_DIR="${KAFKA_CACHE_DIR:-$root/.cache/kafka}"
LIBS_DIR="$CACHE_DIR/libs-$KAFKA_VERSION"
DATA_DIR="${KAFKA_DATA_DIR:-$CACHE_DIR/data}"
PID_FILE="$CACHE_DIR/broker.pid"
LOG_FILE="$CACHE_DIR/broker.log"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# A SASL listener (SCRAM-SHA-256/512 and PLAIN) for the security tests. Development
# credentials only: this broker listens on loopback and is not a deployment.
SASL_PORT="${KAFKA_SASL_PORT:-9094}"
SASL_USER=stacklens
SASL_PASSWORD=stacklens-dev-secret
HEAP="${KAFKA_HEAP:-512m}"
# Topics the service needs: name:partitions. Tests create their own topics.
TOPICS="${KAFKA_TOPICS:-pos-logs:6 pos-logs.dlq:1}"
START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-90}"

log() { printf '[kafka] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

java_cp() { java -Xmx256m -cp "$LIBS_DIR/*" -Dlog4j2.configurationFile="$here/log4j2-tools.xml" "$@"; }

resolve_jars() {
  [[ -f "$LIBS_DIR/.complete" ]] && return 0
  log "resolving Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR"
  rm -rf "$LIBS_DIR"
  # Maven -q still prints bare ANSI resets; strip them so logs stay readable.
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS_DIR" | sed 's/\x1b\[[0-9;]*m//g'
  touch "$LIBS_DIR/.complete"
}

write_config() {
  mkdir -p "$DATA_DIR"
  cat >"$CACHE_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD";
log.dirs=$DATA_DIR
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests create many short-lived groups; waiting 3 s for more members only slows every join.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
}

format_storage() {
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(java_cp kafka.tools.StorageTool random-uuid)"
  log "formatting storage in $DATA_DIR (cluster $cluster_id)"
  # SCRAM users live in the cluster metadata, so they are created with it.
  java_cp kafka.tools.StorageTool format --standalone -t "$cluster_id" \
    -c "$CACHE_DIR/server.properties" \
    --add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]" >/dev/null
}

create_topics() {
  local spec name parts
  for spec in $TOPICS; do
    name="${spec%%:*}"; parts="${spec##*:}"
    java_cp org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" \
      --create --if-not-exists --topic "$name" --partitions "$parts" --replication-factor 1 >/dev/null
  done
  log "topics ready: $TOPICS"
}

start() {
  if running_pid >/dev/null; then
    log "already running (pid $(running_pid)) on $HOST:$PORT"
    return 0
  fi
  if port_open "$PORT"; then
    log "something else already listens on $HOST:$PORT; not starting a second broker"
    return 1
  fi
  command -v java >/dev/null || { log "java not found: install a JDK 17+"; return 1; }
  mkdir -p "$CACHE_DIR"
  resolve_jars
  write_config
  format_storage
  log "starting broker $KAFKA_VERSION on $HOST:$PORT (heap $HEAP, log $LOG_FILE)"
  # setsid: the broker outlives this shell, and a Ctrl-C in the caller's terminal does not reach it.
  setsid java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Dlog4j2.configurationFile="$here/log4j2-broker.xml" -Dkafka.logs.dir="$CACHE_DIR" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$CACHE_DIR/server.properties" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until port_open "$PORT"; do
    if ! running_pid >/dev/null; then
      log "broker exited during start; last lines of $LOG_FILE:"; tail -n 30 "$LOG_FILE" >&2; return 1
    fi
    if ((SECONDS > deadline)); then log "broker did not open $PORT within ${START_TIMEOUT_S}s"; return 1; fi
    sleep 0.5
  done
  create_topics
  log "ready"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then log "not running"; rm -f "$PID_FILE"; return 0; fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "broker ignored SIGTERM for 30 s; killing"; kill -KILL "$pid"; fi
  rm -f "$PID_FILE"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) port_open "$PORT" && log "up on $HOST:$PORT" || { log "down"; exit 1; } ;;
  reset) stop; rm -rf "$DATA_DIR" "$CACHE_DIR/server.properties"; log "data deleted" ;;
  *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
