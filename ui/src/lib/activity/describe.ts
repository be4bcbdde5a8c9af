// Words for one history entry. The core sends parts (kind, field, old/new, subject);
// the sentences live here so they read the same in the Overview and the Activity tab.
import type { ActivityEntry } from "../ipc/generated/ActivityEntry";
import { formatPhone } from "../shell/format";

export type Described = {
  /** The sentence: "Changed Email", "Completed task “Send the contract”". */
  text: string;
  /** Values before and after, for changes; `null` = empty. */
  change?: { old: string | null; new: string | null };
  /** A quote under the sentence (a note's opening words). */
  quote?: string;
};

const PHONE_FIELDS = new Set(["Mobile phone", "Home phone"]);
const SOURCES: Record<string, string> = {
  manual: "Added by hand",
  app: "Signed up in the app",
  demo: "Added as demo data",
};

const quoted = (s: string | null) => (s ? `“${s}”` : "");

function shown(field: string | null, value: string | null): string | null {
  if (value === null) return null;
  return field && PHONE_FIELDS.has(field) ? formatPhone(value) : value;
}

function fieldChange(e: ActivityEntry, ofTask = false): Described {
  const field = e.field ?? "a field";
  const change = { old: shown(e.field, e.old), new: shown(e.field, e.new) };
  const what = ofTask ? `${field} of task ${quoted(e.subject)}` : field;
  if (change.old === null) return { text: `Set ${what}`, change };
  if (change.new === null) return { text: `Cleared ${what}`, change };
  return { text: `Changed ${what}`, change };
}

/** An edit made elsewhere at the same time as a later one, which won the merge:
 *  the struck-through value is the one that lost, the other is the field's value. */
function superseded(e: ActivityEntry): Described {
  const what =
    e.group === "notes" ? "a note" : e.group === "tasks" ? `${e.field ?? "a field"} of task ${quoted(e.subject)}` : (e.field ?? "a field");
  const text = `Edit of ${what} not kept: a later edit won`;
  if (e.group === "notes") return { text, quote: e.subject ?? undefined };
  return { text, change: { old: shown(e.field, e.old), new: shown(e.field, e.new) } };
}

export function describe(e: ActivityEntry): Described {
  switch (e.kind) {
    case "user_created":
      if (e.subject === "import") return { text: e.import_file ? `Imported from ${e.import_file}` : "Imported from a file" };
      return { text: SOURCES[e.subject ?? ""] ?? "Added" };
    case "user_deleted":
      return { text: "Moved to the trash" };
    case "user_restored":
      return { text: "Restored from the trash" };
    case "field_changed":
      return fieldChange(e);
    case "note_added":
      return { text: "Added a note", quote: e.subject ?? undefined };
    case "note_edited":
      return { text: "Edited a note", quote: e.subject ?? undefined };
    case "note_pinned":
      return { text: "Pinned a note", quote: e.subject ?? undefined };
    case "note_unpinned":
      return { text: "Unpinned a note", quote: e.subject ?? undefined };
    case "note_deleted":
      return { text: "Deleted a note", quote: e.subject ?? undefined };
    case "note_restored":
      return { text: "Restored a note", quote: e.subject ?? undefined };
    case "task_created":
      return { text: `Created task ${quoted(e.subject)}` };
    case "task_completed":
      return { text: `Completed task ${quoted(e.subject)}` };
    case "task_reopened":
      return { text: `Reopened task ${quoted(e.subject)}` };
    case "task_changed":
      return fieldChange(e, true);
    case "task_deleted":
      return { text: `Deleted task ${quoted(e.subject)}` };
    case "task_restored":
      return { text: `Restored task ${quoted(e.subject)}` };
    case "file_added":
      return { text: `Attached ${e.subject ?? "a file"}` };
    case "file_renamed":
      return { text: "Renamed a file", change: { old: e.old, new: e.new } };
    case "file_deleted":
      return { text: `Deleted file ${e.subject ?? ""}`.trim() };
    case "file_restored":
      return { text: `Restored file ${e.subject ?? ""}`.trim() };
    case "edit_superseded":
      return superseded(e);
  }
}

/** "Today", "Yesterday", or the locale's long date: the feed's day headings. */
export function dayLabel(ms: number, now = new Date()): string {
  const day = new Date(ms);
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (ms >= startOfToday) return "Today";
  if (ms >= startOfToday - 86_400_000) return "Yesterday";
  const sameYear = day.getFullYear() === now.getFullYear();
  return new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(day);
}

export function clockTime(ms: number): string {
  return new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(ms);
}

/** Entries in runs of one day, newest first, as the feed shows them. */
export function byDay(entries: ActivityEntry[], now = new Date()): { day: string; entries: ActivityEntry[] }[] {
  const days: { day: string; entries: ActivityEntry[] }[] = [];
  for (const e of entries) {
    const day = dayLabel(e.at, now);
    const last = days.at(-1);
    if (last?.day === day) last.entries.push(e);
    else days.push({ day, entries: [e] });
  }
  return days;
}
