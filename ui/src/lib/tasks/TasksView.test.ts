import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { TaskFilter } from "../ipc/generated/TaskFilter";
import { settings } from "../settings/settings.svelte";
import { callsOf, serve, task } from "../testing/ipc";
import { localToday, resetTaskLists } from "./taskLists.svelte";
import TasksView from "./TasksView.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const groups = {
  overdue: [task(1, { title: "Late", due_date: "2020-01-01" })],
  today: [task(2, { title: "Now", due_date: localToday(), user_name: "Ben Berg", user_id: "u2" })],
  upcoming: [],
  no_date: [task(3, { title: "Someday" })],
  truncated: false,
};

beforeEach(() => {
  resetTaskLists();
  settings.current = { default_region: "US", theme: "system", current_staff_id: "s1" };
});

describe("Tasks view", () => {
  it("shows the groups with each task's user, and asks for today's local date", async () => {
    serve({ list_tasks: () => groups });
    const onOpenUser = vi.fn();
    render(TasksView, { onOpenUser });
    const today = await screen.findByTestId("tasks-group-today");
    expect(within(today).getByText("Now")).toBeTruthy();
    expect(within(screen.getByTestId("tasks-group-overdue")).getByText("Late")).toBeTruthy();
    expect(within(screen.getByTestId("tasks-group-no-date")).getByText("Someday")).toBeTruthy();
    expect(screen.queryByTestId("tasks-group-upcoming")).toBeNull();
    expect(callsOf("list_tasks")[0]).toEqual({
      filter: { assignee_id: null, status_id: null, category_id: null, priority: null, done: false },
      today: localToday(),
    });
    await userEvent.setup().click(within(today).getByTestId("task-user"));
    expect(onOpenUser).toHaveBeenCalledWith("u2");
  });

  it("filters by Mine, status, priority and shows completed on request", async () => {
    const user = userEvent.setup();
    serve({ list_tasks: () => groups });
    render(TasksView, {});
    await screen.findByTestId("tasks-group-today");
    await user.selectOptions(screen.getByTestId("tasks-filter-assignee"), "mine");
    await user.selectOptions(screen.getByTestId("tasks-filter-priority"), "urgent");
    await waitFor(() => expect(screen.getByTestId("tasks-filter-status").querySelectorAll("option")).toHaveLength(6));
    await user.selectOptions(screen.getByTestId("tasks-filter-status"), "st-waiting");
    await user.click(screen.getByTestId("tasks-show-completed"));
    const last = callsOf("list_tasks").at(-1)!.filter as TaskFilter;
    expect(last).toEqual({ assignee_id: "s1", status_id: "st-waiting", category_id: null, priority: "urgent", done: null });
  });

  it("completes a task with one click and reloads", async () => {
    const user = userEvent.setup();
    serve({ list_tasks: () => groups, complete_task: ({ id }) => task(1, { id, done: true }) });
    render(TasksView, {});
    const late = await screen.findByTestId("tasks-group-overdue");
    await user.click(within(late).getByTestId("task-complete"));
    expect(callsOf("complete_task")).toEqual([{ id: "t1" }]);
    await waitFor(() => expect(callsOf("list_tasks")).toHaveLength(2));
  });

  it("says what to do when there is nothing, and clears filters that hide everything", async () => {
    const user = userEvent.setup();
    const none = { overdue: [], today: [], upcoming: [], no_date: [], truncated: false };
    serve({ list_tasks: ({ filter }) => (filter.priority ? none : none) });
    render(TasksView, {});
    expect((await screen.findByTestId("tasks-view-empty")).textContent).toContain("add one from their Tasks tab");
    await user.selectOptions(screen.getByTestId("tasks-filter-priority"), "low");
    await user.click(await screen.findByTestId("tasks-clear-filters"));
    expect((screen.getByTestId("tasks-filter-priority") as HTMLSelectElement).value).toBe("");
  });
});
