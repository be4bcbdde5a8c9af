import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { activity, callsOf, serve } from "../testing/ipc";
import ActivityTab from "./ActivityTab.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("Activity tab", () => {
  it("shows each change old → new with who and where, and filters by kind", async () => {
    const user = userEvent.setup();
    const now = Date.now();
    serve({
      user_activity: ({ query }) =>
        query.groups.includes("tasks")
          ? [activity({ at: now, kind: "task_completed", group: "tasks", field: null, old: null, new: null, subject: "Send the contract" })]
          : [
              activity({ at: now }),
              activity({ at: now - 1000, kind: "note_added", group: "notes", field: null, old: null, new: null, subject: "Called about the renewal" }),
            ],
    });
    render(ActivityTab, { userId: "u1" });
    const items = await screen.findAllByTestId("activity-item");
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain("Changed Email");
    expect(within(items[0]).getByTestId("activity-change").textContent).toMatch(/ann@example\.com.*ann\.lee@example\.com/);
    expect(items[0].textContent).toContain("Dana");
    expect(items[0].textContent).toContain("This computer");
    expect(items[1].textContent).toContain("Called about the renewal");
    expect(screen.getByText("Today")).toBeTruthy();

    await user.click(screen.getByTestId("activity-filter-tasks"));
    await waitFor(() => expect(screen.getAllByTestId("activity-item")).toHaveLength(1));
    expect(screen.getByTestId("activity-item").textContent).toContain("Completed task “Send the contract”");
    expect(screen.getByTestId("activity-filter-tasks").getAttribute("aria-pressed")).toBe("true");
    expect(callsOf("user_activity").at(-1)).toEqual({ user_id: "u1", query: { groups: ["tasks"], before: null, limit: 50 } });
  });

  it("pages back in time with Show older, and says what to do when there is nothing", async () => {
    const user = userEvent.setup();
    const now = Date.now();
    const full = Array.from({ length: 50 }, (_, i) => activity({ at: now - i * 1000 }));
    serve({ user_activity: ({ query }) => (query.before === null ? full : [activity({ at: now - 99_000, field: "Last name" })]) });
    render(ActivityTab, { userId: "u1" });
    await user.click(await screen.findByTestId("activity-more"));
    await waitFor(() => expect(screen.getAllByTestId("activity-item")).toHaveLength(51));
    expect(callsOf("user_activity").at(-1)).toMatchObject({ query: { before: now - 49_000 } });
    expect(screen.queryByTestId("activity-more")).toBeNull();

    serve({ user_activity: () => [] });
    render(ActivityTab, { userId: "u2" });
    expect((await screen.findByTestId("activity-empty")).textContent).toContain("will show up here");
  });
});
