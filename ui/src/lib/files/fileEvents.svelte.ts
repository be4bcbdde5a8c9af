// Files attached from outside a tab (a drop on the profile or on a list row), or arriving
// from another computer, must show up in the Files and Media tabs already open: each
// user's file list has a version they watch.
import { sync } from "../sync/sync.svelte";

const versions = $state<Record<string, number>>({});

/** The version of `userId`'s files; read it in an effect to reload when it changes. */
export const filesVersion = (userId: string) => (versions[userId] ?? 0) + sync.changes;

export function filesChanged(userId: string) {
  versions[userId] = (versions[userId] ?? 0) + 1;
}
