// Ways into the import: the Plus menu, files dropped on the window (from any view), and
// what the app does with the list once an import is kept or undone.
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { DroppedFile } from "./lib/ipc/generated/DroppedFile";
import type { ImportReport } from "./lib/ipc/generated/ImportReport";
import { toasts } from "./lib/shell/toasts.svelte";
import { callsOf, serve, summary } from "./lib/testing/ipc";
import { emitEvent, listenerCount } from "./lib/testing/tauri";

vi.mock("@tauri-apps/api/core", async () => ({ invoke: vi.fn(), Channel: (await import("./lib/testing/tauri")).FakeChannel }));
vi.mock("@tauri-apps/api/event", async () => ({ listen: (await import("./lib/testing/tauri")).fakeListen }));

const CSV = { token: "tok-csv", name: "customers.csv", size_bytes: 120 };
const dropped = (name: string, extra: Partial<DroppedFile> = {}): DroppedFile => ({
  name,
  file: { token: `tok-${name}`, name, size_bytes: 10 },
  error: null,
  ...extra,
});

const PREVIEW = {
  file_name: "customers.csv", format: "csv", size_bytes: 120, encoding: "utf8", detected_encoding: "utf8", delimiter: ",", titles: [], groups: [], sheet: null, sheets: [], headers: ["Name"], samples: [["Ada Byron"]],
  mapping: [{ kind: "full_name" }], mapping_source: "auto",
  rows: [{ row: 2, errors: [], user: { kith_id: null, first_name: "Ada", last_name: "Byron", email: null, mobile_phone: null, home_phone: null, app_user_id: null, stripe_customer_id: null, teams: [], address: null, created_at: null, custom_values: [], photo: null, photo_link: false } }],
};
const CLEAN: ImportReport = { batch_id: null, created: 1, updated: 0, skipped: 0, unchanged: 0, failed: 0, to_fix: 0, errors: [], new_teams: 0, new_team_names: [], photos: 0, photo_links: 0, committed: false };

/** Two users, then three once the import has run. */
function serveApp() {
  let imported = false;
  return serve({
    list_users: ({ offset }) => {
      const rows = imported ? [summary(1), summary(2), summary(3, { first_name: "Ada", last_name: "Byron" })] : [summary(1), summary(2)];
      return { total: rows.length, offset, rows };
    },
    choose_import_file: () => CSV,
    preview_import: () => PREVIEW,
    run_import: ({ request }) => {
      if (request.dry_run) return CLEAN;
      imported = true;
      return { ...CLEAN, batch_id: "b1", committed: true };
    },
    undo_import: ({ batch_id }) => {
      imported = false;
      return { batch_id, removed: 1, reverted: 0 };
    },
  });
}

async function drop(files: DroppedFile[]) {
  await waitFor(() => expect(listenerCount("files-dropped")).toBe(1));
  emitEvent("files-dropped", { files, position: null });
}

describe("Import entry points", () => {
  beforeEach(() => {
    toasts.length = 0;
  });

  it("Plus → Import CSV… imports, then the list and its count show the new user; Undo takes it away again", async () => {
    const user = userEvent.setup();
    serveApp();
    render(App);
    await screen.findByText("2 users");

    await user.click(screen.getByTestId("add-user"));
    // The menu is keyboard-driven: Add user has focus, ArrowDown reaches Import CSV.
    await user.keyboard("{ArrowDown}");
    expect(document.activeElement).toBe(screen.getByTestId("menu-import-csv"));
    await user.keyboard("{Enter}");
    await user.click(await screen.findByTestId("import-choose-file"));
    await user.click(await screen.findByTestId("import-next"));
    await user.click(screen.getByTestId("import-dry-run"));
    await user.click(await screen.findByTestId("import-run"));
    await screen.findByTestId("import-done");

    expect(await screen.findByText("3 users")).toBeTruthy();
    expect(screen.getAllByTestId("user-row").map((r) => r.textContent)).toContainEqual(expect.stringContaining("Ada Byron"));

    await user.click(screen.getByTestId("import-undo"));
    await user.click(screen.getByTestId("import-undo-confirm"));
    expect(await screen.findByText("2 users")).toBeTruthy();
    await user.click(screen.getByTestId("import-done"));
    expect(screen.queryByTestId("import-dialog")).toBeNull();
    expect(callsOf("undo_import").map((c) => c.batch_id)).toEqual(["b1"]);
  });

  it("shows the drop overlay while files hover over the window", async () => {
    serveApp();
    render(App);
    await waitFor(() => expect(listenerCount("drag-hover")).toBe(1));

    emitEvent("drag-hover", true);
    expect((await screen.findByTestId("drop-overlay")).textContent).toContain("Drop a CSV, Excel or vCard file to import");
    emitEvent("drag-hover", false);
    await waitFor(() => expect(screen.queryByTestId("drop-overlay")).toBeNull());
  });

  it("a dropped folder is refused in a toast, with the core's reason", async () => {
    serveApp();
    render(App);
    await screen.findByText("2 users");

    await drop([{ name: "Photos", file: null, error: "Photos is a folder — drop or choose a CSV file inside it" }]);

    await waitFor(() => expect(toasts.map((t) => [t.message, t.tone])).toEqual([["Photos is a folder — drop or choose a CSV file inside it", "error"]]));
    expect(screen.queryByTestId("import-dialog")).toBeNull();
    expect(callsOf("preview_import")).toEqual([]);
  });

  it("a dropped PDF is refused; a dropped CSV opens the import at its columns, from any view", async () => {
    const user = userEvent.setup();
    serveApp();
    render(App);
    await screen.findByText("2 users");
    await drop([dropped("invoice.pdf")]);
    await waitFor(() => expect(toasts.map((t) => t.message)).toEqual(["Only CSV, Excel and vCard files can be imported — invoice.pdf is a .pdf"]));

    await user.click(screen.getByTestId("nav-settings"));
    await drop([dropped("customers.csv"), dropped("notes.txt"), dropped("invoice.pdf")]);

    await screen.findByTestId("import-mapping");
    expect(callsOf("preview_import")).toEqual([{ token: "tok-customers.csv", mapping: null, encoding: null, sheet: null }]);
    expect(toasts.at(-1)?.message).toBe("Importing customers.csv — one file at a time, so notes.txt, invoice.pdf were left out");
    expect(screen.getByTestId("user-search")).toBeTruthy();
  });

  it("a second CSV dropped on the open dialog replaces the first", async () => {
    serveApp();
    render(App);
    await screen.findByText("2 users");
    await drop([dropped("first.csv")]);
    await screen.findByTestId("import-mapping");

    emitEvent("files-dropped", { files: [dropped("second.csv")], position: null });

    await waitFor(() => expect(callsOf("preview_import").map((c) => c.token)).toEqual(["tok-first.csv", "tok-second.csv"]));
    expect(screen.getAllByTestId("import-dialog")).toHaveLength(1);
    expect(await within(screen.getByTestId("import-dialog")).findByTestId("import-mapping")).toBeTruthy();
  });
});
