import type { StartupReport } from "../ipc/generated/StartupReport";
import type { StartupStep } from "../ipc/generated/StartupStep";

/** The report to show after `next` arrives: the latest by `seq`. The answer to the first
 * question and the events can reach the window in either order. */
export function settle(current: StartupReport | null, next: StartupReport): StartupReport {
  return current && current.seq >= next.seq ? current : next;
}

const ONCE = "This happens once after an update and takes longer on a large database. Please keep Kith open.";

/** What the window says while the open is at `step`. */
export function stepText(step: StartupStep | null): { title: string; detail: string | null } {
  switch (step) {
    case "waitingForWriter":
      return {
        title: "Waiting for another program to finish with your data…",
        detail: "An import from kith-cli, perhaps, or another copy of Kith. Kith opens as soon as it is done.",
      };
    case "upgrading":
      return { title: "Updating your data for this version of Kith…", detail: ONCE };
    case "reindexingUsers":
      return { title: "Rebuilding the search index of your users…", detail: ONCE };
    case "reindexingNotes":
      return { title: "Rebuilding the search index of your notes…", detail: ONCE };
    case "reindexingCustomValues":
      return { title: "Rebuilding the search index of your custom fields…", detail: ONCE };
    case null:
      return { title: "Opening your data…", detail: null };
  }
}
