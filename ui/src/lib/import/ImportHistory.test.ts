import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ImportRecord } from "../ipc/generated/ImportRecord";
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
    expect(callsOf("list_imports")).toEqual([{ limit: 20 }]);
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
    const confirmation = screen.getByTestId("import-record-confirmation");
    expect(confirmation.textContent).toContain(
      "Undo the import of fair visitors.csv? 3 users it created go to the trash and 1 user it updated gets their previous values back. The team it created goes too, unless someone uses it. Fields it changed get the values they had before it, even if someone has edited them since.",
    );
    expect(document.activeElement).toBe(screen.getByTestId("import-record-undo-confirm"));

    await user.click(screen.getByTestId("import-record-undo-confirm"));
    expect(callsOf("undo_import")[0].batch_id).toBe("b2");
    await waitFor(() => expect(channel).not.toBeNull());
    channel!.onmessage({ rows: 2, fraction: 0.5 });
    await waitFor(() => expect(screen.getByTestId("import-record-progress-detail").textContent).toBe("2 of 4 users"));
    expect(onChanged).not.toHaveBeenCalled();

    undone = true;
    finish({ batch_id: "b2", removed: 3, reverted: 1, teams_removed: 1, fields_removed: 0 });
    await waitFor(() => expect(screen.getByTestId("import-record-undone-report").textContent).toContain(
      "Undone: 3 new users were moved to the trash and 1 updated user has their previous values back. 1 team it created was removed too, as nobody uses it.",
    ));
    expect(onChanged).toHaveBeenCalledOnce();
    expect(screen.getByTestId("import-record-undone").textContent).toMatch(/^Undone /);
    expect(screen.queryByTestId("import-record-confirmation")).toBeNull();
  });
});
