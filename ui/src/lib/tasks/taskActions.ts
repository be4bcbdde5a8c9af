import { api } from "../ipc/api";
import type { Task } from "../ipc/generated/Task";
import { showToast } from "../shell/toasts.svelte";

/** One click on a task's circle: complete it, or reopen a completed one. */
export function toggleTask(task: Task): Promise<Task> {
  return task.done ? api.reopenTask(task.id) : api.completeTask(task.id);
}

/** Deletes at once and offers Undo in a toast; `refresh` runs after either. */
export async function deleteTaskWithUndo(task: Task, refresh: () => void | Promise<void>) {
  await api.deleteTask(task.id);
  await refresh();
  showToast(`Deleted “${task.title}”`, {
    key: `task:${task.id}`,
    action: {
      label: "Undo",
      testid: "undo-delete-task",
      run: async () => {
        await api.restoreTask(task.id);
        await refresh();
      },
    },
  });
}
