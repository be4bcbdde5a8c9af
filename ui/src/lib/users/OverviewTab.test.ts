import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { activity, detail, serve } from "../testing/ipc";
import OverviewTab from "./OverviewTab.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("Overview tab", () => {
  it("shows the key figures, contact details and recent activity, and leads to the tabs", async () => {
    const user = userEvent.setup();
    const onOpenTab = vi.fn();
    serve({
      user_summary: () => ({ open_tasks: 3, overdue_tasks: 1, notes: 12, files: 2, last_activity_at: Date.now() - 120_000 }),
      user_activity: () => [activity()],
    });
    render(OverviewTab, { user: detail({ email: "zoe@example.com" }), onOpenTab });
    expect((await screen.findByTestId("overview-open-tasks")).textContent).toContain("3");
    expect(screen.getByTestId("overview-overdue").textContent).toContain("1 overdue");
    expect(screen.getByTestId("overview-notes").textContent).toContain("12");
    expect(screen.getByTestId("overview-last-activity").textContent).toMatch(/2 min/);
    expect(screen.getByText("zoe@example.com")).toBeTruthy();
    expect(screen.getByTestId("activity-item").textContent).toContain("Changed Email");

    await user.click(screen.getByTestId("overview-notes"));
    await user.click(screen.getByTestId("overview-see-all"));
    expect(onOpenTab.mock.calls).toEqual([["notes"], ["activity"]]);
  });
});
