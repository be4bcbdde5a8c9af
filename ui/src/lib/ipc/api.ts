// The one door to the Rust core. Every command of docs/IPC.md has a typed function here;
// components never call `invoke` themselves, so the contract lives in a single file.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ActivityEntry } from "./generated/ActivityEntry";
import type { ActivityQuery } from "./generated/ActivityQuery";
import type { AddressInput } from "./generated/AddressInput";
import type { Attachment } from "./generated/Attachment";
import type { AttachReport } from "./generated/AttachReport";
import type { CardInput } from "./generated/CardInput";
import type { ChosenFile } from "./generated/ChosenFile";
import type { CustomField } from "./generated/CustomField";
import type { CustomFieldInput } from "./generated/CustomFieldInput";
import type { DropPoint } from "./generated/DropPoint";
import type { ErrorKind } from "./generated/ErrorKind";
import type { ExportDone } from "./generated/ExportDone";
import type { ExportRequest } from "./generated/ExportRequest";
import type { FileKind } from "./generated/FileKind";
import type { FilesDrop } from "./generated/FilesDrop";
import type { FileSearch } from "./generated/FileSearch";
import type { ImportCellError } from "./generated/ImportCellError";
import type { ImportEncoding } from "./generated/ImportEncoding";
import type { ImportPreview } from "./generated/ImportPreview";
import type { ImportProgress } from "./generated/ImportProgress";
import type { ImportReport } from "./generated/ImportReport";
import type { ImportRequest } from "./generated/ImportRequest";
import type { ImportTarget } from "./generated/ImportTarget";
import type { ImportRecord } from "./generated/ImportRecord";
import type { ImportUndoReport } from "./generated/ImportUndoReport";
import type { ImageRole } from "./generated/ImageRole";
import type { KithError } from "./generated/KithError";
import type { Location } from "./generated/Location";
import type { NewUser } from "./generated/NewUser";
import type { Note } from "./generated/Note";
import type { NoteInput } from "./generated/NoteInput";
import type { NoteQuery } from "./generated/NoteQuery";
import type { NoteSearch } from "./generated/NoteSearch";
import type { NoteVersion } from "./generated/NoteVersion";
import type { SearchResult } from "./generated/SearchResult";
import type { ServerCertificate } from "./generated/ServerCertificate";
import type { Settings } from "./generated/Settings";
import type { SocialLinkInput } from "./generated/SocialLinkInput";
import type { SyncReport } from "./generated/SyncReport";
import type { StartupReport } from "./generated/StartupReport";
import type { SyncStatus } from "./generated/SyncStatus";
import type { TagCount } from "./generated/TagCount";
import type { UserFigures } from "./generated/UserFigures";
import type { UserImages } from "./generated/UserImages";
import type { Staff } from "./generated/Staff";
import type { StaffInput } from "./generated/StaffInput";
import type { Task } from "./generated/Task";
import type { TaskCategory } from "./generated/TaskCategory";
import type { TaskFilter } from "./generated/TaskFilter";
import type { TaskGroups } from "./generated/TaskGroups";
import type { TaskInput } from "./generated/TaskInput";
import type { TaskStatus } from "./generated/TaskStatus";
import type { Team } from "./generated/Team";
import type { TeamSize } from "./generated/TeamSize";
import type { UserDetail } from "./generated/UserDetail";
import type { UserField } from "./generated/UserField";
import type { UserPage } from "./generated/UserPage";
import type { UserSort } from "./generated/UserSort";
import type { UserSummary } from "./generated/UserSummary";

export type { KithError };

const KINDS: readonly ErrorKind[] = [
  "validation",
  "not_found",
  "invalid_input",
  "storage",
  "internal",
  "cancelled",
  "network",
  "unauthorized",
];

/** Whatever a rejected invoke carries (a serialized KithError, a plain string from Tauri
 *  itself, an Error from the JS side) becomes a KithError, so callers handle one shape. */
export function toKithError(raw: unknown): KithError {
  if (raw && typeof raw === "object" && "message" in raw) {
    const r = raw as { kind?: unknown; message: unknown; field?: unknown };
    return {
      kind: KINDS.includes(r.kind as ErrorKind) ? (r.kind as ErrorKind) : "internal",
      message: String(r.message),
      field: typeof r.field === "string" ? r.field : null,
    };
  }
  return { kind: "internal", message: typeof raw === "string" ? raw : "Something went wrong.", field: null };
}

/** Events the Rust shell emits (src-tauri/drop.rs). */
export const EVENTS = {
  dragHover: "drag-hover",
  dragFiles: "drag-files",
  dragOver: "drag-over",
  filesDropped: "files-dropped",
  syncStatus: "sync-status",
  remoteChanges: "remote-changes",
  startup: "startup",
} as const;

/** A Channel that hands each message to `onMessage`: how long commands report progress. */
function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = onMessage;
  return ch;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toKithError(raw);
  }
}

export const api = {
  // Opening the data directory, behind the window (see src-tauri/startup.rs).
  startupStatus: () => call<StartupReport>("startup_status"),
  /** Opens the data directory again after a failure; does nothing otherwise. */
  retryStartup: () => call<void>("retry_startup"),
  onStartup: (handler: (report: StartupReport) => void): Promise<UnlistenFn> =>
    listen<StartupReport>(EVENTS.startup, (event) => handler(event.payload)),

  listUsers: (sort: UserSort, offset: number, limit: number) =>
    call<UserPage>("list_users", { sort, offset, limit }),
  searchUsers: (query: string, limit: number) => call<SearchResult>("search_users", { query, limit }),
  getUser: (id: string) => call<UserDetail>("get_user", { id }),
  findDuplicates: (draft: NewUser) => call<UserSummary[]>("find_duplicates", { draft }),
  createUser: (draft: NewUser) => call<UserDetail>("create_user", { draft }),
  setUserField: (id: string, field: UserField, value: string | null) =>
    call<UserDetail>("set_user_field", { id, field, value }),
  deleteUser: (id: string) => call<null>("delete_user", { id }),
  restoreUser: (id: string) => call<UserDetail>("restore_user", { id }),
  listTrash: () => call<UserSummary[]>("list_trash"),
  revealPassword: (id: string) => call<string | null>("reveal_password", { id }),

  addAddress: (userId: string, input: AddressInput) => call<UserDetail>("add_address", { user_id: userId, input }),
  updateAddress: (id: string, input: AddressInput) => call<UserDetail>("update_address", { id, input }),
  removeAddress: (id: string) => call<UserDetail>("remove_address", { id }),
  addSocialLink: (userId: string, input: SocialLinkInput) =>
    call<UserDetail>("add_social_link", { user_id: userId, input }),
  updateSocialLink: (id: string, input: SocialLinkInput) => call<UserDetail>("update_social_link", { id, input }),
  removeSocialLink: (id: string) => call<UserDetail>("remove_social_link", { id }),
  addCard: (userId: string, input: CardInput) => call<UserDetail>("add_card", { user_id: userId, input }),
  removeCard: (id: string) => call<UserDetail>("remove_card", { id }),
  removePushToken: (id: string) => call<UserDetail>("remove_push_token", { id }),
  setUserTeam: (userId: string, teamId: string, member: boolean) =>
    call<UserDetail>("set_user_team", { user_id: userId, team_id: teamId, member }),
  /** A custom field's value for one user, as people type it ("19.99 EUR", "Gold; Silver",
   *  "2024-05-06"); null or blank clears it (refused for a required field). */
  setCustomValue: (userId: string, fieldId: string, value: string | null) =>
    call<UserDetail>("set_custom_value", { user_id: userId, field_id: fieldId, value }),

  listTeams: () => call<Team[]>("list_teams"),
  createTeam: (name: string) => call<Team>("create_team", { name }),
  teamSizes: () => call<TeamSize[]>("team_sizes"),
  renameTeam: (id: string, name: string) => call<Team>("rename_team", { id, name }),
  deleteTeam: (id: string) => call<null>("delete_team", { id }),
  restoreTeam: (id: string) => call<Team>("restore_team", { id }),
  // Custom fields, in their order; errors about a value carry field "custom:<field id>".
  listCustomFields: () => call<CustomField[]>("list_custom_fields"),
  listDeletedCustomFields: () => call<CustomField[]>("list_deleted_custom_fields"),
  createCustomField: (input: CustomFieldInput) => call<CustomField>("create_custom_field", { input }),
  updateCustomField: (id: string, input: CustomFieldInput) => call<CustomField>("update_custom_field", { id, input }),
  reorderCustomFields: (ids: string[]) => call<CustomField[]>("reorder_custom_fields", { ids }),
  deleteCustomField: (id: string) => call<null>("delete_custom_field", { id }),
  restoreCustomField: (id: string) => call<CustomField>("restore_custom_field", { id }),
  listLocations: () => call<Location[]>("list_locations"),
  createLocation: (name: string) => call<Location>("create_location", { name }),
  renameLocation: (id: string, name: string) => call<Location>("rename_location", { id, name }),
  deleteLocation: (id: string) => call<null>("delete_location", { id }),

  // Notes: authored by this desktop's staff member (settings.current_staff_id).
  /** One page of a user's history, newest first (`query.before`: the last entry's `at`). */
  userActivity: (userId: string, query: ActivityQuery) => call<ActivityEntry[]>("user_activity", { user_id: userId, query }),
  /** The Overview's figures; `today` (local YYYY-MM-DD) decides what is overdue. */
  userFigures: (userId: string, today: string) => call<UserFigures>("user_summary", { user_id: userId, today }),

  listNotes: (userId: string) => call<Note[]>("list_notes", { user_id: userId }),
  addNote: (userId: string, input: NoteInput) => call<Note>("add_note", { user_id: userId, input }),
  editNote: (noteId: string, input: NoteInput) => call<Note>("edit_note", { note_id: noteId, input }),
  setNotePinned: (noteId: string, pinned: boolean) => call<Note>("set_note_pinned", { note_id: noteId, pinned }),
  deleteNote: (noteId: string) => call<null>("delete_note", { note_id: noteId }),
  restoreNote: (noteId: string) => call<Note>("restore_note", { note_id: noteId }),
  noteVersions: (noteId: string) => call<NoteVersion[]>("note_versions", { note_id: noteId }),
  /** Tags in use, most used first, starting with `prefix` (ignoring case and accents). */
  noteTags: (prefix: string, limit: number) => call<TagCount[]>("note_tags", { prefix, limit }),
  searchNotes: (query: NoteQuery) => call<NoteSearch>("search_notes", { query }),
  /** Opens a web, mail or phone link outside the app; anything else is refused. */
  openLink: (url: string) => call<null>("open_link", { url }),
  // The team directory (Settings) and tasks on users.
  listStaff: () => call<Staff[]>("list_staff"),
  addStaff: (input: StaffInput) => call<Staff>("add_staff", { input }),
  updateStaff: (id: string, input: StaffInput) => call<Staff>("update_staff", { id, input }),
  removeStaff: (id: string) => call<null>("remove_staff", { id }),
  /** One user's tasks: outstanding first, then completed. */
  listUserTasks: (userId: string) => call<Task[]>("list_user_tasks", { user_id: userId }),
  /** The Tasks view, grouped against `today` (the local date, YYYY-MM-DD). */
  listTasks: (filter: TaskFilter, today: string) => call<TaskGroups>("list_tasks", { filter, today }),
  createTask: (userId: string, input: TaskInput) => call<Task>("create_task", { user_id: userId, input }),
  updateTask: (id: string, input: TaskInput) => call<Task>("update_task", { id, input }),
  completeTask: (id: string) => call<Task>("complete_task", { id }),
  reopenTask: (id: string) => call<Task>("reopen_task", { id }),
  deleteTask: (id: string) => call<null>("delete_task", { id }),
  restoreTask: (id: string) => call<Task>("restore_task", { id }),
  listTaskStatuses: () => call<TaskStatus[]>("list_task_statuses"),
  addTaskStatus: (name: string, isDone: boolean) => call<TaskStatus>("add_task_status", { name, is_done: isDone }),
  updateTaskStatus: (id: string, name: string, isDone: boolean) =>
    call<TaskStatus>("update_task_status", { id, name, is_done: isDone }),
  reorderTaskStatuses: (ids: string[]) => call<TaskStatus[]>("reorder_task_statuses", { ids }),
  removeTaskStatus: (id: string) => call<null>("remove_task_status", { id }),
  listTaskCategories: () => call<TaskCategory[]>("list_task_categories"),
  addTaskCategory: (name: string) => call<TaskCategory>("add_task_category", { name }),
  renameTaskCategory: (id: string, name: string) => call<TaskCategory>("rename_task_category", { id, name }),
  reorderTaskCategories: (ids: string[]) => call<TaskCategory[]>("reorder_task_categories", { ids }),
  removeTaskCategory: (id: string) => call<null>("remove_task_category", { id }),

  // Files attached to users. Dropped or picked files are known by opaque tokens.
  /** Newest first; only those of `kind` when given (the Media tab asks for images, then videos). */
  listFiles: (userId: string, kind: FileKind | null = null) => call<Attachment[]>("list_files", { user_id: userId, kind }),
  /** Attaches dropped files; each file that could not be attached is in `failed`, with why. */
  attachFiles: (userId: string, tokens: string[]) => call<AttachReport>("attach_files", { user_id: userId, tokens }),
  /** The native multi-file picker, then the chosen files attached (an empty report when cancelled). */
  chooseFilesToAttach: (userId: string) => call<AttachReport>("choose_files_to_attach", { user_id: userId }),
  renameFile: (id: string, name: string) => call<Attachment>("rename_file", { id, name }),
  deleteFile: (id: string) => call<null>("delete_file", { id }),
  restoreFile: (id: string) => call<Attachment>("restore_file", { id }),
  /** Files of every user by name (3+ letters, ignoring case and accents) and kind, newest first. */
  findFiles: (query: string, kind: FileKind | null, limit: number) => call<FileSearch>("find_files", { query, kind, limit }),
  /** Opens the file with the default app for its type. */
  openFile: (id: string) => call<null>("open_file", { id }),
  showFileInFolder: (id: string) => call<null>("show_file_in_folder", { id }),
  /** The native save dialog, then a copy; the saved file's name, or null when cancelled. */
  saveFileCopy: (id: string) => call<string | null>("save_file_copy", { id }),
  /** A small PNG data URL of an image; null for files without one. */
  fileThumbnail: (id: string) => call<string | null>("file_thumbnail", { id }),
  /** The image at up to 1600 px as a JPEG data URL, for a profile's cover band. */
  coverImage: (id: string) => call<string | null>("cover_image", { id }),
  /** Makes one of the user's images their profile or cover image; null removes it. */
  setUserImage: (userId: string, role: ImageRole, attachmentId: string | null) =>
    call<UserImages>("set_user_image", { user_id: userId, role, attachment_id: attachmentId }),
  /** The native image picker, then the image attached and used; null = cancelled. */
  chooseUserImage: (userId: string, role: ImageRole) => call<UserImages | null>("choose_user_image", { user_id: userId, role }),

  // Sync with the office's Kith server; the background worker reports through onSyncStatus.
  syncStatus: () => call<SyncStatus>("sync_status"),
  /** Signs this computer in (the device token stays in Rust); a refusal says why. */
  syncLogin: (serverUrl: string, email: string, password: string, workspace: string | null, fingerprint: string | null = null) =>
    call<SyncStatus>("sync_login", { server_url: serverUrl, email, password, workspace, fingerprint }),
  /** The certificate authority an https server presents, to compare before trusting it; trusts nothing. */
  syncServerCertificate: (serverUrl: string) => call<ServerCertificate>("sync_server_certificate", { server_url: serverUrl }),
  syncLogout: () => call<null>("sync_logout"),
  syncNow: () => call<SyncReport>("sync_now"),
  /** The sync worker's status, each time it changes. */
  onSyncStatus: (handler: (status: SyncStatus) => void): Promise<UnlistenFn> =>
    listen<SyncStatus>(EVENTS.syncStatus, (event) => handler(event.payload)),
  /** Others' changes were merged here: views showing data refetch. */
  onRemoteChanges: (handler: () => void): Promise<UnlistenFn> => listen<number>(EVENTS.remoteChanges, () => handler()),

  getSettings: () => call<Settings>("get_settings"),
  updateSettings: (settings: Settings) => call<Settings>("update_settings", { settings }),

  // CSV import. Files are known by an opaque token: their paths never leave Rust.
  /** The native open dialog; null when the person cancelled. */
  chooseImportFile: () => call<ChosenFile | null>("choose_import_file"),
  /**
   * The file's first rows under `mapping` (null = the saved mapping for these headers, else auto),
   * read as `encoding` (null = as detected).
   */
  previewImport: (token: string, mapping: ImportTarget[] | null, encoding: ImportEncoding | null = null, sheet: string | null = null) =>
    call<ImportPreview>("preview_import", { token, mapping, encoding, sheet }),
  /** Runs (or dry-runs) an import; a cancel rejects with kind "cancelled" and changes nothing. */
  runImport: (token: string, request: ImportRequest, onProgress: (progress: ImportProgress) => void) =>
    call<ImportReport>("run_import", { token, request, on_progress: channel(onProgress) }),
  cancelImport: () => call<null>("cancel_import"),
  /** The native save dialog, then the refused rows with a reason column; the saved file's name, or null. */
  saveImportErrors: (token: string, errors: ImportCellError[], encoding: ImportEncoding | null = null, sheet: string | null = null) =>
    call<string | null>("save_import_errors", { token, errors, encoding, sheet }),
  /** Reverts an import; `onProgress` hears how many of its users are done. */
  listImports: (limit: number) => call<ImportRecord[]>("list_imports", { limit }),
  undoImport: (batchId: string, onProgress: (progress: ImportProgress) => void) =>
    call<ImportUndoReport>("undo_import", { batch_id: batchId, on_progress: channel(onProgress) }),

  /** The native save dialog, then the users streamed to it; null when the person cancelled. */
  /** How many users a search finds in all (the search itself returns a page). */
  countSearchMatches: (query: string) => call<number>("count_search_matches", { query }),
  exportUsers: (request: ExportRequest, onProgress: (rows: number) => void) =>
    call<ExportDone | null>("export_users", { request, on_progress: channel(onProgress) }),
  cancelExport: () => call<null>("cancel_export"),

  /** A drag of files entered (true) or left (false) the window. */
  onDragHover: (handler: (hovering: boolean) => void): Promise<UnlistenFn> =>
    listen<boolean>(EVENTS.dragHover, (event) => handler(event.payload)),
  /** The names of the files a drag brings, as it enters the window (never their paths). */
  onDragFiles: (handler: (names: string[]) => void): Promise<UnlistenFn> =>
    listen<string[]>(EVENTS.dragFiles, (event) => handler(event.payload)),
  /** Where a drag over the window is, in CSS pixels (null when unknown). */
  onDragOver: (handler: (point: DropPoint | null) => void): Promise<UnlistenFn> =>
    listen<DropPoint | null>(EVENTS.dragOver, (event) => handler(event.payload)),
  /** Files were dropped on the window (each registered with a token, or the reason it cannot
   *  be), and where. */
  onFilesDropped: (handler: (drop: FilesDrop) => void): Promise<UnlistenFn> =>
    listen<FilesDrop>(EVENTS.filesDropped, (event) => handler(event.payload)),
};
