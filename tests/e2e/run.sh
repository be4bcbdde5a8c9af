#!/usr/bin/env bash
# End-to-end tests on the real Kith binary, headless:
#   Xvfb (a free display) -> dbus-run-session -> tauri-driver (a free port) -> WebKitWebDriver
#   -> target/debug/kith --data-dir <fresh temp dir>, driven by node --test specs/*.test.mjs.
# Everything started here is stopped on exit, by process group id.
#
#   bash tests/e2e/run.sh [extra node --test args, e.g. --test-name-pattern=trash]
#
# Environment: KITH_APP, KITH_CLI (default target/debug/kith, target/debug/kith-cli),
# KITH_E2E_SPECS='specs/02-*.test.mjs' picks spec files, KITH_E2E_KEEP=1 keeps the temp data dirs, KITH_E2E_WDIO_LOG=info for WebDriver traces.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

export KITH_APP="${KITH_APP:-$ROOT/target/debug/kith}"
export KITH_CLI="${KITH_CLI:-$ROOT/target/debug/kith-cli}"
export KITH_E2E_SCREENSHOTS="${KITH_E2E_SCREENSHOTS:-$ROOT/artifacts/e2e-screenshots}"
LOG_DIR="$ROOT/artifacts/logs"

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf '[e2e] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$KITH_APP" ]] || die "app binary not found: $KITH_APP (cargo test --workspace builds it)"
[[ -x "$KITH_CLI" ]] || die "CLI binary not found: $KITH_CLI (cargo test --workspace builds it)"
for tool in Xvfb dbus-run-session tauri-driver WebKitWebDriver import curl node xdotool; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run scripts/setup.sh"
done
/usr/bin/python3 -c 'import gi; gi.require_version("Gtk", "3.0")' 2>/dev/null \
  || die "python3-gi with GTK 3 not found (the drag source of tests/e2e/lib/drag_source.py): run scripts/setup.sh"
[[ -d "$HERE/node_modules/webdriverio" ]] || die "tests/e2e/node_modules is missing: run scripts/setup.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-e2e.XXXXXX")"
export KITH_E2E_WORK="$WORK"
mkdir -p "$LOG_DIR"
rm -rf "$KITH_E2E_SCREENSHOTS"
mkdir -p "$KITH_E2E_SCREENSHOTS"

# Each background job gets its own process group (job control), so stopping a job by its
# group id also stops what it started (dbus-daemon, WebKitWebDriver, the app).
set -m
GROUPS_STARTED=()
# shellcheck disable=SC2329  # invoked by the EXIT trap
cleanup() {
  local rc=$?
  set +e
  local pgid
  for pgid in "${GROUPS_STARTED[@]}"; do kill -TERM -- "-$pgid" 2>/dev/null; done
  for _ in $(seq 1 50); do
    local alive=0
    for pgid in "${GROUPS_STARTED[@]}"; do kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for pgid in "${GROUPS_STARTED[@]}"; do kill -KILL -- "-$pgid" 2>/dev/null; done
  if [[ "${KITH_E2E_KEEP:-}" == "1" ]]; then
    log "kept data dirs in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# --- Xvfb on a display it picks itself (-displayfd writes the number once it is ready) ----
exec {displayfd}>"$WORK/display"
Xvfb -displayfd "$displayfd" -screen 0 1440x900x24 -nolisten tcp -noreset >"$LOG_DIR/e2e-xvfb.log" 2>&1 &
GROUPS_STARTED+=("$!")
disown "$!"   # stopped by cleanup(); no job-control chatter
exec {displayfd}>&-
for _ in $(seq 1 100); do
  [[ -s "$WORK/display" ]] && break
  kill -0 "${GROUPS_STARTED[0]}" 2>/dev/null || die "Xvfb exited: $(cat "$LOG_DIR/e2e-xvfb.log")"
  sleep 0.1
done
[[ -s "$WORK/display" ]] || die "Xvfb did not report a display within 10 s"
DISPLAY=":$(tr -d '[:space:]' <"$WORK/display")"
export DISPLAY
log "Xvfb on $DISPLAY"

# --- tauri-driver (and WebKitWebDriver) in a private D-Bus session -----------------------
export NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
KITH_E2E_PORT="$(free_port)"
NATIVE_PORT="$(free_port)"
while [[ "$NATIVE_PORT" == "$KITH_E2E_PORT" ]]; do NATIVE_PORT="$(free_port)"; done
export KITH_E2E_PORT
dbus-run-session -- tauri-driver --port "$KITH_E2E_PORT" --native-port "$NATIVE_PORT" \
  >"$LOG_DIR/e2e-driver.log" 2>&1 &
DRIVER_PID=$!
GROUPS_STARTED+=("$DRIVER_PID")
disown "$DRIVER_PID"
for _ in $(seq 1 100); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$KITH_E2E_PORT/status" && break
  kill -0 "$DRIVER_PID" 2>/dev/null || die "tauri-driver exited: $(cat "$LOG_DIR/e2e-driver.log")"
  sleep 0.1
done
curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$KITH_E2E_PORT/status" \
  || die "tauri-driver did not listen on port $KITH_E2E_PORT within 10 s"
log "tauri-driver on 127.0.0.1:$KITH_E2E_PORT (WebKitWebDriver on $NATIVE_PORT)"

# --- the tests ---------------------------------------------------------------------------
cd "$HERE"
# In the background + `wait`, so a TERM/INT to this script is handled at once (cleanup
# stops the tests too) instead of after the whole run.
# shellcheck disable=SC2086  # KITH_E2E_SPECS is a glob on purpose
node --test --test-concurrency=1 --test-reporter=spec "$@" ${KITH_E2E_SPECS:-specs/*.test.mjs} </dev/null &
TESTS_PID=$!
GROUPS_STARTED+=("$TESTS_PID")
rc=0
wait "$TESTS_PID" || rc=$?
shots=$(find "$KITH_E2E_SCREENSHOTS" -name '*.png' | wc -l)
log "screenshots: $shots in ${KITH_E2E_SCREENSHOTS#"$ROOT"/}"
if [[ $rc -ne 0 ]]; then
  log "tests failed (exit $rc); last lines of the driver/app log (artifacts/logs/e2e-driver.log):"
  tail -n 40 "$LOG_DIR/e2e-driver.log" >&2 || true
fi
exit "$rc"
