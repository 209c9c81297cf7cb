#!/usr/bin/env bash
# A Jira test double for the demo: WireMock answering on 127.0.0.1 with the stubs the integration
# tests use (test/jira/mappings: Cloud REST v3 and Data Center v2), since Jira itself is not
# reachable from these machines.
#   scripts/jira-double.sh start    start in the background, print the base URL
#   scripts/jira-double.sh stop     stop the double this script started
#   scripts/jira-double.sh status   exit 0 and print the base URL while it runs
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="$root/.cache/jira"
pid_file="$state/demo.pid"
log_file="$state/demo.log"
port="${JIRA_DOUBLE_PORT:-8089}"
url="http://127.0.0.1:$port"

log() { printf '[jira-double] %s\n' "$*" >&2; }

# The pid is a process group: the npm launcher and the JVM it starts.
running() { [[ -f "$pid_file" ]] && kill -0 -- "-$(cat "$pid_file")" 2>/dev/null; }

healthy() { curl -fsS --max-time 2 "$url/__admin/health" >/dev/null 2>&1; }

start() {
  if running; then
    log "already running (pid $(cat "$pid_file"))"
    echo "$url"
    return
  fi
  healthy && { log "something else already answers on $url (set JIRA_DOUBLE_PORT)"; exit 1; }
  [[ -f node_modules/wiremock/index.js ]] || { log "node_modules/wiremock is missing: run npm ci"; exit 1; }
  command -v java >/dev/null || { log "WireMock needs Java 11 or later on PATH"; exit 1; }
  mkdir -p "$state"
  log "starting WireMock on $url (log: $log_file)"
  JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
    setsid node node_modules/wiremock/index.js --port "$port" --bind-address 127.0.0.1 \
    --root-dir test/jira --disable-banner >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 600); do
    healthy && break
    running || { log "WireMock exited; last lines:"; tail -n 20 "$log_file" >&2; rm -f "$pid_file"; exit 1; }
    sleep 0.1
  done
  healthy || { log "not answering after 60 s"; stop; exit 1; }
  cat >&2 <<MSG
[jira-double] running (pid $(cat "$pid_file")); any Basic (Cloud, /rest/api/3) or Bearer (Data Center, /rest/api/2) token is accepted
  requests received   curl $url/__admin/requests
  stubs               curl $url/__admin/mappings
  back to defaults    curl -X POST $url/__admin/reset
MSG
  echo "$url"
}

stop() {
  if running; then
    local pid
    pid="$(cat "$pid_file")"
    log "stopping (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do running || break; sleep 0.1; done
    if running; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pid_file"
}

status() {
  if running && healthy; then
    log "running (pid $(cat "$pid_file"))"
    echo "$url"
  else
    log "not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
