#!/usr/bin/env bash
# Runs a command beside a real Secret Service: a private D-Bus session with
# gnome-keyring, its login keyring created and unlocked in a throwaway directory.
# A Linux desktop session has one; CI has none, so this is how the keychain path
# of the sync credentials gets tested (KITH_TEST_SECRET_SERVICE=1 tells the test).
#
#   bash scripts/keyring.sh cargo test -p kith-core --lib keychain -- --ignored
set -euo pipefail
for tool in dbus-run-session gnome-keyring-daemon gdbus; do
  command -v "$tool" >/dev/null 2>&1 || { echo "keyring.sh: $tool not found: run scripts/setup.sh" >&2; exit 1; }
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kith-keyring.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# The keyring files and the daemon's socket stay inside WORK, never in the home directory.
export XDG_DATA_HOME="$WORK/data" XDG_RUNTIME_DIR="$WORK/run" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CACHE_HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
# The daemon leaves with the session bus when the command ends.
dbus-run-session -- bash -c '
  set -euo pipefail
  # eval of a failed command substitution would not stop the script: check first.
  env=$(printf "kith-test" | gnome-keyring-daemon --unlock --components=secrets) \
    || { echo "keyring.sh: gnome-keyring-daemon did not start" >&2; exit 1; }
  eval "$env"
  # Ask the Secret Service itself (the bus may start it on demand): the test then
  # fails on the keychain, not on a missing service.
  gdbus introspect --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets >/dev/null \
    || { echo "keyring.sh: no Secret Service on the session bus" >&2; exit 1; }
  export KITH_TEST_SECRET_SERVICE=1
  "$@"
' keyring "$@"
