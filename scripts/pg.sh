#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the sync tests that run on PostgreSQL: the
# server's store conformance suite, the sync convergence harness, and the HTTP
# case of events across two server instances.
#
#   source scripts/pg.sh && kith_pg_start   # from scripts/test.sh; exports KITH_TEST_POSTGRES_URL
#   bash scripts/pg.sh start|stop|url       # by hand
#
# Idempotent: the cluster is created once (initdb into target/pg) and started only
# if it is not running. It listens on 127.0.0.1 only, on a port derived from this
# checkout's path (KITH_PG_PORT overrides), with trust authentication: it holds
# nothing but test databases. PostgreSQL refuses to run as root, so as root it runs
# as the `postgres` user that Debian's package creates.

KITH_PG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

kith_pg_log() { printf '[pg] %s\n' "$*" >&2; }

# The directory holding initdb/pg_ctl/postgres: Debian's newest versioned one, else PATH.
kith_pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$d" && -x "$d/pg_ctl" && -x "$d/initdb" ]]; then echo "$d"; return 0; fi
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  return 1
}

kith_pg_port() {
  if [[ -n "${KITH_PG_PORT:-}" ]]; then echo "$KITH_PG_PORT"; return; fi
  echo $((20000 + $(printf '%s' "$KITH_PG_ROOT" | cksum | cut -d' ' -f1) % 10000))
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
kith_pg_as_owner() {
  if [[ ${EUID:-$(id -u)} -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The cluster's directory: target/pg, unless (as root) the postgres user cannot
# reach it (e.g. a checkout under /root); then one in /tmp named for this checkout.
kith_pg_dir() {
  local dir="$KITH_PG_ROOT/target/pg"
  mkdir -p "$dir"
  if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      dir="/tmp/kith-pg-$(printf '%s' "$KITH_PG_ROOT" | cksum | cut -d' ' -f1)"
      mkdir -p "$dir" && chown postgres: "$dir" && chmod 700 "$dir"
    fi
  fi
  echo "$dir"
}

kith_pg_start() {
  local bin dir port
  bin="$(kith_pg_bindir)" || { kith_pg_log "PostgreSQL is not installed (Debian package postgresql)"; return 1; }
  if [[ ${EUID:-$(id -u)} -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    kith_pg_log "no postgres user to run the cluster as (install Debian's postgresql package)"; return 1
  fi
  dir="$(kith_pg_dir)"
  port="$(kith_pg_port)"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    kith_pg_log "initdb $dir/data"
    kith_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  if ! kith_pg_as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    kith_pg_log "starting PostgreSQL on 127.0.0.1:$port"
    # fsync off: a test cluster trades durability for speed. No unix socket: the
    # path under target/ may be longer than a socket path may be.
    kith_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
      start >/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
  fi
  export KITH_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

kith_pg_stop() {
  local bin dir
  bin="$(kith_pg_bindir)" || return 0
  dir="$(kith_pg_dir)"
  [[ -f "$dir/data/PG_VERSION" ]] || return 0
  kith_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-start}" in
    start) kith_pg_start; echo "$KITH_TEST_POSTGRES_URL" ;;
    stop) kith_pg_stop ;;
    url) echo "postgres://postgres@127.0.0.1:$(kith_pg_port)/postgres" ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
  esac
fi
