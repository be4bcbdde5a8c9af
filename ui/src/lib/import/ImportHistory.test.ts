import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ImportRecord } from "../ipc/generated/ImportRecord";
import { toasts } from "../shell/toasts.svelte";
import { callsOf, serve } from "../testing/ipc";
import type { FakeChannel } from "../testing/tauri";
import ImportHistory from "./ImportHistory.svelte";

vi.mock("@tauri-apps/api/core", async () => ({ invoke: vi.fn(), Channel: (await import("../testing/tauri")).FakeChannel }));

const HOUR = 3_600_000;
function record(batch_id: string, file_name: string, overrides: Partial<ImportRecord> = {}): ImportRecord {
  return {
    batch_id,
    file_name,
    finished_at: Date.now() - HOUR,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    new_teams: 0,
    new_fields: 0,
    undone_at: null,
    keeps_later_edits: true,
    ...overrides,
  };
}

const rows = () => screen.getAllByTestId("import-record");

describe("Settings: imports", () => {
  it("lists the imports made here with what each did; one undone says so, one that wrote nobody offers nothing", async () => {
    serve({
      list_imports: () => [
        record("b2", "fair visitors.csv", { created: 1204, updated: 3, failed: 2 }),
        record("b1", "customers.csv", { created: 5, undone_at: Date.now() - 600_000 }),
        record("b0", "already here.csv", { skipped: 4 }),
      ],
    });
    render(ImportHistory, { onChanged: () => {} });
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(callsOf("list_imports"), "one more than shown: to know whether older ones exist").toEqual([{ limit: 21 }]);
    expect(rows()[0].textContent).toContain("fair visitors.csv");
    expect(rows()[0].textContent).toContain("1,204 created · 3 updated · 2 rejected");
    expect(within(rows()[0]).getByTestId("import-record-undo")).toBeTruthy();
    expect(within(rows()[1]).getByTestId("import-record-undone").textContent).toMatch(/^Undone /);
    expect(within(rows()[1]).queryByTestId("import-record-undo")).toBeNull();
    expect(within(rows()[2]).queryByTestId("import-record-undo"), "nothing to undo").toBeNull();
  });

  it("says what to do when there is no import yet", async () => {
    serve({ list_imports: () => [] });
    render(ImportHistory, { onChanged: () => {} });
    expect((await screen.findByTestId("imports")).textContent).toContain("No imports yet. Import a CSV, Excel or vCard file from the + menu in Users");
  });

  it("undoes an import after asking, with progress, then tells the user list and shows what it did", async () => {
    const user = userEvent.setup();
    let undone = false;
    let channel: FakeChannel<{ rows: number; fraction: number }> | null = null;
    let finish: (v: unknown) => void = () => {};
    serve({
      list_imports: () => [record("b2", "fair visitors.csv", { created: 3, updated: 1, new_teams: 1, undone_at: undone ? Date.now() : null })],
      undo_import: (args: { batch_id: string; on_progress: FakeChannel<{ rows: number; fraction: number }> }) => {
        channel = args.on_progress;
        return new Promise((resolve) => (finish = resolve));
      },
    });
    const onChanged = vi.fn();
    render(ImportHistory, { onChanged });
    await user.click(await screen.findByTestId("import-record-undo"));
    const dialog = screen.getByTestId("import-record-dialog");
    expect(dialog.getAttribute("aria-modal"), "an undo holds the database: nothing else is done meanwhile").toBe("true");
    expect(dialog.querySelector("h2")!.textContent).toBe("Undo the import of fair visitors.csv?");
    expect(screen.getByTestId("import-record-question").textContent).toContain(
      "3 users it created go to the trash (even if edited since) and 1 user it updated gets their previous values back (values changed since stay). The team it created goes too, unless someone uses it.",
    );
    expect(document.activeElement, "the safe choice first").toBe(within(dialog).getByText("Keep the import"));

    await user.click(screen.getByTestId("import-record-undo-confirm"));
    expect(callsOf("undo_import")[0].batch_id).toBe("b2");
    await waitFor(() => expect(channel).not.toBeNull());
    channel!.onmessage({ rows: 2, fraction: 0.5 });
    await waitFor(() => expect(screen.getByTestId("import-record-progress-detail").textContent).toBe("2 of 4 users"));
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("import-record-dialog"), "Escape does not leave an undo half-watched").toBeTruthy();
    expect(onChanged).not.toHaveBeenCalled();

    undone = true;
    finish({ batch_id: "b2", removed: 2, reverted: 1, kept: 2, teams_removed: 1, fields_removed: 0, already_deleted: 1 });
    await waitFor(() =>
      expect(screen.getByTestId("import-record-undone-report").textContent).toContain(
        "Undone: 2 new users were moved to the trash and 1 updated user has their previous values back (1 other was in the trash already). 2 values someone changed since the import were kept. 1 team it created was removed too, as nobody uses it.",
      ),
    );
    expect(onChanged).toHaveBeenCalledOnce();
    expect(document.activeElement!.textContent).toBe("Done");
    await waitFor(() => expect(screen.getByTestId("import-record-undone").textContent).toMatch(/^Undone /));
    await user.click(document.activeElement as HTMLElement);
    expect(screen.queryByTestId("import-record-dialog")).toBeNull();
  });

  it("a failed undo says why and lists the imports as they are now", async () => {
    const user = userEvent.setup();
    let calls = 0;
    serve({
      list_imports: () => [record("b2", "fair.csv", { created: 2, undone_at: calls++ > 0 ? Date.now() : null })],
      undo_import: () => Promise.reject({ kind: "validation", field: null, message: "import batch b2 was already undone" }),
    });
    render(ImportHistory, { onChanged: () => {} });
    await user.click(await screen.findByTestId("import-record-undo"));
    await user.click(screen.getByTestId("import-record-undo-confirm"));
    await waitFor(() => expect(screen.getByTestId("import-record-undone").textContent).toMatch(/^Undone /));
    expect(screen.queryByTestId("import-record-dialog")).toBeNull();
    expect(toasts.at(-1)?.message).toContain("already undone");
  });

  it("keeps the list when reading it again fails", async () => {
    const user = userEvent.setup();
    let calls = 0;
    serve({
      list_imports: () => (calls++ > 0 ? Promise.reject({ kind: "io", field: null, message: "disk error" }) : [record("b1", "a.csv", { created: 1 })]),
      undo_import: () => Promise.reject({ kind: "io", field: null, message: "disk error" }),
    });
    render(ImportHistory, { onChanged: () => {} });
    await user.click(await screen.findByTestId("import-record-undo"));
    await user.click(screen.getByTestId("import-record-undo-confirm"));
    await waitFor(() => expect(calls).toBe(2));
    expect(rows()).toHaveLength(1);
    expect(screen.getByTestId("imports").textContent).not.toContain("No imports yet");
  });
});
