// Dev-only stand-in for staff, task statuses/categories and tasks (see devMock.ts): enough
// of the core's rules (defaults, completion, grouping) to click through the Tasks screens.
import type { KithError } from "./api";
import type { Settings } from "./generated/Settings";
import type { Staff } from "./generated/Staff";
import type { Task } from "./generated/Task";
import type { TaskCategory } from "./generated/TaskCategory";
import type { TaskFilter } from "./generated/TaskFilter";
import type { TaskInput } from "./generated/TaskInput";
import type { TaskStatus } from "./generated/TaskStatus";
import type { UserDetail } from "./generated/UserDetail";

const fail = (kind: KithError["kind"], message: string, field: string | null = null): never => {
  throw { kind, message, field } satisfies KithError;
};
const COLORS = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4d7c0f"];
const DAY = 86_400_000;

export function tasksHandlers({ users, settings }: { users: Map<string, UserDetail>; settings: () => Settings }) {
  let seq = 0;
  const id = (prefix: string) => `${prefix}-${++seq}`;
  const staff: Staff[] = [
    { id: "staff-1", name: "Maya", email: "maya@example.com", color: COLORS[0] },
    { id: "staff-2", name: "Tom", email: null, color: COLORS[1] },
  ];
  let statuses: TaskStatus[] = [["Open", false], ["In progress", false], ["Waiting", false], ["Done", true], ["Cancelled", true]].map(
    ([name, is_done], position) => ({ id: `status-${position}`, name: name as string, is_done: is_done as boolean, position }),
  );
  let categories: TaskCategory[] = ["Call", "Email", "Meeting", "Follow-up"].map((name, position) => ({ id: `cat-${position}`, name, position }));
  const tasks = new Map<string, Task & { deleted?: boolean }>();
  const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
  const name = (userId: string) => {
    const u = users.get(userId);
    return u ? `${u.first_name} ${u.last_name}`.trim() : "";
  };

  const uniqueName = (list: { id: string; name: string }[], value: string, except?: string) => {
    const trimmed = value.trim();
    if (!trimmed) fail("validation", "Enter a name", "name");
    if (list.some((x) => x.id !== except && x.name.toLowerCase() === trimmed.toLowerCase())) fail("validation", `There is already one named ${trimmed}`, "name");
    return trimmed;
  };
  const check = (input: TaskInput) => {
    if (!input.title.trim()) fail("validation", "Give the task a title", "title");
    if (input.due_time && !input.due_date) fail("validation", "Pick a day for the time to be on", "due_date");
  };
  const task = (taskId: string) => {
    const t = tasks.get(taskId);
    return t && !t.deleted ? t : fail("not_found", "task not found");
  };
  const setStatus = (t: Task, statusId: string) => {
    const done = statuses.find((s) => s.id === statusId)?.is_done ?? false;
    if (done && !t.done) t.completed_at = Date.now();
    if (!done) t.completed_at = null;
    Object.assign(t, { status_id: statusId, done });
    return t;
  };
  const create = (userId: string, input: TaskInput): Task => {
    check(input);
    const t: Task = {
      ...input,
      title: input.title.trim(),
      id: id("task"),
      user_id: userId,
      user_name: name(userId),
      status_id: null,
      done: false,
      created_at: Date.now(),
      created_by: settings().current_staff_id,
      completed_at: null,
    };
    tasks.set(t.id, setStatus(t, input.status_id ?? statuses.find((s) => !s.is_done)!.id));
    return t;
  };
  const live = () => [...tasks.values()].filter((t) => !t.deleted);
  const byDue = (a: Task, b: Task) => `${a.due_date ?? ""}${a.due_time ?? ""}`.localeCompare(`${b.due_date ?? ""}${b.due_time ?? ""}`);

  // A few tasks on the first users, so the Tasks view has something in every group.
  const first = [...users.keys()].slice(0, 4);
  first.forEach((userId, i) => create(userId, { title: ["Call back about the invoice", "Send the contract", "Book a fitting", "Ask for a review"][i], description: null, assignee_id: staff[i % 2].id, due_date: i === 3 ? null : day(i - 1), due_time: i === 1 ? "15:00" : null, priority: (["high", "none", "urgent", "low"] as const)[i], status_id: null, category_id: categories[i].id }));

  const reorder = <T extends { id: string; position: number }>(list: T[], ids: string[]) =>
    [...list].sort((a, b) => (ids.indexOf(a.id) + 1 || 1e9) - (ids.indexOf(b.id) + 1 || 1e9)).map((x, position) => ({ ...x, position }));

  const handlers: Record<string, (a: any) => unknown> = {
    list_staff: () => [...staff].sort((a, b) => a.name.localeCompare(b.name)),
    add_staff: ({ input }) => {
      if (input.email && !input.email.includes("@")) fail("validation", "This email address is missing an @", "email");
      const s = { id: id("staff"), name: uniqueName(staff, input.name), email: input.email, color: input.color ?? COLORS[staff.length % COLORS.length] };
      staff.push(s);
      return s;
    },
    update_staff: ({ id: staffId, input }) => Object.assign(staff.find((s) => s.id === staffId) ?? fail("not_found", "staff member not found"), { name: uniqueName(staff, input.name, staffId), email: input.email }),
    remove_staff: ({ id: staffId }) => (staff.splice(staff.findIndex((s) => s.id === staffId), 1), null),
    list_task_statuses: () => statuses,
    add_task_status: ({ name: n, is_done }) => {
      const s = { id: id("status"), name: uniqueName(statuses, n), is_done, position: statuses.length };
      statuses.push(s);
      return s;
    },
    update_task_status: ({ id: sid, name: n, is_done }) => Object.assign(statuses.find((s) => s.id === sid)!, { name: uniqueName(statuses, n, sid), is_done }),
    reorder_task_statuses: ({ ids }) => (statuses = reorder(statuses, ids)),
    remove_task_status: ({ id: sid }) => ((statuses = statuses.filter((s) => s.id !== sid)), null),
    list_task_categories: () => categories,
    add_task_category: ({ name: n }) => {
      const c = { id: id("cat"), name: uniqueName(categories, n), position: categories.length };
      categories.push(c);
      return c;
    },
    rename_task_category: ({ id: cid, name: n }) => Object.assign(categories.find((c) => c.id === cid)!, { name: uniqueName(categories, n, cid) }),
    reorder_task_categories: ({ ids }) => (categories = reorder(categories, ids)),
    remove_task_category: ({ id: cid }) => ((categories = categories.filter((c) => c.id !== cid)), null),
    list_user_tasks: ({ user_id }) => {
      const mine = live().filter((t) => t.user_id === user_id);
      return [...mine.filter((t) => !t.done).sort(byDue), ...mine.filter((t) => t.done).sort((a, b) => b.completed_at! - a.completed_at!)];
    },
    list_tasks: ({ filter, today }: { filter: TaskFilter; today: string }) => {
      const found = live()
        .filter((t) => (!filter.assignee_id || t.assignee_id === filter.assignee_id) && (!filter.status_id || t.status_id === filter.status_id))
        .filter((t) => (!filter.category_id || t.category_id === filter.category_id) && (!filter.priority || t.priority === filter.priority))
        .filter((t) => filter.done === null || t.done === filter.done)
        .sort(byDue);
      return {
        overdue: found.filter((t) => t.due_date && t.due_date < today),
        today: found.filter((t) => t.due_date === today),
        upcoming: found.filter((t) => t.due_date && t.due_date > today),
        no_date: found.filter((t) => !t.due_date),
        truncated: false,
      };
    },
    create_task: ({ user_id, input }) => create(user_id, input),
    update_task: ({ id: tid, input }) => {
      check(input);
      const t = task(tid);
      Object.assign(t, { ...input, status_id: t.status_id });
      return input.status_id ? setStatus(t, input.status_id) : t;
    },
    complete_task: ({ id: tid }) => setStatus(task(tid), statuses.find((s) => s.is_done)!.id),
    reopen_task: ({ id: tid }) => setStatus(task(tid), statuses.find((s) => !s.is_done)!.id),
    delete_task: ({ id: tid }) => ((task(tid).deleted = true), null),
    restore_task: ({ id: tid }) => Object.assign(tasks.get(tid) ?? fail("not_found", "task not found"), { deleted: false }),
  };
  return handlers;
}
