import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ExportRequest } from "../ipc/generated/ExportRequest";
import { toasts } from "../shell/toasts.svelte";
import { callsOf, kithError, serve, summary } from "../testing/ipc";
import type { FakeChannel } from "../testing/tauri";
import UserManager from "../users/UserManager.svelte";
import ExportDialog from "./ExportDialog.svelte";

vi.mock("@tauri-apps/api/core", async () => ({ invoke: vi.fn(), Channel: (await import("../testing/tauri")).FakeChannel }));

type ExportArgs = { request: ExportRequest; on_progress: FakeChannel<number> };
const ALL = [
  "kith_id", "first_name", "last_name", "email", "mobile_phone", "home_phone", "app_user_id", "stripe_customer_id",
  "created_at", "teams", "street", "city", "region", "postal_code", "country",
];

describe("Export", () => {
  beforeEach(() => {
    toasts.length = 0;
  });

  it("exports the current search with the chosen columns, then says where the file went", async () => {
    const user = userEvent.setup();
    serve({
      list_users: ({ offset }) => ({ total: 1200, offset, rows: [summary(1), summary(2), summary(3)] }),
      search_users: () => ({ rows: [summary(1), summary(2)], more: false }),
      export_users: ({ request }: ExportArgs) => ({ file_name: `Kith users - ${request.query}.csv`, rows: 2 }),
    });
    render(UserManager);
    await screen.findByText("1,200 users");
    await user.type(screen.getByTestId("user-search"), "zoë");
    await screen.findByText("2 matches");

    await user.click(screen.getByTestId("open-export"));
    expect(screen.getByTestId("export-scope").textContent).toBe("The 2 users matching “zoë”");
    expect(screen.getByTestId("export-dialog").textContent).toContain("Kith ID — needed to re-import the file as updates");
    await user.click(screen.getByTestId("export-column-home_phone"));
    await user.click(screen.getByTestId("export-column-created_at"));
    await user.click(screen.getByTestId("export-bom"));
    await user.click(screen.getByTestId("export-run"));

    await waitFor(() => expect(screen.queryByTestId("export-dialog")).toBeNull());
    const [call] = callsOf("export_users");
    expect(call.request).toEqual({
      query: "zoë",
      columns: ALL.filter((c) => c !== "home_phone" && c !== "created_at"),
      custom_fields: [],
      bom: true,
    });
    expect(toasts.map((t) => t.message)).toEqual(["Exported 2 users to Kith users - zoë.csv"]);
  });

  it("asks the core how many a search finds when the list only shows its first page", async () => {
    serve({ count_search_matches: ({ query }: { query: string }) => (query === "smith" ? 1234 : 0) });
    render(ExportDialog, { query: "smith", count: null, onClose: vi.fn() });
    expect(screen.getByTestId("export-scope").textContent).toBe("Every user matching “smith”");
    await waitFor(() => expect(screen.getByTestId("export-scope").textContent).toBe("The 1,234 users matching “smith”"));
    expect(callsOf("count_search_matches")).toEqual([{ query: "smith" }]);
  });

  it("without a search, exports everyone (query null) and counts them all, not just the rows shown", async () => {
    const user = userEvent.setup();
    serve({
      list_users: ({ offset }) => ({ total: 1200, offset, rows: [summary(1)] }),
      export_users: () => ({ file_name: "Kith users.csv", rows: 1200 }),
    });
    render(UserManager);
    await screen.findByText("1,200 users");
    await user.click(screen.getByTestId("open-export"));
    expect(screen.getByTestId("export-scope").textContent).toBe("All 1,200 users");
    await user.click(screen.getByTestId("export-run"));
    await waitFor(() => expect(toasts.map((t) => t.message)).toEqual(["Exported 1,200 users to Kith users.csv"]));
    expect(callsOf("export_users")[0].request).toEqual({ query: null, columns: ALL, custom_fields: [], bom: false });
  });

  it("needs at least one column", async () => {
    const user = userEvent.setup();
    serve({});
    render(ExportDialog, { query: null, count: 3, onClose: vi.fn() });
    await user.click(screen.getByTestId("export-toggle-all"));
    expect((screen.getByTestId("export-run") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole("alert").textContent).toBe("Choose at least one column.");
    await user.click(screen.getByTestId("export-toggle-all"));
    expect((screen.getByTestId("export-run") as HTMLButtonElement).disabled).toBe(false);
  });

  it("stays open when the save dialog is cancelled", async () => {
    const user = userEvent.setup();
    serve({ export_users: () => null });
    const onClose = vi.fn();
    render(ExportDialog, { query: null, count: 3, onClose });
    await user.click(screen.getByTestId("export-run"));
    await waitFor(() => expect(callsOf("export_users")).toHaveLength(1));
    expect(onClose).not.toHaveBeenCalled();
    expect(toasts).toHaveLength(0);
    expect((screen.getByTestId("export-run") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows progress with counts and can be cancelled; nothing is written", async () => {
    const user = userEvent.setup();
    let fail: (e: unknown) => void = () => {};
    let channel: FakeChannel<number> | null = null;
    serve({
      export_users: ({ on_progress }: ExportArgs) => {
        channel = on_progress;
        return new Promise((_, reject) => (fail = reject));
      },
      cancel_export: () => {
        fail(kithError("the export was cancelled", null, "cancelled"));
        return null;
      },
    });
    const onClose = vi.fn();
    render(ExportDialog, { query: null, count: 20_000, onClose });
    await user.click(screen.getByTestId("export-run"));
    await screen.findByTestId("export-progress");
    channel!.onmessage(5000);
    await waitFor(() => expect(screen.getByTestId("export-progress-detail").textContent).toBe("5,000 of 20,000 users"));
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");

    await user.click(screen.getByTestId("export-cancel"));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(callsOf("cancel_export")).toHaveLength(1);
    expect(toasts.map((t) => t.message)).toEqual(["Export cancelled — no file was written"]);
  });
});
