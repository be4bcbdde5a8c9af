// Dev-only stand-in for CSV import and export (see devMock.ts): one fake file whose rows go
// through the chosen mapping, runs that report progress and can be cancelled, and an export
// that "writes" the users. Good enough to click through every step of the dialogs.
import { emit } from "@tauri-apps/api/event";
import type { KithError } from "./api";
import type { ChosenFile } from "./generated/ChosenFile";
import type { ImportCellError } from "./generated/ImportCellError";
import type { ImportPreviewRow } from "./generated/ImportPreviewRow";
import type { ImportPreviewUser } from "./generated/ImportPreviewUser";
import type { ImportProgress } from "./generated/ImportProgress";
import type { ImportReport } from "./generated/ImportReport";
import type { ImportRequest } from "./generated/ImportRequest";
import type { ImportTarget } from "./generated/ImportTarget";
import type { NewUser } from "./generated/NewUser";
import type { UserDetail } from "./generated/UserDetail";

const HEADERS = ["First Name", "Last Name", "E-mail Address", "Mobile Phone", "Company", "Customer since", "Notes for the front desk (free text)"];
const ROWS = [
  ["Zoë", "Müller", "zoe@example.com", "+1 415 555 0101", "Acme", "2023-04-01", "Prefers mornings"],
  ["Renée", "Dubois", "renee@example", "+33 1 23 45 67 89", "", "2022-11-12", ""],
  ["Jürgen", "Åberg", "jurgen@example.com", "", "Nordic AB", "", "VIP"],
  ["", "", "", "", "", "", ""],
  ["Ana", "Núñez", "ana@example.com", "4111 1111 1111 1111", "", "", ""],
  ["Kenji", "Sato", "kenji@example.com", "+81 3 1234 5678", "Sato & Co", "2021-01-30", ""],
];
const AUTO: ImportTarget[] = [{ kind: "first_name" }, { kind: "last_name" }, { kind: "email" }, { kind: "mobile_phone" }, { kind: "ignore" }, { kind: "created_at" }, { kind: "ignore" }];
/** The fake file pretends to be this long, so progress and cancel can be seen. */
const PRETEND_ROWS = 12_000;

const fail = (kind: KithError["kind"], message: string, field: string | null = null): never => {
  throw { kind, message, field } satisfies KithError;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function readRow(row: number, cells: string[], mapping: ImportTarget[]): ImportPreviewRow {
  const user: ImportPreviewUser = {
    kith_id: null, first_name: null, last_name: null, email: null, mobile_phone: null, home_phone: null,
    app_user_id: null, stripe_customer_id: null, teams: [], address: null, created_at: null, custom_values: [], photo: null, photo_link: false,
  };
  const errors: ImportCellError[] = [];
  mapping.forEach((target, i) => {
    const cell = cells[i]?.trim();
    if (!cell) return;
    const error = (message: string) => errors.push({ row, column: HEADERS[i], message });
    if (/\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}/.test(cell)) return error("This looks like a full card number. Kith never stores card numbers — remove it");
    switch (target.kind) {
      case "first_name":
      case "last_name":
      case "app_user_id":
        user[target.kind] = cell;
        break;
      case "full_name":
        [user.first_name, user.last_name] = [cell.split(" ")[0], cell.split(" ").slice(1).join(" ") || null];
        break;
      case "email":
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(cell)) error("This email address is missing a domain ending, like .com");
        else user.email = cell.toLowerCase();
        break;
      case "mobile_phone":
      case "home_phone":
      case "phone":
        user[target.kind === "home_phone" ? "home_phone" : "mobile_phone"] = "+" + cell.replace(/\D/g, "");
        break;
      case "created_at":
        user.created_at = Date.parse(cell);
        break;
      case "teams":
        user.teams.push(...cell.split(/[;,]/).map((t) => t.trim()));
        break;
      case "custom":
        user.custom_values.push({ name: target.name, value: cell });
        break;
      default:
        break;
    }
  });
  if (!user.first_name && !user.last_name && errors.length === 0) errors.push({ row, column: "", message: "This row has no first or last name" });
  return errors.length ? { row, user: null, errors } : { row, user, errors };
}

function readAll(mapping: ImportTarget[]) {
  return ROWS.map((cells, i) => ({ cells, row: i + 2 }))
    .filter(({ cells }) => cells.some((c) => c.trim()))
    .map(({ cells, row }) => readRow(row, cells, mapping));
}

type Store = { users: Map<string, UserDetail>; create: (draft: NewUser) => UserDetail; changed: () => void };

// Arguments arrive untyped over IPC, as in devMock.ts; the handlers trust docs/IPC.md.
export function importHandlers(store: Store): Record<string, (args: any) => unknown> {
  let saved: ImportTarget[] | null = null;
  let cancelImport = false;
  let cancelExport = false;
  const batches = new Map<string, string[]>();
  const file = (name = "customers.csv"): ChosenFile => ({ token: `dev-${name}`, name, size_bytes: 1_843_200 });

  installDevDrops(file);

  return {
    choose_import_file: () => file(),
    preview_import: ({ token, mapping, encoding }) => {
      if (!String(token).startsWith("dev-")) fail("not_found", "That file is no longer available — choose it again");
      const chosen = mapping ?? saved ?? AUTO;
      return {
        file_name: String(token).slice(4),
        format: "csv",
        size_bytes: 1_843_200,
        encoding: encoding ?? "windows1252",
        detected_encoding: encoding ?? "windows1252",
        delimiter: ",",
        titles: [], groups: [], sheet: null, sheets: [],
        headers: HEADERS,
        samples: HEADERS.map(() => []),
        mapping: chosen,
        mapping_source: mapping ? "chosen" : saved ? "saved" : "auto",
        rows: readAll(chosen),
      };
    },
    run_import: async ({ request, on_progress }: { request: ImportRequest; on_progress: { onmessage: (p: ImportProgress) => void } }) => {
      cancelImport = false;
      for (let step = 1; step <= 6; step++) {
        await sleep(250);
        if (cancelImport) fail("cancelled", "the import was cancelled; nothing was changed");
        on_progress.onmessage({ rows: (PRETEND_ROWS / 6) * step, fraction: step / 6 });
      }
      if (request.save_mapping && !request.dry_run) saved = request.mapping;
      const rows = readAll(request.mapping);
      const bad = rows.filter((r) => r.errors.length);
      const good = rows.flatMap((r) => (r.user ? [r.user] : []));
      const report: ImportReport = {
        batch_id: null,
        created: request.mode === "update" ? 0 : good.length,
        updated: 0,
        skipped: request.mode === "update" ? good.length : 0,
        unchanged: 0,
        failed: bad.length,
        to_fix: bad.length,
        errors: bad.flatMap((r) => r.errors),
        new_teams: 0,
        new_team_names: [],
        photos: 0,
        photo_links: 0,
        committed: !request.dry_run && (bad.length === 0 || request.skip_invalid),
      };
      if (report.committed && report.created > 0) {
        const ids = good.map((u) => store.create({ first_name: u.first_name ?? "", last_name: u.last_name ?? "", email: u.email, mobile_phone: u.mobile_phone, home_phone: null, custom_values: [] }).id);
        report.batch_id = `batch-${Date.now()}`;
        batches.set(report.batch_id, ids);
      }
      return report;
    },
    cancel_import: () => ((cancelImport = true), null),
    save_import_errors: ({ token }) => `${String(token).slice(4).replace(/\.\w+$/, "")} - rows to fix.csv`,
    // The browser preview keeps no record of its imports.
    list_imports: () => [],
    undo_import: ({ batch_id }) => {
      const ids = batches.get(batch_id) ?? fail("not_found", `import batch ${batch_id} not found`);
      batches.delete(batch_id);
      for (const id of ids) store.users.get(id)!.deleted_at = Date.now();
      store.changed();
      return { batch_id, removed: ids.length, reverted: 0, teams_removed: 0, fields_removed: 0, already_deleted: 0 };
    },
    export_users: async ({ request, on_progress }) => {
      cancelExport = false;
      const total = [...store.users.values()].filter((u) => !u.deleted_at).length;
      for (let rows = 0; rows < total; rows += 5000) {
        await sleep(120);
        if (cancelExport) fail("cancelled", "the export was cancelled");
        on_progress.onmessage(rows);
      }
      return { file_name: request.query ? `Kith users - ${request.query}.csv` : "Kith users.csv", rows: total };
    },
    cancel_export: () => ((cancelExport = true), null),
  };
}

/** In a plain browser, files dragged onto the page play the part of Tauri's drag-drop events. */
function installDevDrops(file: (name: string) => ChosenFile) {
  let depth = 0;
  window.addEventListener("dragenter", (e) => {
    e.preventDefault();
    if (depth++ === 0) void emit("drag-hover", true);
  });
  window.addEventListener("dragleave", () => {
    if (--depth === 0) void emit("drag-hover", false);
  });
  window.addEventListener("dragover", (e) => {
    e.preventDefault();
    void emit("drag-over", { x: e.clientX, y: e.clientY });
  });
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    depth = 0;
    void emit("drag-hover", false);
    const names = [...(e.dataTransfer?.files ?? [])].map((f) => f.name);
    void emit("files-dropped", { files: names.map((name) => ({ name, file: file(name), error: null })), position: { x: e.clientX, y: e.clientY } });
  });
}
