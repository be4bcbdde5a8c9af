import { describe, expect, it } from "vitest";
import type { ImportUndoReport } from "../ipc/generated/ImportUndoReport";
import { sinceText, undoneText } from "./undoText";

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
  it("say what happens to changes made since: kept, or set back for an import that cannot tell them apart", () => {
    expect(sinceText({ created: 0, updated: 2, keeps_later_edits: true })).toBe("Values someone has changed since the import stay as they are.");
    expect(sinceText({ created: 0, updated: 2, keeps_later_edits: false })).toBe("Values someone has changed since the import are set back too.");
    expect(sinceText({ created: 1, updated: 0, keeps_later_edits: true })).toBe("The user it created goes even if edited since.");
    expect(sinceText({ created: 0, updated: 0, keeps_later_edits: true })).toBe("");
  });

  it("say what was kept, also when nothing else was left to put back", () => {
    expect(undoneText(report({ reverted: 3, kept: 1 }))).toBe(
      "Undone: 3 updated users have their previous values back. 1 value someone changed since the import was kept.",
    );
    expect(undoneText(report({ kept: 2 }))).toBe("Undone: nothing was left to put back. 2 values someone changed since the import were kept.");
    expect(undoneText(report({}))).toBe("Undone: 0 new users were moved to the trash.");
  });
});
