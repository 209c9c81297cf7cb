#!/usr/bin/env bash
# Makes sure the PostgreSQL server named by DATABASE_URL answers, starting this machine's local
# cluster if it is down, then creates the service's database if it is missing.
# Elsewhere (Docker, a managed database) the server is someone else's job and only the
# database is created.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/stacklens}"
hostport="$(node -e 'const u=new URL(process.argv[1]);console.log(`${u.hostname} ${u.port||5432}`)' "$url")"
read -r host port <<<"$hostport"

log() { printf '[postgres] %s\n' "$*" >&2; }

if ! pg_isready -q -h "$host" -p "$port" 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [[ "$host" =~ ^(127\.0\.0\.1|localhost)$ ]]; then
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    log "not answering on $host:$port; starting local cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 60); do pg_isready -q -h "$host" -p "$port" && break; sleep 0.5; done
  pg_isready -q -h "$host" -p "$port" || { log "no PostgreSQL server on $host:$port"; exit 1; }
fi
DATABASE_URL="$url" node "$root/node_modules/.bin/ts-node" --transpile-only "$root/scripts/create-database.ts"
