// The desktop's sync state, as the Rust worker reports it: loaded once, then kept
// current by its `sync-status` events. `changes` counts batches of others' changes
// applied here, so views showing data refetch when it moves.
import { untrack } from "svelte";
import { api, type KithError } from "../ipc/api";
import { formatCount, sentence } from "../shell/format";
import type { SyncStatus } from "../ipc/generated/SyncStatus";

export const sync = $state<{ status: SyncStatus | null; changes: number }>({ status: null, changes: 0 });

/** The worker's events are followed once per window. */
let following = false;

function take(status: SyncStatus) {
  sync.status = status;
}

/** Loads the status and follows the worker's reports; call once at start. */
export async function startSync(): Promise<void> {
  if (!following) {
    following = true;
    await api.onSyncStatus(take);
    await api.onRemoteChanges(async () => {
      sync.changes += 1;
      // The worker reports a run's start and end; in between, each merged page says
      // how far a long first sync has come.
      if (sync.status?.state === "syncing") take(await api.syncStatus());
    });
  }
  take(await api.syncStatus());
}

/** Signs in; `fingerprint` trusts, for this server only, the office's own certificate
 *  authority the person compared (see `api.syncServerCertificate`). */
export async function signIn(server: string, email: string, password: string, workspace: string | null, fingerprint: string | null = null) {
  take(await api.syncLogin(server, email, password, workspace, fingerprint));
}

export async function signOut() {
  await api.syncLogout();
  take(await api.syncStatus());
}

export async function syncNow(): Promise<KithError | null> {
  try {
    await api.syncNow();
    take(await api.syncStatus());
    return null;
  } catch (e) {
    take(await api.syncStatus());
    return e as KithError;
  }
}

export type Light = "ok" | "busy" | "waiting" | "off" | "error";

/** The indicator's colour and words for a status: `label` for Settings and screen
 *  readers, `short` for the sidebar's narrow column. */
export function describeSync(s: SyncStatus): { light: Light; label: string; short: string; detail: string } {
  const waiting = Number(s.pending);
  const files = Number(s.files_waiting);
  const changes = waiting === 1 ? "1 change waiting" : `${waiting} changes waiting`;
  switch (s.state) {
    case "signed_out":
      return { light: "off", label: "Not syncing", short: "Local only", detail: "This computer keeps its data to itself. Sign in to a Kith server in Settings to share it." };
    case "synced":
      return {
        light: "ok",
        short: files > 0 ? `Synced · ${files} file${files === 1 ? "" : "s"}` : "Synced",
        label: files > 0 ? `Synced · ${files} file${files === 1 ? "" : "s"} to transfer` : "Synced",
        detail: s.server_url ? `Up to date with ${s.server_url}` : "Up to date",
      };
    case "syncing":
      return { light: "busy", label: "Syncing…", short: "Syncing", detail: syncingDetail(s, waiting > 0 ? changes : null) };
    case "pending":
      return { light: "waiting", label: changes, short: `${waiting} waiting`, detail: "Sent at the next sync" };
    case "offline":
      return {
        light: "waiting",
        label: waiting > 0 ? `Offline · ${changes}` : "Offline",
        short: "Offline",
        detail: "The server can't be reached. Everything keeps working here and is sent when it's back.",
      };
    case "error":
      return { light: "error", label: "Sync problem", short: "Sync problem", detail: s.error ? sentence(s.error) : "The last sync failed." };
  }
}

/** What a sync under way is doing: loading the office's data (a new desktop's first
 *  sync), with how much has come so far, or sending and fetching the latest. */
function syncingDetail(s: SyncStatus, waiting: string | null): string {
  const received = Number(s.received);
  if (s.loading_snapshot) {
    return received > 0
      ? `Loading the office's data: ${formatCount(received)} records so far`
      : "Loading the office's data";
  }
  if (received > 0) return `Fetching others' changes: ${formatCount(received)} so far`;
  return waiting ?? "Fetching others' changes";
}

/** Calls `reload` whenever others' changes were merged here; for use while a component
 *  initialises. `reload` should refetch in place, without a spinner: the person may be
 *  reading or typing. */
export function refetchOnRemoteChanges(reload: () => void) {
  let seen = untrack(() => sync.changes);
  $effect(() => {
    const now = sync.changes;
    if (now === seen) return;
    seen = now;
    untrack(reload);
  });
}
