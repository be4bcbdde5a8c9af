#!/usr/bin/env bash
# Build and open Kith on this machine (README: "run").
#   scripts/run.sh [app args…]     e.g. scripts/run.sh --data-dir /tmp/kith-demo
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/setup.sh
source scripts/setup.sh

# The app embeds ui/dist: rebuild it when anything it is built from is newer.
ui_dist_stale() {
  [[ -f ui/dist/index.html ]] || return 0
  local inputs=()
  local p
  for p in ui/src ui/public ui/index.html ui/package.json ui/package-lock.json \
           ui/vite.config.* ui/svelte.config.* ui/tsconfig*.json; do
    [[ -e "$p" ]] && inputs+=("$p")
  done
  [[ ${#inputs[@]} -eq 0 ]] && return 1
  [[ -n "$(find "${inputs[@]}" -newer ui/dist/index.html -print -quit 2>/dev/null)" ]]
}

if ui_dist_stale; then
  echo "[run] building the UI (ui/dist)" >&2
  (cd ui && npm run build)
else
  echo "[run] ui/dist is up to date" >&2
fi

exec cargo run -p kith --release -- "$@"
