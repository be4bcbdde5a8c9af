#!/usr/bin/env bash
# Make a Debian/Ubuntu machine ready to build, run and test Kith.
#
# Idempotent and fast when nothing changed (a few seconds): every step checks first
# and only installs what is missing or out of date.
#
#   bash scripts/setup.sh          # run on its own
#   source scripts/setup.sh        # from scripts/run.sh and scripts/test.sh (keeps PATH)
#
# Environment:
#   CI=true                   never prompt (sudo -n, apt -y, npm ci quiet)
#   KITH_SKIP_SETUP=1         skip everything (you know the machine is ready)
#   KITH_EXTRA_APT_PACKAGES   space-separated extra Debian packages to ensure
set -euo pipefail

KITH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the desktop build, the headless e2e run and the scripts need.
KITH_APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  webkit2gtk-driver xvfb xauth dbus imagemagick sqlite3
  # Real drags from the desktop in the e2e tests: a GTK drag source, moved by xdotool.
  xdotool python3-gi gir1.2-gtk-3.0
  build-essential pkg-config libssl-dev curl
)

# Extra Debian packages of later features: PostgreSQL, the sync server's second
# backend, whose tests run on a throwaway cluster (scripts/pg.sh). Print one package
# name per line. KITH_EXTRA_APT_PACKAGES adds more without editing this file.
kith_extra_apt_packages() {
  echo postgresql
  echo postgresql-client
  # The S3 emulator the server's S3 blob test runs against (scripts/s3.sh).
  echo python3-venv
  # A Secret Service for the sync token's keychain test (scripts/keyring.sh).
  echo gnome-keyring
  local p
  for p in ${KITH_EXTRA_APT_PACKAGES:-}; do echo "$p"; done
}

KITH_MIN_NODE_MAJOR=20

kith_log() { printf '[setup] %s\n' "$*" >&2; }
kith_die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
kith_as_root() {
  if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [[ "${CI:-}" == "true" ]]; then sudo -n "$@"; else sudo "$@"; fi
  else
    kith_die "need root to run: $* (run as root or install sudo)"
  fi
}

kith_apt_install() {
  # Waits for another apt/dpkg (e.g. unattended-upgrades) instead of failing on its lock.
  kith_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=900 -y -q install --no-install-recommends "$@"
}

kith_apt_update_done=0
kith_apt_update() {
  if [[ $kith_apt_update_done -eq 0 ]]; then
    kith_log "apt-get update"
    kith_as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -q update
    kith_apt_update_done=1
  fi
}

# Print the packages of "$@" that are not installed (one dpkg-query call for all).
kith_missing_packages() {
  local installed
  installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null \
    | awk '$2 == "installed" { print $1 }' || true)"
  local p
  for p in "$@"; do
    grep -qxF "$p" <<<"$installed" || echo "$p"
  done
}

kith_setup_apt() {
  command -v dpkg-query >/dev/null 2>&1 \
    || kith_die "this script supports Debian/Ubuntu (dpkg/apt); install the equivalent of: ${KITH_APT_PACKAGES[*]}"
  local wanted=("${KITH_APT_PACKAGES[@]}")
  local extra
  while IFS= read -r extra; do [[ -n "$extra" ]] && wanted+=("$extra"); done < <(kith_extra_apt_packages)
  local missing
  mapfile -t missing < <(kith_missing_packages "${wanted[@]}")
  if [[ ${#missing[@]} -gt 0 ]]; then
    kith_log "installing Debian packages: ${missing[*]}"
    kith_apt_update
    kith_apt_install "${missing[@]}"
  fi
}

kith_setup_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    kith_die "no Rust toolchain (cargo) found on PATH or in ~/.cargo/bin.
  Install it with rustup (https://rustup.rs):
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    source \"\$HOME/.cargo/env\"
  then run this command again."
  fi
  # Make sure binaries installed by `cargo install` (tauri-driver) are found.
  case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$PATH:$HOME/.cargo/bin" ;; esac
  local comp
  for comp in fmt clippy; do
    if ! cargo "$comp" --version >/dev/null 2>&1; then
      local name=$comp; [[ $comp == fmt ]] && name=rustfmt
      if command -v rustup >/dev/null 2>&1 && [[ "${CI:-}" != "true" ]]; then
        kith_log "adding the Rust component $name"
        rustup component add "$name" || kith_die "could not add the Rust component $name: run 'rustup component add $name'"
      else
        kith_die "the Rust component '$name' (cargo $comp) is missing: run 'rustup component add $name'"
      fi
    fi
  done
}

kith_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

kith_setup_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    kith_log "installing Debian's nodejs and npm"
    kith_apt_update
    kith_apt_install nodejs npm
  fi
  local major
  major="$(kith_node_major)"
  if [[ "$major" -lt $KITH_MIN_NODE_MAJOR ]]; then
    kith_die "Node.js >= $KITH_MIN_NODE_MAJOR is required, found $(node --version 2>/dev/null || echo none) at $(command -v node || echo '?').
  This distribution's nodejs is too old: install Node $KITH_MIN_NODE_MAJOR+ (e.g. Debian 13's nodejs,
  the NodeSource packages, or nvm) and put it first on PATH."
  fi
}

# npm ci in "$1" only when its package-lock.json (or the Node major) changed since the
# last install. The stamp lives inside node_modules, so deleting node_modules resets it.
# Further arguments go to npm (e.g. --ignore-scripts).
kith_npm_ci() {
  local name=$1; shift
  local dir="$KITH_ROOT/$name"
  [[ -f "$dir/package.json" ]] || { kith_log "skip npm install in $name: no package.json yet"; return 0; }
  local stamp="$dir/node_modules/.kith-install-stamp"
  local want
  if [[ -f "$dir/package-lock.json" ]]; then
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) node$(kith_node_major)"
  else
    want="no-lock node$(kith_node_major)"
  fi
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  local npm_flags=(--no-audit --no-fund "$@")
  [[ "${CI:-}" == "true" ]] && npm_flags+=(--loglevel=warn)
  if [[ -f "$dir/package-lock.json" ]]; then
    kith_log "npm ci in $name (package-lock.json changed)"
    local err
    err="$(mktemp)"
    if ! (cd "$dir" && npm ci "${npm_flags[@]}" 2>"$err"); then
      if grep -q "package.json and package-lock.json or npm-shrinkwrap.json are in sync" "$err"; then
        # The registry this machine reaches lacks some platform-specific optional packages
        # (e.g. @rollup/rollup-android-arm-eabi), so no lock written here lists them and
        # `npm ci` refuses it. `npm install --no-save` installs the locked versions for this
        # platform and leaves package-lock.json untouched.
        kith_log "WARNING: npm ci refused $name/package-lock.json ($(grep -m1 -o 'Missing: [^ ]*' "$err" || echo 'out of sync')); using npm install --no-save"
        rm -f "$err"
        (cd "$dir" && npm install --no-save "${npm_flags[@]}")
      else
        cat "$err" >&2
        rm -f "$err"
        kith_die "npm ci failed in $name"
      fi
    else
      grep -v 'Unknown user config' "$err" >&2 || true
      rm -f "$err"
    fi
  else
    kith_log "WARNING: $name/package-lock.json is missing; running npm install (commit the lock file it writes)"
    (cd "$dir" && npm install "${npm_flags[@]}")
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) node$(kith_node_major)"
  fi
  mkdir -p "$dir/node_modules"
  printf '%s' "$want" >"$stamp"
}

kith_tauri_driver_ok() {
  command -v tauri-driver >/dev/null 2>&1 || return 1
  # tauri-driver 2.x has no --version flag; ask cargo what it installed, and accept a
  # --version output too in case a later release adds it.
  cargo install --list 2>/dev/null | grep -qE '^tauri-driver v2\.' && return 0
  tauri-driver --version 2>/dev/null | grep -qE '(^| |v)2\.' && return 0
  return 1
}

kith_setup_tauri_driver() {
  if ! kith_tauri_driver_ok; then
    kith_log "installing tauri-driver 2.x (cargo install, about a minute)"
    cargo install tauri-driver --version '^2' --locked
    kith_tauri_driver_ok || kith_die "tauri-driver 2.x still not found after cargo install (is ~/.cargo/bin on PATH?)"
  fi
  [[ -x /usr/bin/WebKitWebDriver ]] || command -v WebKitWebDriver >/dev/null 2>&1 \
    || kith_die "WebKitWebDriver not found (Debian package webkit2gtk-driver)"
}

kith_setup() {
  if [[ "${KITH_SKIP_SETUP:-}" == "1" ]]; then
    kith_setup_rust   # still put cargo on PATH
    return 0
  fi
  local t0=$SECONDS
  kith_setup_apt
  kith_setup_rust
  kith_setup_node
  kith_npm_ci ui
  # The e2e client needs no install scripts (webdriverio's optional driver downloaders
  # for Firefox/Edge would only try the network).
  kith_npm_ci tests/e2e --ignore-scripts
  kith_setup_tauri_driver
  kith_log "machine ready ($((SECONDS - t0)) s)"
}

kith_setup
