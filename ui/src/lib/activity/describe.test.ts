import { describe as group, expect, it } from "vitest";
import type { ActivityEntry } from "../ipc/generated/ActivityEntry";
import { byDay, dayLabel, describe } from "./describe";

const entry = (over: Partial<ActivityEntry>): ActivityEntry => ({
  at: Date.now(),
  kind: "field_changed",
  group: "fields",
  field: null,
  old: null,
  new: null,
  subject: null,
  subject_id: null,
  actor: null,
  device: null,
  import_file: null,
  ...over,
});

group("activity wording", () => {
  it("shows an edit that lost the merge to a later one, and the value that stands", () => {
    expect(
      describe(entry({ kind: "edit_superseded", field: "First name", old: "Anna", new: "Annie", device: "Front desk PC" })),
    ).toEqual({ text: "Edit of First name not kept: a later edit won", change: { old: "Anna", new: "Annie" } });
    expect(describe(entry({ kind: "edit_superseded", group: "notes", subject: "Call back" }))).toEqual({
      text: "Edit of a note not kept: a later edit won",
      quote: "Call back",
    });
  });

  it("says what changed from what to what", () => {
    expect(describe(entry({ field: "Email", old: "a@x.com", new: "b@x.com" }))).toEqual({
      text: "Changed Email",
      change: { old: "a@x.com", new: "b@x.com" },
    });
    expect(describe(entry({ field: "Shoe size", new: "38" })).text).toBe("Set Shoe size");
    expect(describe(entry({ field: "Email", old: "a@x.com" })).text).toBe("Cleared Email");
  });

  it("formats phone numbers and names tasks and files", () => {
    const d = describe(entry({ field: "Mobile phone", old: null, new: "+12025550143" }));
    expect(d.change?.new).toMatch(/202/);
    expect(d.change?.new).not.toBe("+12025550143");
    expect(describe(entry({ kind: "task_completed", subject: "Send the contract" })).text).toBe(
      "Completed task “Send the contract”",
    );
    expect(describe(entry({ kind: "task_changed", field: "Due date", subject: "Call", old: "2025-03-01", new: "2025-03-04" })).text).toBe(
      "Changed Due date of task “Call”",
    );
    expect(describe(entry({ kind: "file_added", subject: "contract.pdf" })).text).toBe("Attached contract.pdf");
  });

  it("tells how a user came to be", () => {
    expect(describe(entry({ kind: "user_created", subject: "import", import_file: "fair.csv" })).text).toBe("Imported from fair.csv");
    expect(describe(entry({ kind: "user_created", subject: "manual" })).text).toBe("Added by hand");
    expect(describe(entry({ kind: "note_added", subject: "Called" })).quote).toBe("Called");
  });

  it("groups entries by day, today and yesterday by name", () => {
    const now = new Date(2026, 10, 22, 15, 0);
    const today = new Date(2026, 10, 22, 9, 0).getTime();
    const yesterday = new Date(2026, 10, 21, 23, 59).getTime();
    const older = new Date(2026, 10, 3, 12, 0).getTime();
    expect(dayLabel(today, now)).toBe("Today");
    expect(dayLabel(yesterday, now)).toBe("Yesterday");
    const days = byDay([entry({ at: today }), entry({ at: today - 1 }), entry({ at: yesterday }), entry({ at: older })], now);
    expect(days.map((d) => [d.day, d.entries.length])).toEqual([
      ["Today", 2],
      ["Yesterday", 1],
      [dayLabel(older, now), 1],
    ]);
  });
});
