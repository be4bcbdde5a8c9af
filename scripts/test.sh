#!/usr/bin/env bash
# Everything CI checks, in order, failing fast (README: "test").
#
#   scripts/test.sh               all stages
#   scripts/test.sh e2e           only the named stages (see STAGE_ORDER below), e.g.
#   scripts/test.sh ui-check ui-test
#
# Stages: fmt, ui-check, ui-test, ui-build, clippy, cargo-test, ipc-types, e2e.
# The UI is built before any cargo build because the app embeds ui/dist.
# `cargo test --workspace --features kith/e2e-dialogs` builds target/debug/kith (with tauri's "test" dev-feature) and
# target/debug/kith-cli; the e2e stage drives those same binaries, never a second build.
# Logs of every stage go to artifacts/logs/, screenshots to artifacts/e2e-screenshots/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

STAGE_ORDER=(fmt ui-check ui-test ui-build clippy cargo-test ipc-types e2e)
if [[ $# -gt 0 ]]; then
  for s in "$@"; do
    [[ " ${STAGE_ORDER[*]} " == *" $s "* ]] || { echo "unknown stage '$s' (stages: ${STAGE_ORDER[*]})" >&2; exit 2; }
  done
  SELECTED=" $* "
else
  SELECTED=" ${STAGE_ORDER[*]} "
fi

LOG_DIR="$ROOT/artifacts/logs"
mkdir -p "$LOG_DIR"

RUN_T0=$EPOCHREALTIME
STAGE_NAMES=()
STAGE_SECS=()

elapsed_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

banner() {
  local line="════════════════════════════════════════════════════════════════════════"
  printf '\n%s\n  %s\n%s\n' "$line" "$*" "$line"
}

print_timings() {
  printf '\n%-12s %9s\n' "stage" "seconds"
  local i
  for i in "${!STAGE_NAMES[@]}"; do
    printf '%-12s %9s\n' "${STAGE_NAMES[$i]}" "${STAGE_SECS[$i]}"
  done
  printf '%-12s %9s\n' "total" "$(elapsed_since "$RUN_T0")"
  # The build's footprint and what is left, so a full disk is seen before it fails a run.
  [[ -d "$ROOT/target" ]] && printf 'target/ %s; free on its disk: %s\n' \
    "$(du -sh "$ROOT/target" 2>/dev/null | cut -f1)" "$(df -h "$ROOT/target" | awk 'NR==2 {print $4}')"
  return 0
}

# stage NAME DESCRIPTION CMD...: run CMD (stdin closed, output also in artifacts/logs/NAME.log),
# time it, and stop the whole run with a banner if it fails.
stage() {
  local name=$1 desc=$2; shift 2
  [[ "$SELECTED" == *" $name "* ]] || return 0
  banner "▶ $name: $desc"
  local t0=$EPOCHREALTIME rc=0
  "$@" </dev/null 2>&1 | tee "$LOG_DIR/$name.log" || rc=$?
  local secs
  secs="$(elapsed_since "$t0")"
  STAGE_NAMES+=("$name")
  STAGE_SECS+=("$secs")
  if [[ $rc -ne 0 ]]; then
    banner "✗ FAILED: $name (exit $rc after $secs s) — full log: artifacts/logs/$name.log"
    print_timings
    exit "$rc"
  fi
  printf '✓ %s passed in %s s\n' "$name" "$secs"
}

in_dir() { local d=$1; shift; cd "$ROOT/$d" && "$@"; }

# `cargo test` regenerates the UI's IPC types from the Rust types (ts-rs): what it wrote
# must be what is committed, or the UI was checked against stale types.
ipc_types_fresh() {
  local dir=ui/src/lib/ipc/generated
  git rev-parse --git-dir >/dev/null 2>&1 || { echo "not a git checkout: skipped"; return 0; }
  if ! git diff --exit-code --stat -- "$dir"; then
    echo "The Rust types changed the generated IPC types above: commit $dir."
    return 1
  fi
  local untracked
  untracked="$(git ls-files --others --exclude-standard -- "$dir")"
  if [[ -n "$untracked" ]]; then
    echo "New generated IPC types are not committed: $untracked"
    return 1
  fi
  echo "generated IPC types match the Rust types"
}

e2e() {
  # Runs inside `stage`, where errexit is off: every failure returns explicitly.
  local app="$ROOT/target/debug/kith" cli="$ROOT/target/debug/kith-cli"
  if [[ ! -x "$app" ]]; then
    # Normally built by `cargo test --workspace` just before; only reached when the
    # e2e stage runs alone on a fresh tree.
    echo "[e2e] $app is missing: building it (cargo build -p kith --features e2e-dialogs)"
    cargo build -p kith --features e2e-dialogs || return $?
  fi
  if [[ ! -x "$cli" ]]; then
    echo "[e2e] $cli is missing: building it (cargo build -p kith-cli)"
    cargo build -p kith-cli || return $?
  fi
  KITH_APP="$app" KITH_CLI="$cli" bash "$ROOT/tests/e2e/run.sh"
}

# ---------------------------------------------------------------------------------------
banner "setup"
SETUP_T0=$EPOCHREALTIME
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
STAGE_NAMES+=("setup")
STAGE_SECS+=("$(elapsed_since "$SETUP_T0")")

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
if [[ "${CI:-}" == "true" ]]; then
  export NO_COLOR=1 FORCE_COLOR=0
  # A clean clone builds once: incremental caches would only cost disk (gigabytes) and time.
  export CARGO_INCREMENTAL=0
fi

stage fmt        "cargo fmt --all -- --check"                     cargo fmt --all -- --check
stage ui-check   "npm run check (svelte-check, TypeScript)"       in_dir ui npm run check
stage ui-test    "npm test (UI unit/component tests)"             in_dir ui npm test
stage ui-build   "npm run build (ui/dist, embedded by the app)"   in_dir ui npm run build
stage clippy     "cargo clippy --workspace --all-targets --features kith-server/aws -- -D warnings" \
                 cargo clippy --workspace --all-targets --features kith-server/aws -- -D warnings
# The sync server's store conformance suite, the sync convergence harness and one
# HTTP case (events across two instances) run on PostgreSQL too: a throwaway
# cluster in target/pg (scripts/pg.sh) exports KITH_TEST_POSTGRES_URL. Blobs on
# S3 (kith-server's `aws` feature) are tested against moto's S3 emulator
# (scripts/s3.sh), which exports KITH_TEST_S3_ENDPOINT. Here both are required:
# a case whose service did not start fails rather than skipping (a `cargo test`
# by hand skips it).
if [[ "$SELECTED" == *" cargo-test "* ]]; then
  export KITH_TEST_REQUIRE_SERVICES=1
  # shellcheck source=scripts/pg.sh
  source scripts/pg.sh
  kith_pg_start || echo "[pg] ERROR: no PostgreSQL test cluster; its cases will fail" >&2
  # shellcheck source=scripts/s3.sh
  source scripts/s3.sh
  kith_s3_start || echo "[s3] ERROR: no S3 emulator; the S3 blob case will fail" >&2
fi
# The e2e stage drives the binary this builds; its test-only `e2e-dialogs` feature lets
# WebDriver answer the native file dialogs (debug builds only; refused in release).
# The sync token's keychain test needs a Secret Service, which only a desktop session
# has: it runs again beside a private gnome-keyring (scripts/keyring.sh), same flags,
# so nothing is rebuilt.
CARGO_TEST=(cargo test --workspace --features kith/e2e-dialogs,kith-server/aws)
cargo_tests() {
  "${CARGO_TEST[@]}" || return $?
  if command -v gnome-keyring-daemon >/dev/null 2>&1 || [[ "${CI:-}" == "true" ]]; then
    bash scripts/keyring.sh "${CARGO_TEST[@]}" --lib the_token_lives_in_the_keychain -- --ignored
  else
    echo "[keyring] WARNING: no gnome-keyring here (scripts/setup.sh installs it): keychain test skipped; it fails on CI" >&2
  fi
}
stage cargo-test "${CARGO_TEST[*]}, then the keychain test beside gnome-keyring" cargo_tests
stage ipc-types  "generated IPC types are committed"              ipc_types_fresh
stage e2e        "end-to-end: target/debug/kith under Xvfb via tauri-driver" e2e

# ---------------------------------------------------------------------------------------
# One closing line with the tests counted over all runners (cargo test, vitest, node --test).
strip_ansi() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$@"; }
passed=0 failed=0
if [[ -f "$LOG_DIR/cargo-test.log" && "$SELECTED" == *" cargo-test "* ]]; then
  read -r p f < <(strip_ansi "$LOG_DIR/cargo-test.log" \
    | awk '/^test result: / { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
           END { print p + 0, f + 0 }')
  passed=$((passed + p)) failed=$((failed + f))
fi
if [[ -f "$LOG_DIR/ui-test.log" && "$SELECTED" == *" ui-test "* ]]; then
  # vitest: " Tests  41 passed | 1 skipped (42)"
  read -r p f < <(strip_ansi "$LOG_DIR/ui-test.log" \
    | awk '/^ *Tests +[0-9]/ { for (i = 1; i <= NF; i++) { if ($(i) == "passed") p += $(i-1); if ($(i) == "failed") f += $(i-1) } }
           END { print p + 0, f + 0 }')
  passed=$((passed + p)) failed=$((failed + f))
fi
if [[ -f "$LOG_DIR/e2e.log" && "$SELECTED" == *" e2e "* ]]; then
  # node --test: "ℹ pass 9" / "ℹ fail 0" (the last ones are the run's totals)
  read -r p f < <(strip_ansi "$LOG_DIR/e2e.log" \
    | awk '$1 == "ℹ" && $2 == "pass" { p = $3 } $1 == "ℹ" && $2 == "fail" { f = $3 } END { print p + 0, f + 0 }')
  passed=$((passed + p)) failed=$((failed + f))
fi

if [[ $# -gt 0 ]]; then banner "✓ passed: $*"; else banner "✓ all stages passed"; fi
print_timings
echo
echo "tests: $passed passed, $failed failed"
