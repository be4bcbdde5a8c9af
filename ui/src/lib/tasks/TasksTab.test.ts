import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../ipc/generated/Task";
import { settings } from "../settings/settings.svelte";
import { toasts } from "../shell/toasts.svelte";
import { callsOf, kithError, serve, task } from "../testing/ipc";
import { resetTaskLists } from "./taskLists.svelte";
import TasksTab from "./TasksTab.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const maya = { id: "s1", name: "Maya", email: null, color: "#2563eb" };

beforeEach(() => {
  resetTaskLists();
  settings.current = { default_region: "US", theme: "system", current_staff_id: "s1" };
});

/** A core that keeps one user's tasks in memory. */
function core(initial: Task[]) {
  let tasks = [...initial];
  const deleted: Task[] = [];
  serve({
    list_staff: () => [maya],
    list_user_tasks: () => [...tasks.filter((t) => !t.done), ...tasks.filter((t) => t.done)],
    create_task: ({ input }) => {
      if (!input.title.trim()) throw kithError("Give the task a title", "title");
      const created = task(tasks.length + 1, { ...input, title: input.title.trim() });
      tasks.push(created);
      return created;
    },
    complete_task: ({ id }) => {
      tasks = tasks.map((t) => (t.id === id ? { ...t, done: true, completed_at: 1, status_id: "st-done" } : t));
      return tasks.find((t) => t.id === id);
    },
    reopen_task: ({ id }) => {
      tasks = tasks.map((t) => (t.id === id ? { ...t, done: false, completed_at: null, status_id: "st-open" } : t));
      return tasks.find((t) => t.id === id);
    },
    delete_task: ({ id }) => {
      deleted.push(...tasks.filter((t) => t.id === id));
      tasks = tasks.filter((t) => t.id !== id);
      return null;
    },
    restore_task: ({ id }) => {
      tasks.push(...deleted.filter((t) => t.id === id));
      return tasks.find((t) => t.id === id);
    },
  });
}

describe("Tasks tab", () => {
  it("adds a task with due date, priority and the current staff member as assignee", async () => {
    const user = userEvent.setup();
    core([]);
    render(TasksTab, { userId: "u1" });
    expect(await screen.findByTestId("tasks-empty")).toBeTruthy();
    await waitFor(() => expect(within(screen.getByTestId("task-assignee")).getByText("Maya")).toBeTruthy());

    await user.type(screen.getByTestId("task-title"), "Call back");
    await user.type(screen.getByTestId("task-due"), "2025-03-10");
    await user.selectOptions(screen.getByTestId("task-priority"), "high");
    await user.click(screen.getByTestId("save-task"));

    expect(callsOf("create_task")).toEqual([
      {
        user_id: "u1",
        input: { title: "Call back", description: null, assignee_id: "s1", due_date: "2025-03-10", due_time: null, priority: "high", status_id: null, category_id: null },
      },
    ]);
    await waitFor(() => expect(screen.getAllByTestId("task-item")).toHaveLength(1));
    expect((screen.getByTestId("task-title") as HTMLInputElement).value).toBe("");
    expect(screen.getByTestId("task-assignee-chip").textContent).toBe("Maya");
  });

  it("shows the core's error under the form and keeps what was typed", async () => {
    const user = userEvent.setup();
    serve({
      list_user_tasks: () => [],
      create_task: () => Promise.reject(kithError("Enter a date like 2025-03-31", "due_date")),
    });
    render(TasksTab, { userId: "u1" });
    await user.type(screen.getByTestId("task-title"), "Call");
    await user.click(screen.getByTestId("save-task"));
    expect((await screen.findByTestId("task-error")).textContent).toBe("Enter a date like 2025-03-31");
    expect(screen.getByTestId("task-due").getAttribute("aria-invalid")).toBe("true");
    expect((screen.getByTestId("task-title") as HTMLInputElement).value).toBe("Call");
  });

  it("lists outstanding tasks before completed ones and completes with one click", async () => {
    const user = userEvent.setup();
    core([task(1, { title: "Finished", done: true, completed_at: 5, status_id: "st-done" }), task(2, { title: "To do" })]);
    render(TasksTab, { userId: "u1" });
    await waitFor(() => expect(screen.getAllByTestId("task-item")).toHaveLength(2));
    const titles = () => screen.getAllByTestId("task-title-text").map((e) => e.textContent);
    expect(titles()).toEqual(["To do", "Finished"]);
    expect(within(screen.getByTestId("tasks-completed")).getByText("Finished")).toBeTruthy();

    const [todo] = screen.getAllByTestId("task-complete");
    expect(todo.getAttribute("aria-checked")).toBe("false");
    await user.click(todo);
    expect(callsOf("complete_task")).toEqual([{ id: "t2" }]);
    await waitFor(() => expect(within(screen.getByTestId("tasks-outstanding")).getByText("Nothing outstanding.")).toBeTruthy());

    await user.click(screen.getAllByTestId("task-complete")[0]);
    expect(callsOf("reopen_task")).toHaveLength(1);
  });

  it("deletes at once and offers Undo", async () => {
    const user = userEvent.setup();
    core([task(1, { title: "Oops" })]);
    render(TasksTab, { userId: "u1" });
    await user.click(await screen.findByTestId("delete-task"));
    expect(callsOf("delete_task")).toEqual([{ id: "t1" }]);
    await waitFor(() => expect(screen.queryAllByTestId("task-item")).toHaveLength(0));
    const undo = toasts.find((t) => t.action?.testid === "undo-delete-task");
    expect(undo?.message).toBe("Deleted “Oops”");
    await undo!.action!.run();
    expect(callsOf("restore_task")).toEqual([{ id: "t1" }]);
    await waitFor(() => expect(screen.getAllByTestId("task-item")).toHaveLength(1));
  });
});

describe("Editing a task", () => {
  it("opens every field from the title and saves them in one update", async () => {
    const user = userEvent.setup();
    const original = task(1, { title: "Call back" });
    serve({
      list_user_tasks: () => [original],
      update_task: ({ id, input }) => task(1, { id, ...input }),
    });
    render(TasksTab, { userId: "u1" });
    await user.click(await screen.findByTestId("task-title-text"));
    const dialog = await screen.findByTestId("task-edit-dialog");
    expect(dialog).toBeTruthy();
    await user.clear(screen.getByTestId("edit-task-title"));
    await user.type(screen.getByTestId("edit-task-title"), "Call back about the invoice");
    await user.type(screen.getByTestId("edit-task-description"), "Ask for the PO number");
    await user.selectOptions(screen.getByTestId("edit-task-priority"), "urgent");
    await user.click(screen.getByTestId("save-edit-task"));
    await waitFor(() => expect(screen.queryByTestId("task-edit-dialog")).toBeNull());
    expect(callsOf("update_task")).toEqual([
      {
        id: original.id,
        input: expect.objectContaining({ title: "Call back about the invoice", description: "Ask for the PO number", priority: "urgent" }),
      },
    ]);
  });
});
