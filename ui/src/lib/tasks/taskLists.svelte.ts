import { api } from "../ipc/api";
import type { Priority } from "../ipc/generated/Priority";
import type { Staff } from "../ipc/generated/Staff";
import type { Task } from "../ipc/generated/Task";
import type { TaskCategory } from "../ipc/generated/TaskCategory";
import type { TaskInput } from "../ipc/generated/TaskInput";
import type { TaskStatus } from "../ipc/generated/TaskStatus";

/** The team directory and the task statuses and categories: managed in Settings, picked
 *  from in every task form and filter. Shared so a change in Settings shows everywhere. */
export const taskLists = $state<{ staff: Staff[]; statuses: TaskStatus[]; categories: TaskCategory[]; loaded: boolean }>({
  staff: [],
  statuses: [],
  categories: [],
  loaded: false,
});

export async function loadTaskLists() {
  const [staff, statuses, categories] = await Promise.all([api.listStaff(), api.listTaskStatuses(), api.listTaskCategories()]);
  Object.assign(taskLists, { staff, statuses, categories, loaded: true });
}

/** Loads the lists once; later callers share the first load. */
let loading: Promise<void> | null = null;
export function ensureTaskLists(): Promise<void> {
  loading ??= loadTaskLists().catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** Forgets the shared lists (tests start each case afresh). */
export function resetTaskLists() {
  loading = null;
  Object.assign(taskLists, { staff: [], statuses: [], categories: [], loaded: false });
}

export const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "none", label: "No priority" },
  { value: "low", label: "Low" },
  { value: "medium", label: "Medium" },
  { value: "high", label: "High" },
  { value: "urgent", label: "Urgent" },
];

export const staffName = (id: string | null) => taskLists.staff.find((s) => s.id === id)?.name ?? null;
export const staffMember = (id: string | null) => taskLists.staff.find((s) => s.id === id) ?? null;
export const statusName = (id: string | null) => taskLists.statuses.find((s) => s.id === id)?.name ?? null;
export const categoryName = (id: string | null) => taskLists.categories.find((c) => c.id === id)?.name ?? null;

/** A task's own fields as a TaskInput, for an edit that changes one of them. */
export function inputOf(task: Task): TaskInput {
  const { title, description, assignee_id, due_date, due_time, priority, status_id, category_id } = task;
  return { title, description, assignee_id, due_date, due_time, priority, status_id, category_id };
}

/** The desktop's local date as the core wants it, YYYY-MM-DD. */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "Mon 10 Mar" (+ year when not this one) and the time, in the person's locale. */
export function formatDue(task: Pick<Task, "due_date" | "due_time">, now = new Date()): string | null {
  if (!task.due_date) return null;
  const [y, m, d] = task.due_date.split("-").map(Number);
  const day = new Date(y, m - 1, d);
  const date = new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: y === now.getFullYear() ? undefined : "numeric",
  }).format(day);
  return task.due_time ? `${date}, ${task.due_time}` : date;
}
