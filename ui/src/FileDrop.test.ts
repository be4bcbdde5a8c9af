// Files dropped on a user's row or profile are attached to that user; a CSV dropped on a
// row, or anything dropped elsewhere, still goes to the import.
import { render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { DroppedFile } from "./lib/ipc/generated/DroppedFile";
import { toasts } from "./lib/shell/toasts.svelte";
import { attachment, callsOf, serve, summary } from "./lib/testing/ipc";
import { emitEvent, listenerCount } from "./lib/testing/tauri";

vi.mock("@tauri-apps/api/core", async () => ({ invoke: vi.fn(), Channel: (await import("./lib/testing/tauri")).FakeChannel }));
vi.mock("@tauri-apps/api/event", async () => ({ listen: (await import("./lib/testing/tauri")).fakeListen }));

const dropped = (name: string): DroppedFile => ({ name, file: { token: `tok-${name}`, name, size_bytes: 10 }, error: null });
const folder: DroppedFile = { name: "Photos", file: null, error: "Photos is a folder — drop or choose the files inside it" };

describe("Dropping files on a user", () => {
  const original = document.elementFromPoint;
  beforeEach(() => {
    toasts.length = 0;
    serve({
      list_users: ({ offset }) => ({ total: 2, offset, rows: [summary(1, { first_name: "Zoë", last_name: "Müller" }), summary(2)] }),
      attach_files: ({ tokens }) => ({ attached: tokens.map((_: string, i: number) => attachment(i)), failed: [] }),
      preview_import: () => Promise.reject({ kind: "validation", message: "stop here", field: null }),
    });
  });
  afterEach(() => {
    document.elementFromPoint = original;
  });

  /** jsdom has no layout: the point "lands" on the row of user `id`. */
  async function overRow(id: string | null) {
    render(App);
    const rows = await screen.findAllByTestId("user-row");
    const row = rows.find((r) => r.dataset.userId === id) ?? null;
    document.elementFromPoint = () => row;
    await waitFor(() => expect(listenerCount("files-dropped")).toBe(1));
    return row;
  }

  it("highlights the row under the drag and attaches the files to that user, importing the CSV", async () => {
    const row = await overRow("u1");
    emitEvent("drag-hover", true);
    emitEvent("drag-over", { x: 10, y: 10 });
    await waitFor(() => expect(row?.dataset.dropActive).toBe(""));
    expect((await screen.findByTestId("drop-attach-hint")).textContent).toContain("Zoë Müller");

    emitEvent("files-dropped", { files: [dropped("contract.pdf"), folder, dropped("people.csv")], position: { x: 10, y: 10 } });
    await waitFor(() => expect(callsOf("attach_files")).toEqual([{ user_id: "u1", tokens: ["tok-contract.pdf"] }]));
    await waitFor(() => expect(toasts.map((t) => t.message)).toEqual(["Attached 1 file to Zoë Müller", "Not attached: Photos is a folder — drop or choose the files inside it"]));
    expect(row?.dataset.dropActive).toBeUndefined();
    await waitFor(() => expect(callsOf("preview_import")).toEqual([{ token: "tok-people.csv", mapping: null, encoding: null, sheet: null }]));
  });

  it("says over a row that a CSV, Excel or vCard file dropped there is imported, not attached", async () => {
    await overRow("u1");
    emitEvent("drag-files", ["contacts.vcf"]);
    emitEvent("drag-hover", true);
    emitEvent("drag-over", { x: 10, y: 10 });
    await waitFor(() => expect(screen.getByTestId("drop-attach-hint").textContent?.trim()).toBe("Drop to import contacts.vcf"));
    emitEvent("drag-hover", false);
    emitEvent("drag-files", ["contract.pdf", "scan.png", "people.csv"]);
    emitEvent("drag-hover", true);
    emitEvent("drag-over", { x: 10, y: 10 });
    await waitFor(() =>
      expect(screen.getByTestId("drop-attach-hint").textContent?.trim()).toBe("Drop to attach 2 files to Zoë Müller and import people.csv"),
    );
  });

  it("imports as before when the drop lands on no user", async () => {
    await overRow(null);
    emitEvent("files-dropped", { files: [dropped("people.csv")], position: { x: 10, y: 10 } });
    await waitFor(() => expect(callsOf("preview_import")).toHaveLength(1));
    expect(callsOf("attach_files")).toEqual([]);
  });
});
