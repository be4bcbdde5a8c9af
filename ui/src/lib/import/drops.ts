// What to do with files dropped on the window: import the first CSV, Excel or vCard file, and say
// plainly what happened to everything else.
import type { ChosenFile } from "../ipc/generated/ChosenFile";
import type { DroppedFile } from "../ipc/generated/DroppedFile";

/** Extensions the importer reads (the same list the native open dialog filters on). */
const IMPORTABLE = ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods", "vcf", "vcard"];

const extension = (name: string) => {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
};

export const isImportable = (name: string) => IMPORTABLE.includes(extension(name));

export type DropOutcome = {
  /** The file to import, if any was usable. */
  file: ChosenFile | null;
  /** What to tell the person: an error when nothing can be imported, else a note. */
  message: { text: string; tone: "info" | "error" } | null;
};

/** Why one dropped file cannot be imported. */
function refusal(dropped: DroppedFile): string {
  if (dropped.error) return dropped.error;
  const ext = extension(dropped.name);
  return ext
    ? `Only CSV, Excel and vCard files can be imported — ${dropped.name} is a .${ext}`
    : `Only CSV, Excel and vCard files can be imported — ${dropped.name} is neither`;
}

const list = (names: string[]) =>
  names.length <= 3 ? names.join(", ") : `${names.slice(0, 2).join(", ")} and ${names.length - 2} more`;

export function sortDrop(files: readonly DroppedFile[]): DropOutcome {
  const usable = files.find((f) => f.file && !f.error && isImportable(f.name));
  if (!usable) {
    if (files.length === 0) return { file: null, message: null };
    if (files.length === 1) return { file: null, message: { text: refusal(files[0]), tone: "error" } };
    return {
      file: null,
      message: { text: `None of these can be imported: ${list(files.map((f) => f.name))} — drop one CSV, Excel or vCard file`, tone: "error" },
    };
  }
  const others = files.filter((f) => f !== usable).map((f) => f.name);
  return {
    file: usable.file,
    message: others.length
      ? { text: `Importing ${usable.name} — one file at a time, so ${list(others)} ${others.length === 1 ? "was" : "were"} left out`, tone: "info" }
      : null,
  };
}
