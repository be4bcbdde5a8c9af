import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ImportEncoding } from "../ipc/generated/ImportEncoding";
import type { ImportPreview } from "../ipc/generated/ImportPreview";
import type { ImportPreviewRow } from "../ipc/generated/ImportPreviewRow";
import type { ImportReport } from "../ipc/generated/ImportReport";
import type { ImportRequest } from "../ipc/generated/ImportRequest";
import type { ImportTarget } from "../ipc/generated/ImportTarget";
import { catalog } from "../settings/catalog.svelte";
import { toasts } from "../shell/toasts.svelte";
import { callsOf, kithError, serve, type Handlers } from "../testing/ipc";
import type { FakeChannel } from "../testing/tauri";
import ImportDialog from "./ImportDialog.svelte";

vi.mock("@tauri-apps/api/core", async () => ({ invoke: vi.fn(), Channel: (await import("../testing/tauri")).FakeChannel }));

const FILE = { token: "tok-1", name: "customers.csv", size_bytes: 2048 };
const HEADERS = ["Given", "Surname", "Mail", "Notes"];
const AUTO: ImportTarget[] = [{ kind: "first_name" }, { kind: "last_name" }, { kind: "email" }, { kind: "ignore" }];
/** Data rows of the fake file (row 1 is the header). */
const CELLS = [
  ["Zoë", "Müller", "zoe@example.com", "likes tea"],
  ["Renée", "Dubois", "renee@example", ""],
  ["Jürgen", "Åberg", "jurgen@example.com", ""],
  ["Ana", "Núñez", "ana@example.com", "VIP"],
];
const BAD_EMAIL = { row: 3, column: "Mail", message: "This email address is missing a domain ending, like .com" };

/** What the core would make of the fake file under `mapping`. */
function rowsUnder(mapping: ImportTarget[]): ImportPreviewRow[] {
  return CELLS.map((cells, i) => {
    const row = i + 2;
    const has = (kind: ImportTarget["kind"]) => {
      const at = mapping.findIndex((t) => t.kind === kind);
      return at >= 0 ? cells[at] || null : null;
    };
    const email = has("email");
    if (email === "renee@example") return { row, user: null, errors: [BAD_EMAIL] };
    const custom = mapping.flatMap((t, c) => (t.kind === "custom" && cells[c] ? [{ name: t.name, value: cells[c] }] : []));
    return {
      row,
      errors: [],
      user: {
        kith_id: null, first_name: has("first_name"), last_name: has("last_name"), email, mobile_phone: null, home_phone: null,
        app_user_id: null, stripe_customer_id: null, teams: [], address: null, created_at: null, custom_values: custom, photo: null, photo_link: false,
      },
    };
  });
}

function preview(
  mapping: ImportTarget[] | null,
  saved: ImportTarget[] | null = null,
  encoding: ImportEncoding = "utf8",
  detected: ImportEncoding = encoding,
): ImportPreview {
  const chosen = mapping ?? saved ?? AUTO;
  return {
    file_name: FILE.name, format: "csv", size_bytes: FILE.size_bytes, encoding, detected_encoding: detected, delimiter: ",", titles: [], groups: [], sheet: null, sheets: [], headers: HEADERS,
    samples: HEADERS.map((_, i) => CELLS.map((r) => r[i]).filter(Boolean).slice(0, 3)),
    mapping: chosen, mapping_source: mapping ? "chosen" : saved ? "saved" : "auto", rows: rowsUnder(chosen),
  };
}

const DRY: ImportReport = { batch_id: null, created: 3, updated: 0, skipped: 0, unchanged: 0, failed: 1, to_fix: 1, errors: [BAD_EMAIL], new_teams: 0, new_team_names: [], photos: 0, photo_links: 0, committed: false };
const DONE: ImportReport = { batch_id: "batch-7", created: 3, updated: 0, skipped: 0, unchanged: 0, failed: 1, to_fix: 1, errors: [BAD_EMAIL], new_teams: 0, new_team_names: [], photos: 0, photo_links: 0, committed: true };

type RunArgs = { token: string; request: ImportRequest; on_progress: FakeChannel<{ rows: number; fraction: number }> };

/** A core that answers the import commands; `run` decides what each run_import does. */
function fakeCore(options: { run?: (args: RunArgs) => unknown; saved?: ImportTarget[]; extra?: Handlers } = {}) {
  return serve({
    choose_import_file: () => FILE,
    preview_import: ({ mapping }) => preview(mapping, options.saved ?? null),
    run_import: options.run ?? ((args: RunArgs) => (args.request.dry_run ? DRY : DONE)),
    cancel_import: () => null,
    save_import_errors: () => "customers - rows to fix.csv",
    undo_import: ({ batch_id }) => ({ batch_id, removed: 3, reverted: 0 }),
    ...options.extra,
  });
}

function renderDialog(file: typeof FILE | null = null) {
  const props = { file, onClose: vi.fn(), onChanged: vi.fn() };
  render(ImportDialog, props);
  return props;
}

const text = (el: Element) => (el.textContent ?? "").replace(/\s+/g, " ").trim();
const runRequests = () => callsOf("run_import").map((c) => c.request as ImportRequest);
const heading = () => screen.getByTestId("import-dialog").querySelector("[data-step-heading]") as HTMLElement;
const currentStep = () => screen.getByTestId("import-dialog").querySelector("[data-step]")?.getAttribute("data-step");

async function toMapping(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByTestId("import-choose-file"));
  await screen.findByTestId("import-mapping");
}

async function toCheck(user: ReturnType<typeof userEvent.setup>) {
  await toMapping(user);
  await user.click(screen.getByTestId("import-next"));
  await user.click(await screen.findByTestId("import-dry-run"));
  await screen.findByTestId("import-dry-run-result");
}

describe("Import dialog", () => {
  beforeEach(() => {
    toasts.length = 0;
    catalog.teams = [];
    catalog.customFields = [];
  });

  it("chooses a file, says how it was read, and previews the first rows as they will be stored", async () => {
    const user = userEvent.setup();
    fakeCore();
    renderDialog();
    expect(document.activeElement).toBe(screen.getByTestId("import-choose-file"));
    await toMapping(user);

    expect(callsOf("preview_import")).toEqual([{ token: "tok-1", mapping: null, encoding: null, sheet: null }]);
    expect(screen.getByTestId("import-file-facts").textContent).toMatch(/customers\.csv.*2 KB.*UTF-8.*Comma-separated.*4 columns/);
    expect(screen.getByTestId("mapping-source").textContent).toContain("matched by their names");
    expect(screen.queryByTestId("import-titles-skipped")).toBeNull();
    const selects = screen.getAllByTestId("mapping-target") as HTMLSelectElement[];
    expect(selects.map((s) => s.value)).toEqual(["first_name", "last_name", "email", "ignore"]);
    // A column left out still shows what it holds, so the person can recognise it.
    expect(within(screen.getAllByTestId("mapping-row")[3]).getByTestId("mapping-example").textContent).toBe(
      "Not imported: “likes tea”",
    );

    const table = screen.getByTestId("import-preview");
    expect([...table.querySelectorAll("th")].map((th) => th.textContent)).toEqual(["Row", "Name", "Email"]);
    expect(screen.getAllByTestId("preview-row").map((r) => r.textContent)).toEqual([
      "2Zoë Müllerzoe@example.com",
      "4Jürgen Åbergjurgen@example.com",
      "5Ana Núñezana@example.com",
    ]);
    const invalid = screen.getByTestId("preview-row-invalid");
    expect(invalid.textContent).toContain("3");
    expect(invalid.textContent).toContain("Mail: This email address is missing a domain ending");
    // The focus follows the step, so the keyboard is never left on a vanished button.
    expect(document.activeElement).toBe(heading());
  });

  it("previews again with the edited mapping when a column is pointed elsewhere", async () => {
    const user = userEvent.setup();
    fakeCore();
    renderDialog();
    await toMapping(user);

    await user.selectOptions(screen.getAllByTestId("mapping-target")[2], "ignore");

    await waitFor(() => expect(callsOf("preview_import")).toHaveLength(2));
    expect(callsOf("preview_import")[1]).toEqual({
      token: "tok-1",
      mapping: [{ kind: "first_name" }, { kind: "last_name" }, { kind: "ignore" }, { kind: "ignore" }],
      encoding: null,
      sheet: null,
    });
    // Without the email column Renée's row is valid, and the table has no Email column.
    await waitFor(() => expect(screen.queryByTestId("preview-row-invalid")).toBeNull());
    const table = screen.getByTestId("import-preview");
    expect([...table.querySelectorAll("th")].map((th) => th.textContent)).toEqual(["Row", "Name"]);
    expect(screen.getAllByTestId("preview-row")).toHaveLength(4);
  });

  it("maps a column to a new custom field by name, and shows its values in the preview", async () => {
    const user = userEvent.setup();
    fakeCore();
    renderDialog();
    await toMapping(user);

    await user.selectOptions(screen.getAllByTestId("mapping-target")[3], "custom:new");
    const name = screen.getByTestId("custom-field-name") as HTMLInputElement;
    expect(document.activeElement).toBe(name);
    expect(name.value).toBe("Notes");
    await user.clear(name);
    await user.type(name, "Front desk notes{Enter}");

    await waitFor(() => expect(callsOf("preview_import")).toHaveLength(2));
    expect((callsOf("preview_import")[1].mapping as ImportTarget[])[3]).toEqual({ kind: "custom", name: "Front desk notes" });
    await waitFor(() => expect(screen.getByTestId("import-preview").textContent).toContain("Front desk notes"));
    expect(screen.getAllByTestId("preview-row")[0].textContent).toContain("likes tea");
    // Enter named the field; it did not also move the dialog on.
    expect(currentStep()).toBe("mapping");
    expect((screen.getAllByTestId("mapping-target")[3] as HTMLSelectElement).value).toBe("custom=Front desk notes");
  });

  it("checks with a dry run, then makes the choice explicit: importing the valid rows skips the bad one", async () => {
    const user = userEvent.setup();
    catalog.teams = [{ id: "t1", name: "VIP" }, { id: "t2", name: "Wholesale" }];
    const onProgress = vi.fn();
    fakeCore({
      run: (args) => {
        onProgress(args.request.dry_run);
        args.on_progress.onmessage({ rows: 2000, fraction: 0.5 });
        return args.request.dry_run ? DRY : DONE;
      },
    });
    const { onChanged } = renderDialog();
    await toMapping(user);
    await user.click(screen.getByTestId("import-next"));

    await user.click(screen.getByTestId("import-mode-create"));
    await user.selectOptions(screen.getByTestId("import-match"), "phone");
    await user.click(screen.getAllByTestId("import-default-team")[1]);
    expect(screen.getByTestId("import-dialog").textContent).toContain("Blank cells keep existing values");
    await user.click(screen.getByTestId("import-dry-run"));

    const result = await screen.findByTestId("import-dry-run-result");
    expect(runRequests()).toEqual([
      { mode: "create", match_on: "phone", mapping: AUTO, default_teams: ["Wholesale"], default_values: [], dry_run: true, skip_invalid: false, save_mapping: false },
    ]);
    expect(text(within(result).getByTestId("count-created"))).toBe("to create 3");
    expect(text(within(result).getByTestId("count-rejected"))).toBe("rejected 1");
    expect(screen.getAllByTestId("import-error-row").map((r) => r.textContent)).toEqual([
      "3MailThis email address is missing a domain ending, like .com",
    ]);
    // With a rejected row, Enter chooses nothing: the person must pick.
    heading().focus();
    await user.keyboard("{Enter}");
    expect(runRequests()).toHaveLength(1);
    expect(screen.getByTestId("import-nothing")).toBeTruthy();

    await user.click(screen.getByTestId("import-valid-rows"));

    const summary = await screen.findByTestId("import-done");
    expect(runRequests()[1]).toEqual({
      mode: "create", match_on: "phone", mapping: AUTO, default_teams: ["Wholesale"], default_values: [], dry_run: false, skip_invalid: true, save_mapping: false,
    });
    expect(onProgress.mock.calls).toEqual([[true], [false]]);
    expect(text(screen.getByTestId("count-created"))).toBe("created 3");
    expect(screen.getByTestId("import-dialog").textContent).toContain("Import complete");
    expect(onChanged).toHaveBeenCalledTimes(1);
    await user.click(summary);
  });

  it("gives every imported user a new team and field values where the file leaves them blank", async () => {
    const user = userEvent.setup();
    catalog.teams = [{ id: "t1", name: "VIP" }];
    catalog.customFields = [
      { id: "f1", name: "Lead source", kind: "text", position: 1, required: false, options: [], currency: null },
      { id: "f2", name: "Tier", kind: "single_select", position: 2, required: false, options: [{ id: "o1", label: "Gold" }, { id: "o2", label: "Silver" }], currency: null },
    ];
    let refuse = true;
    fakeCore({
      run: (args) => {
        if (refuse) throw kithError("Lead source: This looks like a full card number", "default_values");
        return args.request.dry_run ? DRY : DONE;
      },
    });
    renderDialog();
    await toMapping(user);
    await user.click(screen.getByTestId("import-next"));

    // A team typed here is offered, checked, beside the workspace's; typed again, not twice.
    await user.type(screen.getByTestId("import-new-team"), "  Autumn   fair{Enter}");
    await user.type(screen.getByTestId("import-new-team"), "autumn fair");
    await user.click(screen.getByTestId("import-add-team"));
    const teams = screen.getAllByTestId("import-default-team") as HTMLInputElement[];
    expect(teams.map((t) => [t.parentElement?.textContent?.trim(), t.checked])).toEqual([["VIP", false], ["Autumn fair", true]]);
    expect((screen.getByTestId("import-new-team") as HTMLInputElement).value).toBe("");
    // Unticked, a typed team stays on offer, to tick again.
    await user.click(teams[1]);
    await user.click(screen.getAllByTestId("import-default-team")[1]);
    expect((screen.getAllByTestId("import-default-team") as HTMLInputElement[]).map((t) => t.checked)).toEqual([false, true]);

    // One row per field; each field once; a value typed for each.
    await user.click(screen.getByTestId("import-add-default"));
    expect(document.activeElement).toBe(within(screen.getByTestId("import-defaults")).getByTestId("custom-value-input"));
    await user.keyboard("Fair");
    await user.click(screen.getByTestId("import-add-default"));
    expect(screen.queryByTestId("import-add-default")).toBeNull();
    const fields = screen.getAllByTestId("import-default-field") as HTMLSelectElement[];
    expect(fields.map((f) => f.value)).toEqual(["Lead source", "Tier"]);
    expect([...fields[1].options].map((o) => o.value)).toEqual(["Tier"]);
    // Choosing another field keeps the row, and the focus on its field.
    await user.click(screen.getByRole("button", { name: "Remove Tier" }));
    await user.selectOptions(screen.getAllByTestId("import-default-field")[0], "Tier");
    expect(document.activeElement).toBe(screen.getAllByTestId("import-default-field")[0]);
    await user.selectOptions(screen.getAllByTestId("import-default-field")[0], "Lead source");
    await user.type(within(screen.getByTestId("import-defaults")).getByTestId("custom-value-input"), "Fair");
    await user.click(screen.getByTestId("import-add-default"));
    await user.selectOptions(within(screen.getAllByTestId("import-default-value")[1]).getByRole("combobox", { name: "Tier" }), "Gold");

    // The core refuses a value: back on this step, with its reason beside the values.
    await user.click(screen.getByTestId("import-dry-run"));
    await waitFor(() => expect(currentStep()).toBe("options"));
    expect(within(screen.getByTestId("import-defaults")).getByRole("alert").textContent).toContain("card number");
    const leadSource = within(screen.getByTestId("import-defaults")).getByTestId("custom-value-input");
    expect(leadSource.getAttribute("aria-invalid")).toBe("true");
    // Typing again: the reason was about the value as it was.
    await user.type(leadSource, "!");
    await user.keyboard("{Backspace}");
    expect(within(screen.getByTestId("import-defaults")).queryByRole("alert")).toBeNull();
    expect(leadSource.getAttribute("aria-invalid")).toBeNull();

    refuse = false;
    await user.click(screen.getByRole("button", { name: "Remove Tier" }));
    await user.click(screen.getByTestId("import-dry-run"));
    await screen.findByTestId("import-dry-run-result");
    expect(runRequests()[1]).toMatchObject({
      default_teams: ["Autumn fair"],
      default_values: [{ field: "Lead source", value: "Fair" }],
    });
  });

  it("Import nothing writes nothing and says so", async () => {
    const user = userEvent.setup();
    fakeCore();
    const { onClose, onChanged } = renderDialog();
    await toCheck(user);

    await user.click(screen.getByTestId("import-nothing"));

    expect(runRequests().map((r) => r.dry_run)).toEqual([true]);
    expect(onClose).toHaveBeenCalled();
    expect(onChanged).not.toHaveBeenCalled();
    expect(toasts.map((t) => t.message)).toEqual(["Nothing was imported from customers.csv"]);
  });

  it("without rejected rows, Enter imports, and the run is strict (skip_invalid false)", async () => {
    const user = userEvent.setup();
    const clean = { ...DRY, failed: 0, to_fix: 0, errors: [] };
    fakeCore({ run: (args) => (args.request.dry_run ? clean : { ...clean, batch_id: "b1", committed: true }) });
    renderDialog();
    await toMapping(user);
    // Enter goes on from the step heading, step by step.
    heading().focus();
    await user.keyboard("{Enter}");
    expect(currentStep()).toBe("options");
    await user.keyboard("{Enter}");
    await screen.findByTestId("import-run");
    expect(screen.getByTestId("import-run").textContent).toContain("Import 3 users");
    await waitFor(() => expect(document.activeElement).toBe(heading()));
    await user.keyboard("{Enter}");

    await screen.findByTestId("import-done");
    expect(runRequests().map((r) => [r.dry_run, r.skip_invalid])).toEqual([[true, false], [false, false]]);
  });

  it("shows progress while importing, stays open on Escape, and a cancel says nothing was changed", async () => {
    const user = userEvent.setup();
    let rejectRun: (e: unknown) => void = () => {};
    let channel: RunArgs["on_progress"] | null = null;
    fakeCore({
      run: (args) => {
        if (args.request.dry_run) return DRY;
        channel = args.on_progress;
        return new Promise((_, reject) => (rejectRun = reject));
      },
      extra: {
        cancel_import: () => {
          rejectRun(kithError("the import was cancelled; nothing was changed", null, "cancelled"));
          return null;
        },
      },
    });
    const { onClose, onChanged } = renderDialog();
    await toCheck(user);
    await user.click(screen.getByTestId("import-valid-rows"));

    await screen.findByTestId("import-progress");
    expect(screen.getByTestId("import-progress-detail").textContent).toBe("Starting…");
    channel!.onmessage({ rows: 2000, fraction: 0.25 });
    await waitFor(() => expect(screen.getByTestId("import-progress-detail").textContent).toBe("2,000 rows read"));
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");

    await user.keyboard("{Escape}");
    expect(onClose).not.toHaveBeenCalled();

    await user.click(screen.getByTestId("import-cancel"));

    const cancelled = await screen.findByTestId("import-cancelled");
    expect(cancelled.textContent).toContain("nothing was changed");
    expect(callsOf("cancel_import")).toHaveLength(1);
    expect(onChanged).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(heading());
    // Once it has stopped, Escape closes again.
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
  });

  it("undoes the import after a confirmation, with progress, and reports what was reverted", async () => {
    const user = userEvent.setup();
    let channel: RunArgs["on_progress"] | null = null;
    let finishUndo: (report: unknown) => void = () => {};
    fakeCore({
      run: (args) => (args.request.dry_run ? DRY : { ...DONE, new_teams: 2, new_team_names: ["Fair", "Spring"] }),
      extra: {
        undo_import: (args: { batch_id: string; on_progress: RunArgs["on_progress"] }) => {
          channel = args.on_progress;
          return new Promise((resolve) => (finishUndo = resolve));
        },
      },
    });
    const { onChanged } = renderDialog();
    await toCheck(user);
    await user.click(screen.getByTestId("import-valid-rows"));
    await screen.findByTestId("import-done");
    expect(onChanged).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("import-undo-hint").textContent).toContain("now or later from Settings → Imports");

    await user.click(screen.getByTestId("import-undo"));
    const confirmation = screen.getByTestId("import-undo-confirmation");
    expect(confirmation.textContent).toContain("3 users it created go to the trash. The 2 teams it created go too, unless someone uses them.");
    expect(screen.getByTestId("import-new-teams").textContent).toBe("Created 2 new teams: “Fair” and “Spring”");
    expect(callsOf("undo_import")).toEqual([]);
    expect(document.activeElement).toBe(screen.getByTestId("import-undo-confirm"));
    await user.click(screen.getByTestId("import-undo-confirm"));

    // The undo holds the writer for as long as the import did: it shows how far it has got.
    await screen.findByTestId("import-undo-progress");
    expect(screen.getByTestId("import-undo-progress-detail").textContent).toBe("Starting…");
    channel!.onmessage({ rows: 2, fraction: 2 / 3 });
    await waitFor(() => expect(screen.getByTestId("import-undo-progress-detail").textContent).toBe("2 of 3 users"));
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("67");
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("import-undo-progress")).toBeTruthy();
    finishUndo({ batch_id: "batch-7", removed: 3, reverted: 1, teams_removed: 1, fields_removed: 2 });

    expect((await screen.findByTestId("import-undone")).textContent?.trim()).toBe(
      "Undone: 3 new users were moved to the trash and 1 updated user has their previous values back. 1 team and 2 custom fields it created were removed too, as nobody uses them.",
    );
    expect(screen.queryByTestId("import-undo-progress")).toBeNull();
    expect(callsOf("undo_import").map((c) => c.batch_id)).toEqual(["batch-7"]);
    expect(onChanged).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId("import-undo")).toBeNull();
  });

  it("saves the rows to fix with the dry run's errors and says where", async () => {
    const user = userEvent.setup();
    fakeCore();
    renderDialog();
    await toCheck(user);

    await user.click(screen.getByTestId("import-save-errors"));

    expect(callsOf("save_import_errors")).toEqual([{ token: "tok-1", errors: [BAD_EMAIL], encoding: null, sheet: null }]);
    expect((await screen.findByTestId("import-errors-saved")).textContent).toContain("customers - rows to fix.csv");
  });

  it("calls a vCard file's records cards, from the preview to the rows to fix", async () => {
    const user = userEvent.setup();
    fakeCore({ extra: { preview_import: ({ mapping }) => ({ ...preview(mapping), file_name: "contacts.vcf", format: "vcard" }) } });
    renderDialog();
    await toMapping(user);
    expect(text(screen.getByTestId("import-dialog"))).toContain("the first 4 cards as they will be stored");
    expect(text(screen.getByTestId("import-preview-invalid"))).toBe("1 card highlighted will not be imported as it is");
    await user.click(screen.getByTestId("import-next"));
    await user.click(await screen.findByTestId("import-dry-run"));
    await screen.findByTestId("import-dry-run-result");

    expect(text(heading())).toContain("1 card cannot be imported as it is");
    expect(text(screen.getByTestId("import-save-errors"))).toBe("Save cards to fix…");
    expect(text(screen.getByTestId("import-valid-rows"))).toBe("Import the 3 valid cards");
    await user.click(screen.getByTestId("import-valid-rows"));
    await screen.findByTestId("import-done");
    expect(text(screen.getByTestId("import-dialog"))).toContain("1 card was not imported.");
    expect(text(screen.getByTestId("import-save-errors"))).toBe("Save cards to fix…");
  });

  it("reads a workbook's first sheet, and another one chosen, through to the run and the rows to fix", async () => {
    const user = userEvent.setup();
    const workbook = (sheet: string | null) => ({
      ...preview(null),
      file_name: "Customers.xlsx",
      format: "sheet" as const,
      sheet: sheet ?? "Customers",
      sheets: ["Customers", "Archive"],
    });
    fakeCore({ extra: { preview_import: ({ sheet }) => workbook(sheet as string | null) } });
    renderDialog();
    await toMapping(user);
    const facts = screen.getByTestId("import-file-facts");
    expect(text(facts)).not.toContain("Comma-separated");
    expect(within(facts).queryByTestId("import-encoding")).toBeNull();
    const picker = screen.getByTestId("import-sheet") as HTMLSelectElement;
    expect(picker.value).toBe("Customers");
    expect([...picker.options].map((o) => o.textContent)).toEqual(["Sheet “Customers”", "Sheet “Archive”"]);

    await user.selectOptions(picker, "Archive");
    await waitFor(() => expect(callsOf("preview_import").at(-1)).toEqual({ token: "tok-1", mapping: null, encoding: null, sheet: "Archive" }));
    expect((screen.getByTestId("import-sheet") as HTMLSelectElement).value).toBe("Archive");

    await user.click(screen.getByTestId("import-next"));
    await user.click(await screen.findByTestId("import-dry-run"));
    await screen.findByTestId("import-dry-run-result");
    expect(runRequests()[0].sheet).toBe("Archive");
    await user.click(screen.getByTestId("import-save-errors"));
    expect(callsOf("save_import_errors").at(-1)).toEqual({ token: "tok-1", errors: [BAD_EMAIL], encoding: null, sheet: "Archive" });
  });

  it("offers no rows to fix when no rejected row is one (a report's footer, a contact group)", async () => {
    const user = userEvent.setup();
    fakeCore({ run: (args) => (args.request.dry_run ? { ...DRY, to_fix: 0 } : { ...DONE, to_fix: 0 }) });
    renderDialog();
    await toCheck(user);

    expect(screen.getByTestId("import-errors")).toBeTruthy();
    expect(screen.queryByTestId("import-save-errors")).toBeNull();
    await user.click(screen.getByTestId("import-valid-rows"));
    await screen.findByTestId("import-done");
    expect(screen.queryByTestId("import-save-errors")).toBeNull();
  });

  it("announces a saved mapping, and remembers an edited one only on the real run", async () => {
    const user = userEvent.setup();
    const saved: ImportTarget[] = [{ kind: "first_name" }, { kind: "last_name" }, { kind: "email" }, { kind: "custom", name: "Notes" }];
    fakeCore({ saved });
    renderDialog();
    await toMapping(user);
    expect(screen.getByTestId("mapping-source").textContent).toContain("saved mapping");
    expect((screen.getAllByTestId("mapping-target")[3] as HTMLSelectElement).value).toBe("custom=Notes");

    await user.click(screen.getByTestId("remember-mapping"));
    await user.click(screen.getByTestId("import-next"));
    await user.click(screen.getByTestId("import-dry-run"));
    await screen.findByTestId("import-dry-run-result");
    await user.click(screen.getByTestId("import-valid-rows"));
    await screen.findByTestId("import-done");

    expect(runRequests().map((r) => [r.dry_run, r.save_mapping])).toEqual([[true, false], [false, true]]);
    expect(runRequests()[1].mapping).toEqual(saved);
  });

  it("opens at the columns of a dropped file, and shows why a file cannot be read", async () => {
    const user = userEvent.setup();
    fakeCore({
      extra: {
        preview_import: ({ token }) =>
          token === "bad" ? Promise.reject(kithError("report.csv is not a CSV file Kith can read", "file")) : preview(null),
        choose_import_file: () => ({ token: "bad", name: "report.csv", size_bytes: 10 }),
      },
    });
    renderDialog(FILE);
    await screen.findByTestId("import-mapping");
    expect(screen.getByTestId("import-file-name").textContent).toBe("customers.csv");

    await user.click(screen.getByText("Back"));
    await user.click(screen.getByTestId("import-choose-file"));

    expect((await screen.findByTestId("import-error")).textContent).toContain("is not a CSV file Kith can read");
    expect(currentStep()).toBe("file");
    expect(screen.queryByTestId("import-next")).toBeNull();
  });
  it("reads the file again in the text encoding chosen, and imports and saves the rows to fix with it", async () => {
    const user = userEvent.setup();
    fakeCore({
      extra: {
        preview_import: ({ mapping, encoding }) => preview(mapping, null, (encoding as ImportEncoding | null) ?? "windows1252"),
      },
    });
    renderDialog();
    await toMapping(user);
    const picker = screen.getByTestId("import-encoding") as HTMLSelectElement;
    expect(picker.value).toBe("windows1252");
    expect(picker.selectedOptions[0].textContent).toBe("Windows-1252 (Western European) — detected");
    expect([...picker.options].map((o) => o.value)).not.toContain("utf8");
    expect(screen.getByTestId("import-encoding-guess").textContent).toContain("choose another text encoding");

    await user.selectOptions(picker, "legacy:macintosh");
    await waitFor(() => expect(callsOf("preview_import")).toHaveLength(2));
    expect(callsOf("preview_import")[1]).toEqual({ token: "tok-1", mapping: null, encoding: { legacy: "macintosh" }, sheet: null });
    await waitFor(() => expect((screen.getByTestId("import-encoding") as HTMLSelectElement).value).toBe("legacy:macintosh"));
    expect(screen.queryByTestId("import-encoding-guess")).toBeNull();

    await user.click(screen.getByTestId("import-next"));
    await user.click(screen.getByTestId("import-dry-run"));
    await screen.findByTestId("import-dry-run-result");
    expect(runRequests()[0].encoding).toEqual({ legacy: "macintosh" });
    await user.click(screen.getByTestId("import-save-errors"));
    await waitFor(() => expect(callsOf("save_import_errors")).toHaveLength(1));
    expect(callsOf("save_import_errors")[0].encoding).toEqual({ legacy: "macintosh" });
  });

  it("keeps the columns the person pointed elsewhere when the encoding changes", async () => {
    const user = userEvent.setup();
    fakeCore({ extra: { preview_import: ({ mapping, encoding }) => preview(mapping, null, (encoding as ImportEncoding | null) ?? "windows1252") } });
    renderDialog();
    await toMapping(user);
    await user.selectOptions(screen.getAllByTestId("mapping-target")[2], "ignore");
    await waitFor(() => expect(callsOf("preview_import")).toHaveLength(2));
    await user.selectOptions(screen.getByTestId("import-encoding"), "legacy:macintosh");
    await waitFor(() => expect(callsOf("preview_import")).toHaveLength(3));
    expect(callsOf("preview_import")[2]).toEqual({
      token: "tok-1",
      mapping: [{ kind: "first_name" }, { kind: "last_name" }, { kind: "ignore" }, { kind: "ignore" }],
      encoding: { legacy: "macintosh" },
      sheet: null,
    });
  });

  it("keeps the encoding it had when the file cannot be read in the one chosen", async () => {
    const user = userEvent.setup();
    fakeCore({
      extra: {
        preview_import: ({ mapping, encoding }) =>
          encoding
            ? Promise.reject(kithError("customers.csv could not be read that way", "file"))
            : preview(mapping, null, "windows1252"),
      },
    });
    renderDialog();
    await toMapping(user);
    await user.selectOptions(screen.getByTestId("import-encoding"), "legacy:windows-1250");
    expect((await screen.findByTestId("import-error")).textContent).toContain("could not be read that way");
    await waitFor(() => expect((screen.getByTestId("import-encoding") as HTMLSelectElement).value).toBe("windows1252"));
    await user.click(screen.getByTestId("import-next"));
    await user.click(screen.getByTestId("import-dry-run"));
    await screen.findByTestId("import-dry-run-result");
    expect(runRequests()[0].encoding).toBeUndefined();
  });

  it("reads a file in the encoding saved with its mapping, until the person chooses another", async () => {
    const user = userEvent.setup();
    const latin9: ImportEncoding = { legacy: "ISO-8859-15" };
    fakeCore({
      extra: {
        // The core applies the saved encoding when none is named and the file's was guessed.
        preview_import: ({ mapping, encoding }) =>
          encoding
            ? preview(mapping, null, encoding as ImportEncoding, encoding as ImportEncoding)
            : { ...preview(mapping, null, latin9, "windows1252"), mapping_source: "saved" as const },
      },
    });
    renderDialog();
    await toMapping(user);
    const picker = screen.getByTestId("import-encoding") as HTMLSelectElement;
    expect(picker.value).toBe("legacy:ISO-8859-15");
    expect([...picker.options].find((o) => o.value === "windows1252")?.textContent).toBe("Windows-1252 (Western European) — detected");
    expect(screen.getByTestId("mapping-source").textContent).toContain("with the text encoding you chose for them");
    expect(screen.queryByTestId("import-encoding-guess")).toBeNull();
    await user.click(screen.getByTestId("import-next"));
    await user.click(screen.getByTestId("import-dry-run"));
    await screen.findByTestId("import-dry-run-result");
    expect(runRequests()[0].encoding).toEqual(latin9);

    // Back to the detected one: named, so the saved encoding does not come back over it.
    await user.click(screen.getByText("Back"));
    await user.click(screen.getByText("Back"));
    await user.selectOptions(screen.getByTestId("import-encoding"), "windows1252");
    await waitFor(() => expect(callsOf("preview_import")).toHaveLength(2));
    expect(callsOf("preview_import")[1].encoding).toBe("windows1252");
    await waitFor(() => expect((screen.getByTestId("import-encoding") as HTMLSelectElement).value).toBe("windows1252"));
    // Read as guessed again, the hint that it was guessed is back.
    expect(screen.getByTestId("import-encoding-guess")).toBeTruthy();
  });

  it("offers no encoding for a file whose encoding is certain, and nothing to import from a file of headers only", async () => {
    const user = userEvent.setup();
    fakeCore({ extra: { preview_import: ({ mapping }) => ({ ...preview(mapping, null, "utf8_bom"), rows: [] }) } });
    renderDialog();
    await toMapping(user);
    expect(screen.queryByTestId("import-encoding")).toBeNull();
    expect(screen.getByTestId("import-file-facts").textContent).toContain("UTF-8 with BOM");
    expect(screen.getByTestId("import-preview-empty").textContent).toContain("no customers under it");
    expect((screen.getByTestId("import-next") as HTMLButtonElement).disabled).toBe(true);
  });

  it("says which title lines above the column names were left out", async () => {
    const user = userEvent.setup();
    const titles = ["Customer Contact List", "Acme Bakery Ltd.", "All Dates"];
    fakeCore({ extra: { preview_import: ({ mapping }) => ({ ...preview(mapping), titles }) } });
    renderDialog();
    await toMapping(user);
    expect(screen.getByTestId("import-titles-skipped").textContent).toContain(
      "The lines above the column names were left out: “Customer Contact List”, “Acme Bakery Ltd.”, “All Dates”.",
    );
  });
});
