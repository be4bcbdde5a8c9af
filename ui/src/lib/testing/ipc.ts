// Test doubles for the IPC boundary. Each test file mocks "@tauri-apps/api/core" with
// vi.mock; `serve` then answers invoke() from a table of command handlers, the way the Rust
// side would, and records every call for assertions.
import { invoke } from "@tauri-apps/api/core";
import { vi } from "vitest";
import type { KithError } from "../ipc/api";
import type { ActivityEntry } from "../ipc/generated/ActivityEntry";
import type { Attachment } from "../ipc/generated/Attachment";
import type { CustomField } from "../ipc/generated/CustomField";
import type { Note } from "../ipc/generated/Note";
import type { Task } from "../ipc/generated/Task";
import type { TaskStatus } from "../ipc/generated/TaskStatus";
import type { UserDetail } from "../ipc/generated/UserDetail";
import type { UserSummary } from "../ipc/generated/UserSummary";

/** The default statuses, as the core seeds them. */
export const STATUSES: TaskStatus[] = [
  { id: "st-open", name: "Open", is_done: false, position: 0 },
  { id: "st-progress", name: "In progress", is_done: false, position: 1 },
  { id: "st-waiting", name: "Waiting", is_done: false, position: 2 },
  { id: "st-done", name: "Done", is_done: true, position: 3 },
  { id: "st-cancelled", name: "Cancelled", is_done: true, position: 4 },
];

/** A desktop that has never signed in to a server. */
export const SIGNED_OUT = {
  state: "signed_out",
  pending: 0,
  last_sync_at: null,
  server_url: null,
  workspace: null,
  staff_name: null,
  staff_email: null,
  device_name: null,
  device_id: null,
  error: null,
  files_waiting: 0,
  trusted_certificate: null,
  received: 0,
  loading_snapshot: false,
};

// Handlers receive whatever the UI sent, exactly as the core would.
export type Handlers = Record<string, (args: any) => unknown>;

export const BASE_HANDLERS: Handlers = {
  list_teams: () => [],
  team_sizes: () => [],
  list_imports: () => [],
  list_locations: () => [],
  list_custom_fields: () => [],
  get_settings: () => ({ default_region: "US", theme: "system", current_staff_id: null }),
  list_staff: () => [],
  list_task_statuses: () => STATUSES,
  list_task_categories: () => [],
  // A profile opens on its Overview: a quiet one unless a test says otherwise.
  user_summary: () => ({ open_tasks: 0, overdue_tasks: 0, notes: 0, files: 0, last_activity_at: null }),
  user_activity: () => [],
  sync_status: () => SIGNED_OUT,
};

export function serve(handlers: Handlers) {
  const mock = vi.mocked(invoke);
  mock.mockReset();
  mock.mockImplementation(async (cmd: string, args?: unknown) => {
    const handler = handlers[cmd] ?? BASE_HANDLERS[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler(args ?? {});
  });
  return mock;
}

/** The arguments of every call made to `command`, in order. */
export function callsOf(command: string): Record<string, unknown>[] {
  return vi
    .mocked(invoke)
    .mock.calls.filter(([cmd]) => cmd === command)
    .map(([, args]) => (args ?? {}) as Record<string, unknown>);
}

export const kithError = (message: string, field: string | null = null, kind: KithError["kind"] = "validation"): KithError => ({
  kind,
  message,
  field,
});

export function summary(i: number, overrides: Partial<UserSummary> = {}): UserSummary {
  return {
    id: `u${i}`,
    first_name: `First${i}`,
    last_name: `Last${i}`,
    email: `user${i}@example.com`,
    mobile_phone: null,
    home_phone: null,
    created_at: 1_700_000_000_000,
    last_activity_at: 1_700_000_000_000,
    avatar_id: null,
    ...overrides,
  };
}

export function detail(overrides: Partial<UserDetail> = {}): UserDetail {
  return {
    ...summary(1),
    app_user_id: null,
    stripe_customer_id: null,
    location_id: null,
    source: "manual",
    deleted_at: null,
    has_generated_password: true,
    teams: [],
    social_links: [],
    addresses: [],
    push_tokens: [],
    cards: [],
    custom_values: [],
    cover_id: null,
    ...overrides,
  };
}

export function note(i: number, overrides: Partial<Note> = {}): Note {
  return {
    id: `n${i}`,
    user_id: "u1",
    body: `Note ${i}`,
    author_id: null,
    author_name: "Dana",
    pinned: false,
    created_at: 1_700_000_000_000 + i,
    edited_at: null,
    tags: [],
    versions: 0,
    ...overrides,
  };
}

export function task(i: number, overrides: Partial<Task> = {}): Task {
  return {
    id: `t${i}`,
    user_id: "u1",
    user_name: "Ada Lovelace",
    title: `Task ${i}`,
    description: null,
    assignee_id: null,
    due_date: null,
    due_time: null,
    priority: "none",
    status_id: "st-open",
    category_id: null,
    done: false,
    created_at: 1_700_000_000_000,
    created_by: null,
    completed_at: null,
    ...overrides,
  };
}

export function attachment(i: number, overrides: Partial<Attachment> = {}): Attachment {
  return {
    id: `f${i}`,
    user_id: "u1",
    name: `File ${i}.pdf`,
    mime: "application/pdf",
    kind: "document",
    size: 2048,
    sha256: String(i).padStart(64, "0"),
    created_at: 1_700_000_000_000 + i,
    created_by: null,
    created_by_name: "Dana",
    downloaded: true,
    ...overrides,
  };
}

/** A history entry: a field change now, unless overridden. */
export function activity(overrides: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    at: Date.now(),
    kind: "field_changed",
    group: "fields",
    field: "Email",
    old: "ann@example.com",
    new: "ann.lee@example.com",
    subject: null,
    subject_id: null,
    actor: { id: "s1", name: "Dana", color: "#2563eb" },
    device: "This computer",
    import_file: null,
    ...overrides,
  };
}

/** A custom field; options by label get ids `${id}-o<n>`. */
export function customField(id: string, name: string, overrides: Partial<CustomField> & { labels?: string[] } = {}): CustomField {
  const { labels = [], ...rest } = overrides;
  return {
    id,
    name,
    kind: "text",
    position: 1,
    required: false,
    options: labels.map((label, i) => ({ id: `${id}-o${i}`, label })),
    currency: null,
    ...rest,
  };
}
