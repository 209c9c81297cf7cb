#!/usr/bin/env bash
# One command from a fresh clone to alerts on screen: Kafka + Postgres up, schema migrated,
# service started in the background, demo events published, results summarised.
#   scripts/demo.sh start   (npm run demo)       scripts/demo.sh stop   (npm run demo:stop)
#   DEMO_JIRA=1 npm run demo   also runs the Jira test double (WireMock) and connects the
#                              service to it, so critical alerts get tickets you can look at.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="$root/.cache/demo"
pid_file="$state/service.pid"
log_file="$state/service.log"
port="${HTTP_PORT:-3000}"
count="${DEMO_COUNT:-200}"
malformed="${DEMO_MALFORMED:-5}"
# Demo-only tokens: the alerts API refuses every request without one. Never use these elsewhere.
operator_token="demo-operator-token-0001"
viewer_token="demo-viewer-token-00001"
export API_TOKENS="${API_TOKENS:-demo-operator:operator:$operator_token,demo-viewer:viewer:$viewer_token}"

log() { printf '[demo] %s\n' "$*" >&2; }

running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

metric_sum() { # sum of a metric's samples on /metrics
  curl -fsS "http://127.0.0.1:$port/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { print s + 0 }'
}

start_jira_double() {
  local url
  url="$(bash scripts/jira-double.sh start)"
  # Demo-only credentials for the double; it checks that they are sent, not what they are.
  export JIRA_BASE_URL="$url" JIRA_API=cloud JIRA_EMAIL=demo@example.com \
    JIRA_API_TOKEN=demo-jira-token JIRA_PROJECT_KEY=OPS \
    JIRA_WEBHOOK_SECRET=demo-webhook-secret-0123456789 \
    JIRA_ALERT_URL_TEMPLATE="http://127.0.0.1:$port/ui/alerts/{id}"
  log "Jira double on $url (tickets: curl $url/__admin/requests)"
}

start() {
  [[ -d node_modules ]] || { log "installing dependencies (npm ci)"; npm ci --no-audit --no-fund; }
  npm run --silent infra:up
  [[ "${DEMO_JIRA:-0}" == 1 ]] && start_jira_double
  log "building"
  npm run --silent build >/dev/null
  mkdir -p "$state"
  if running; then
    log "service already running (pid $(cat "$pid_file"))"
  else
    log "starting the service on :$port (logs: $log_file)"
    # `npm start`'s own command (heap cap and growth flags), run directly so the pid is node's.
    local start_cmd
    start_cmd=$(node -p 'require("./package.json").scripts.start')
    # shellcheck disable=SC2086 # the command is split into its words on purpose
    HTTP_PORT="$port" setsid $start_cmd >"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
  fi
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/readiness" >/dev/null 2>&1 && break
    running || { log "service exited; last lines:"; tail -n 20 "$log_file" >&2; exit 1; }
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/readiness" >/dev/null || { log "service not ready after 60 s"; exit 1; }

  local before target
  before="$(metric_sum stacklens_messages_consumed_total)"
  target=$((before + count + malformed))
  npm run --silent produce -- --count "$count" --malformed "$malformed"
  for _ in $(seq 1 120); do
    (($(metric_sum stacklens_messages_consumed_total) >= target)) && break
    sleep 0.5
  done

  if [[ "${DEMO_JIRA:-0}" == 1 ]]; then
    log "waiting for the Jira outbox to file tickets for critical alerts"
    for _ in $(seq 1 40); do
      curl -fsS -H "Authorization: Bearer $operator_token" "http://127.0.0.1:$port/api/v1/alerts?severity=critical&limit=200" |
        grep -q '"jira_issue_key":"OPS-' && break
      sleep 0.5
    done
  fi
  echo
  echo "Open alerts, one per problem (GET /api/v1/alerts; the Jira key when DEMO_JIRA=1):"
  curl -fsS -H "Authorization: Bearer $operator_token" "http://127.0.0.1:$port/api/v1/alerts?limit=10" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const a of JSON.parse(s).items)console.log(`  ${a.severity.padEnd(8)} ${a.issue_code.padEnd(18)} x${String(a.occurrences).padEnd(5)} ${(a.jira_issue_key ?? "").padEnd(13)} ${JSON.stringify(a.group_labels)}  ${a.id}`)})'
  echo "Dead-lettered (by reason):"
  curl -fsS "http://127.0.0.1:$port/metrics" | grep '^stacklens_messages_dead_lettered_total' | sed 's/^stacklens_messages_dead_lettered_total/  /' || echo "  none"
  cat <<MSG

The service keeps running (pid $(cat "$pid_file")):
  console     http://127.0.0.1:$port/ui   (sign in with the operator token below)
  readiness   curl http://127.0.0.1:$port/readiness
  metrics     curl http://127.0.0.1:$port/metrics
  alerts API  curl -H 'Authorization: Bearer $operator_token' http://127.0.0.1:$port/api/v1/alerts
              (operator token: $operator_token, viewer token: $viewer_token)
  acknowledge curl -X POST -H 'Authorization: Bearer $operator_token' http://127.0.0.1:$port/api/v1/alerts/<id>/acknowledge
  API docs    http://127.0.0.1:$port/api/docs
  more events npm run produce -- --count 1000
  stop all    npm run demo:stop
MSG
}

stop() {
  if running; then
    log "stopping the service (pid $(cat "$pid_file"))"
    kill -TERM "$(cat "$pid_file")"
    for _ in $(seq 1 60); do running || break; sleep 0.5; done
  fi
  rm -f "$pid_file"
  bash scripts/jira-double.sh stop >/dev/null 2>&1 || true
  bash scripts/kafka/kafka.sh stop
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
