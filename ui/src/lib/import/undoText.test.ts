import { describe, expect, it } from "vitest";
import type { ImportUndoReport } from "../ipc/generated/ImportUndoReport";
import { undoneText, undoQuestion } from "./undoText";

const report = (over: Partial<ImportUndoReport>): ImportUndoReport => ({
  batch_id: "b",
  removed: 0,
  reverted: 0,
  kept: 0,
  teams_removed: 0,
  fields_removed: 0,
  already_deleted: 0,
  ...over,
});

describe("undo texts", () => {
  it("ask, long after the import, with what happens to changes made since: kept, or set back by an import that cannot tell them apart", () => {
    const done = { created: 0, updated: 2, new_teams: 0 };
    expect(undoQuestion(done, { keeps_later_edits: true })).toBe("2 users it updated get their previous values back (values changed since stay).");
    expect(undoQuestion(done, { keeps_later_edits: false })).toBe("2 users it updated get their previous values back (values changed since too).");
    expect(undoQuestion({ created: 1, updated: 0, new_teams: 0 }, { keeps_later_edits: true })).toBe("1 user it created goes to the trash (even if edited since).");
    expect(undoQuestion(done), "right after the import: nothing changed since").toBe("2 users it updated get their previous values back.");
  });

  it("say what was kept, also when nothing else was left to put back", () => {
    expect(undoneText(report({ reverted: 3, kept: 1 }))).toBe(
      "Undone: 3 updated users have their previous values back. 1 value someone changed since the import was kept.",
    );
    expect(undoneText(report({ kept: 2 }))).toBe("Undone: nothing was left to put back. 2 values someone changed since the import were kept.");
    expect(undoneText(report({}))).toBe("Undone: 0 new users were moved to the trash.");
  });
});
