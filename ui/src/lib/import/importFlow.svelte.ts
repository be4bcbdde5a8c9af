// The import dialog's state and steps, apart from how they look: file → columns → options
// → check (dry run) → import → done. Every call to the core goes through here, so the
// components only render state and call these methods.
import { api, type KithError } from "../ipc/api";
import type { ChosenFile } from "../ipc/generated/ChosenFile";
import type { ImportCellError } from "../ipc/generated/ImportCellError";
import type { ImportDefaultValue } from "../ipc/generated/ImportDefaultValue";
import type { ImportEncoding } from "../ipc/generated/ImportEncoding";
import type { ImportMappingSource } from "../ipc/generated/ImportMappingSource";
import type { ImportMatch } from "../ipc/generated/ImportMatch";
import type { ImportMode } from "../ipc/generated/ImportMode";
import type { ImportPreview } from "../ipc/generated/ImportPreview";
import type { ImportProgress } from "../ipc/generated/ImportProgress";
import type { ImportReport } from "../ipc/generated/ImportReport";
import type { ImportRequest } from "../ipc/generated/ImportRequest";
import type { ImportTarget } from "../ipc/generated/ImportTarget";
import type { ImportUndoReport } from "../ipc/generated/ImportUndoReport";

export type Step = "file" | "mapping" | "options" | "check" | "import" | "done";

export const STEPS: { id: Step; label: string }[] = [
  { id: "file", label: "File" },
  { id: "mapping", label: "Columns" },
  { id: "options", label: "Options" },
  { id: "check", label: "Check" },
  { id: "import", label: "Import" },
  { id: "done", label: "Done" },
];

/** What the dialog is waiting for. */
export type Busy = "choose" | "preview" | "dry-run" | "import" | "undo" | "save";

export type Hooks = {
  /** The database changed (an import was kept, or undone): lists must reload. */
  onChanged: () => void;
};

/** The singular and plural of what a file holds. */
export type Records = { one: string; many: string };
const ROWS: Records = { one: "row", many: "rows" };
const CARDS: Records = { one: "card", many: "cards" };

export class ImportFlow {
  step = $state<Step>("file");
  file = $state<ChosenFile | null>(null);
  preview = $state<ImportPreview | null>(null);
  /** One target per column, as the person has it now. */
  mapping = $state<ImportTarget[]>([]);
  /**
   * The file's encoding as detected (the first preview's), and as the person chose it or as a
   * saved mapping brought it (`encodingFromSaved`); null reads it as detected.
   */
  detected = $state<ImportEncoding | null>(null);
  encoding = $state<ImportEncoding | null>(null);
  encodingFromSaved = $state(false);
  /** A workbook's sheet the person chose; null reads its first sheet holding values. */
  sheet = $state<string | null>(null);
  /** Where the mapping first shown came from ("saved" is worth telling). */
  firstSource = $state<ImportMappingSource | null>(null);
  rememberMapping = $state(false);
  mode = $state<ImportMode>("upsert");
  matchOn = $state<ImportMatch>("email");
  /** Team names every imported user joins (new ones are created by the import). */
  defaultTeams = $state<string[]>([]);
  /** Team names typed on the Options step, offered beside the workspace's even when unticked. */
  newTeams = $state<string[]>([]);
  /**
   * Custom field values for the fields a row leaves blank; a draft without a value is left out.
   * `key` tells the drafts apart while their field changes.
   */
  defaultValues = $state<(ImportDefaultValue & { key: number })[]>([]);

  busy = $state<Busy | null>(null);
  progress = $state<ImportProgress | null>(null);
  /** The dry run's report. */
  check = $state<ImportReport | null>(null);
  /** The real run's report. */
  report = $state<ImportReport | null>(null);
  undone = $state<ImportUndoReport | null>(null);
  /** The last run (dry or real) was cancelled: nothing was changed. */
  cancelled = $state(false);
  /** What went wrong last, shown in the step it happened in. */
  error = $state<KithError | null>(null);
  /** The file the rows to fix were saved to. */
  savedErrorsAs = $state<string | null>(null);

  #hooks: Hooks;
  #previewSeq = 0;
  /** The person pointed a column somewhere: their mapping outlives a change of encoding. */
  #remapped = false;

  constructor(hooks: Hooks) {
    this.#hooks = hooks;
  }

  /** A run or an undo holds the database's writer: the dialog must stay open and modal. */
  get running(): boolean {
    return this.busy === "dry-run" || this.busy === "import" || this.busy === "undo";
  }

  /** What the file holds, as the steps name it: a vCard file's cards, a CSV file's rows. */
  get records(): Records {
    return this.preview?.format === "vcard" ? CARDS : ROWS;
  }

  /** Valid rows the real run would write. */
  get importable(): number {
    return this.check ? this.check.created + this.check.updated : 0;
  }

  async choose() {
    if (this.busy) return;
    this.busy = "choose";
    this.error = null;
    try {
      const file = await api.chooseImportFile();
      this.busy = null;
      if (file) await this.open(file);
    } catch (e) {
      this.error = e as KithError;
    } finally {
      if (this.busy === "choose") this.busy = null;
    }
  }

  /** Starts over with `file` (chosen or dropped): its preview, then the Columns step. */
  async open(file: ChosenFile) {
    if (this.running) return;
    this.file = file;
    this.preview = null;
    this.detected = null;
    this.encoding = null;
    this.encodingFromSaved = false;
    this.sheet = null;
    this.mapping = [];
    this.#remapped = false;
    this.firstSource = null;
    this.rememberMapping = false;
    this.#forgetRuns();
    this.error = null;
    this.step = "file";
    if (await this.#loadPreview(null)) this.step = "mapping";
  }

  /** Points column `column` somewhere else and refreshes the preview under the new mapping. */
  async remap(column: number, target: ImportTarget) {
    this.mapping[column] = target;
    this.#remapped = true;
    this.#forgetRuns();
    await this.#loadPreview($state.snapshot(this.mapping));
  }

  /**
   * Reads the file as `encoding` instead. The header names may read differently, so columns the
   * person has not pointed anywhere yet are matched again (by a saved mapping, else by their
   * names); a mapping they edited is kept. The encoding is named even when it is the detected
   * one, so a saved mapping's encoding does not come back over the person's choice.
   */
  async readAs(encoding: ImportEncoding) {
    if (this.running) return;
    const before = { encoding: this.encoding, firstSource: this.firstSource, fromSaved: this.encodingFromSaved };
    this.encoding = encoding;
    this.encodingFromSaved = false;
    if (!this.#remapped) this.firstSource = null;
    this.#forgetRuns();
    const seq = this.#previewSeq + 1;
    const mapping = this.#remapped ? $state.snapshot(this.mapping) : null;
    // A file that cannot be read that way keeps the preview it had, so the encoding goes
    // back with it: the next run must read the file as the preview shows it.
    if (!(await this.#loadPreview(mapping)) && this.#previewSeq === seq) {
      this.encoding = before.encoding;
      this.firstSource = before.firstSource;
      this.encodingFromSaved = before.fromSaved;
    }
  }

  /**
   * Reads another sheet of the workbook. Its columns are its own: they are matched afresh (by a
   * saved mapping, else by their names). A sheet that cannot be read keeps the preview it had.
   */
  async readSheet(sheet: string) {
    if (this.running) return;
    const before = { sheet: this.sheet, firstSource: this.firstSource, remapped: this.#remapped };
    this.sheet = sheet;
    this.#remapped = false;
    this.firstSource = null;
    this.#forgetRuns();
    const seq = this.#previewSeq + 1;
    if (!(await this.#loadPreview(null)) && this.#previewSeq === seq) {
      this.sheet = before.sheet;
      this.firstSource = before.firstSource;
      this.#remapped = before.remapped;
    }
  }

  /** Returns whether a preview arrived (answers to older mappings are dropped). */
  async #loadPreview(mapping: ImportTarget[] | null): Promise<boolean> {
    if (!this.file) return false;
    const seq = ++this.#previewSeq;
    this.busy = "preview";
    try {
      const preview = await api.previewImport(this.file.token, mapping, $state.snapshot(this.encoding), this.sheet);
      if (seq !== this.#previewSeq) return false;
      this.preview = preview;
      this.detected ??= preview.detected_encoding;
      // Read as detected, the file got the encoding saved with its mapping: the runs read it so.
      if (this.encoding === null && JSON.stringify(preview.encoding) !== JSON.stringify(preview.detected_encoding)) {
        this.encoding = preview.encoding;
        this.encodingFromSaved = true;
      }
      this.mapping = [...preview.mapping];
      this.firstSource ??= preview.mapping_source;
      this.error = null;
      return true;
    } catch (e) {
      if (seq === this.#previewSeq) this.error = e as KithError;
      return false;
    } finally {
      if (seq === this.#previewSeq) this.busy = null;
    }
  }

  goTo(step: Step) {
    if (this.running) return;
    this.error = null;
    this.step = step;
  }

  /** Any change of mapping or options makes an earlier dry run stale. */
  #forgetRuns() {
    this.check = null;
    this.report = null;
    this.undone = null;
    this.cancelled = false;
    this.savedErrorsAs = null;
  }

  optionsChanged() {
    this.#forgetRuns();
  }

  request(dryRun: boolean, skipInvalid: boolean): ImportRequest {
    return {
      mode: this.mode,
      match_on: this.matchOn,
      mapping: $state.snapshot(this.mapping),
      ...(this.encoding ? { encoding: $state.snapshot(this.encoding) } : {}),
      ...(this.sheet ? { sheet: this.sheet } : {}),
      default_teams: [...this.defaultTeams],
      default_values: this.defaultValues.filter((d) => d.value.trim() !== "").map(({ field, value }) => ({ field, value })),
      dry_run: dryRun,
      skip_invalid: skipInvalid,
      save_mapping: this.rememberMapping && !dryRun,
    };
  }

  /** Does the whole import and rolls it back: what would be created, updated, skipped, rejected. */
  async dryRun() {
    if (!this.file || this.busy) return;
    this.#forgetRuns();
    this.step = "check";
    await this.#run("dry-run", this.request(true, false), (report) => (this.check = report));
  }

  /**
   * The real import. With rejected rows in the dry run the person has chosen to import the
   * valid ones (skip_invalid); without any, a row that has become invalid since (the file
   * changed) makes the core write nothing rather than part of what was checked.
   */
  async run() {
    if (!this.file || this.busy) return;
    const skipInvalid = (this.check?.failed ?? 0) > 0;
    this.step = "import";
    this.report = null;
    this.undone = null;
    this.cancelled = false;
    await this.#run("import", this.request(false, skipInvalid), (report) => {
      this.report = report;
      this.step = "done";
      if (report.committed) this.#hooks.onChanged();
    });
  }

  /** `done` gets the report in the same update that ends `busy`, so no in-between state shows. */
  async #run(busy: "dry-run" | "import", request: ImportRequest, done: (report: ImportReport) => void) {
    this.busy = busy;
    this.progress = null;
    this.error = null;
    this.cancelled = false;
    try {
      done(await api.runImport(this.file!.token, request, (p) => (this.progress = p)));
    } catch (e) {
      const error = e as KithError;
      if (error.kind === "cancelled") this.cancelled = true;
      else this.error = error;
      // A default value the field refuses is put right where it was typed.
      if (error.field === "default_values") this.step = "options";
    } finally {
      this.busy = null;
      this.progress = null;
    }
  }

  async cancel() {
    if (this.busy !== "dry-run" && this.busy !== "import") return;
    try {
      await api.cancelImport();
    } catch (e) {
      this.error = e as KithError;
    }
  }

  /** Saves the original rows behind `errors`, with their reasons, where the person chooses. */
  async saveErrors(errors: ImportCellError[]) {
    if (!this.file || this.busy) return;
    this.busy = "save";
    this.error = null;
    try {
      const name = await api.saveImportErrors(this.file.token, errors, $state.snapshot(this.encoding), this.sheet);
      if (name) this.savedErrorsAs = name;
    } catch (e) {
      this.error = e as KithError;
    } finally {
      this.busy = null;
    }
  }

  async undo() {
    const batch = this.report?.batch_id;
    if (!batch || this.busy || this.undone) return;
    this.busy = "undo";
    this.error = null;
    this.progress = null;
    try {
      this.undone = await api.undoImport(batch, (p) => (this.progress = p));
      this.#hooks.onChanged();
    } catch (e) {
      this.error = e as KithError;
    } finally {
      this.busy = null;
      this.progress = null;
    }
  }
}
