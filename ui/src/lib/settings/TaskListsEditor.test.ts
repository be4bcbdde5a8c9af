import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetTaskLists } from "../tasks/taskLists.svelte";
import { callsOf, kithError, serve, STATUSES } from "../testing/ipc";
import StaffEditor from "./StaffEditor.svelte";
import TaskListsEditor from "./TaskListsEditor.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

beforeEach(() => resetTaskLists());

describe("Settings: task statuses, categories and staff", () => {
  it("adds, reorders and flags statuses", async () => {
    const user = userEvent.setup();
    serve({
      add_task_status: ({ name, is_done }) => ({ id: "st-new", name, is_done, position: 5 }),
      reorder_task_statuses: ({ ids }) => ids.map((id: string, position: number) => ({ ...STATUSES.find((s) => s.id === id)!, position })),
      update_task_status: ({ id, name, is_done }) => ({ id, name, is_done, position: 0 }),
      list_task_categories: () => [{ id: "c1", name: "Call", position: 0 }],
    });
    render(TaskListsEditor);
    const statuses = await screen.findByTestId("task-statuses");
    await waitFor(() => expect(within(statuses).getAllByTestId("status-row")).toHaveLength(5));
    expect(within(screen.getByTestId("task-categories")).getAllByTestId("category-row")).toHaveLength(1);

    await user.click(within(statuses).getAllByTestId("move-status-down")[0]);
    expect(callsOf("reorder_task_statuses")[0].ids).toEqual(["st-progress", "st-open", "st-waiting", "st-done", "st-cancelled"]);

    await user.type(within(statuses).getByTestId("add-status-input"), "Review");
    await user.click(within(statuses).getByTestId("add-status"));
    await waitFor(() => expect(within(statuses).getAllByTestId("status-row")).toHaveLength(6));
    expect(callsOf("add_task_status")).toEqual([{ name: "Review", is_done: false }]);

    await user.click(within(statuses).getAllByTestId("status-is-done")[0]);
    expect(callsOf("update_task_status")).toEqual([{ id: "st-progress", name: "In progress", is_done: true }]);
  });

  it("adds staff and shows a clash under the form", async () => {
    const user = userEvent.setup();
    serve({
      add_staff: ({ input }) =>
        input.name === "Maya" ? Promise.reject(kithError("There is already one named Maya", "name")) : { id: "s2", color: "#16a34a", ...input },
      list_staff: () => [{ id: "s1", name: "Maya", email: null, color: "#2563eb" }],
    });
    render(StaffEditor);
    await waitFor(() => expect(screen.getAllByTestId("staff-row")).toHaveLength(1));
    await user.type(screen.getByTestId("add-staff-name"), "Maya");
    await user.click(screen.getByTestId("add-staff"));
    expect((await screen.findByTestId("field-error")).textContent).toBe("There is already one named Maya");
    await user.clear(screen.getByTestId("add-staff-name"));
    await user.type(screen.getByTestId("add-staff-name"), "Tom");
    await user.click(screen.getByTestId("add-staff"));
    await waitFor(() => expect(screen.getAllByTestId("staff-row")).toHaveLength(2));
  });
});
