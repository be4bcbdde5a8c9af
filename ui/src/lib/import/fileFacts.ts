// How a chosen file is described to people: size, text encoding, column separator.
import type { ImportEncoding } from "../ipc/generated/ImportEncoding";

export function formatBytes(bytes: number, locale: string | undefined = globalThis.navigator?.language): string {
  const units = ["bytes", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  let text: string;
  try {
    text = new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1 }).format(value);
  } catch {
    text = String(Math.round(value)); // a C/POSIX locale that is not a BCP 47 tag
  }
  return `${text} ${unit === 0 && bytes === 1 ? "byte" : units[unit]}`;
}

const ENCODINGS: Record<Exclude<ImportEncoding, { legacy: string }>, string> = {
  utf8: "UTF-8",
  utf8_bom: "UTF-8 with BOM",
  utf16_le: "UTF-16 (little-endian)",
  utf16_be: "UTF-16 (big-endian)",
  windows1252: "Windows-1252 (Western European)",
};

/** The legacy code pages Excel writes on Windows in each part of Europe, by their WHATWG names. */
const LEGACY: Record<string, string> = {
  "windows-1250": "Windows-1250 (Central European)",
  "windows-1251": "Windows-1251 (Cyrillic)",
  "windows-1253": "Windows-1253 (Greek)",
  "windows-1254": "Windows-1254 (Turkish)",
  "windows-1257": "Windows-1257 (Baltic)",
};

export const encodingLabel = (encoding: ImportEncoding) =>
  typeof encoding === "string" ? ENCODINGS[encoding] : (LEGACY[encoding.legacy] ?? encoding.legacy);

const DELIMITERS: Record<string, string> = { ",": "Comma", ";": "Semicolon", tab: "Tab", "\t": "Tab", "|": "Vertical bar" };

/** The core names the separator by its character, or "tab". */
export const delimiterLabel = (delimiter: string) => DELIMITERS[delimiter] ?? `“${delimiter}”`;
