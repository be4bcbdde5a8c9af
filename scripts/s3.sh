#!/usr/bin/env bash
# An S3-compatible endpoint for the sync server's S3 blob tests: moto's server, an
# S3 emulator (a stand-in for AWS S3 or MinIO, which cannot run here), installed
# from PyPI into a virtualenv under target/ and run on loopback.
#
#   source scripts/s3.sh && kith_s3_start   # from scripts/test.sh; exports KITH_TEST_S3_ENDPOINT
#   bash scripts/s3.sh start|stop|url       # by hand
#
# Idempotent: the virtualenv is made once (again when KITH_MOTO_VERSION changes)
# and the server started only if moto is not answering. It listens on 127.0.0.1
# only, on a port derived from this checkout's path (KITH_S3_PORT overrides), and
# is left running after the tests, like scripts/pg.sh's cluster (`stop` ends it;
# its output goes to target/s3/server.log). It keeps everything in memory: each
# test makes a bucket of its own.

KITH_S3_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KITH_MOTO_VERSION="${KITH_MOTO_VERSION:-5.2.5}"

kith_s3_log() { printf '[s3] %s\n' "$*" >&2; }

kith_s3_port() {
  if [[ -n "${KITH_S3_PORT:-}" ]]; then echo "$KITH_S3_PORT"; return; fi
  echo $((30000 + $(printf '%s' "$KITH_S3_ROOT" | cksum | cut -d' ' -f1) % 10000))
}

kith_s3_dir() { echo "$KITH_S3_ROOT/target/s3"; }

# Whether moto answers on the port (its own API, so another service there does
# not pass for it).
kith_s3_up() {
  curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$(kith_s3_port)/moto-api/data.json" 2>/dev/null
}

kith_s3_start() {
  local dir venv port
  dir="$(kith_s3_dir)"
  venv="$dir/venv"
  port="$(kith_s3_port)"
  command -v python3 >/dev/null 2>&1 || { kith_s3_log "python3 is not installed (Debian packages python3, python3-venv)"; return 1; }
  if [[ "$(cat "$venv/.moto-version" 2>/dev/null)" != "$KITH_MOTO_VERSION" ]]; then
    kith_s3_stop
    kith_s3_log "installing moto[server]==$KITH_MOTO_VERSION into $venv"
    rm -rf "$venv"
    mkdir -p "$dir"
    python3 -m venv "$venv" >"$dir/venv.log" 2>&1 \
      || { cat "$dir/venv.log" >&2; kith_s3_log "python3 -m venv failed (Debian package python3-venv)"; return 1; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$KITH_MOTO_VERSION" >>"$dir/venv.log" 2>&1 \
      || { tail -n 20 "$dir/venv.log" >&2; return 1; }
    echo "$KITH_MOTO_VERSION" >"$venv/.moto-version"
  fi
  if ! kith_s3_up; then
    kith_s3_log "starting moto's S3 server on 127.0.0.1:$port"
    nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 &
    echo $! >"$dir/server.pid"
    local i
    for i in $(seq 1 100); do
      kith_s3_up && break
      sleep 0.1
    done
    kith_s3_up || { tail -n 20 "$dir/server.log" >&2; return 1; }
  fi
  export KITH_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
}

kith_s3_stop() {
  local pid_file pid
  pid_file="$(kith_s3_dir)/server.pid"
  [[ -f "$pid_file" ]] || return 0
  pid="$(cat "$pid_file")"
  # Only if that process is still our moto server, not a reused pid.
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q moto_server; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-start}" in
    start) kith_s3_start; echo "$KITH_TEST_S3_ENDPOINT" ;;
    stop) kith_s3_stop ;;
    url) echo "http://127.0.0.1:$(kith_s3_port)" ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
  esac
fi
