import { api } from "../ipc/api";
import type { Staff } from "../ipc/generated/Staff";
import type { StaffInput } from "../ipc/generated/StaffInput";
import { taskLists } from "../tasks/taskLists.svelte";

const byName = (a: Staff, b: Staff) => a.name.localeCompare(b.name);

/** Adds a staff member and keeps the shared directory in name order. */
export async function addStaff(input: StaffInput): Promise<Staff> {
  const added = await api.addStaff(input);
  taskLists.staff = [...taskLists.staff, added].sort(byName);
  return added;
}

export async function updateStaff(id: string, input: StaffInput): Promise<Staff> {
  const saved = await api.updateStaff(id, input);
  taskLists.staff = taskLists.staff.map((s) => (s.id === id ? saved : s)).sort(byName);
  return saved;
}

export async function removeStaff(id: string) {
  await api.removeStaff(id);
  taskLists.staff = taskLists.staff.filter((s) => s.id !== id);
}
