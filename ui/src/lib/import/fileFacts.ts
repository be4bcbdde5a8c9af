// How a chosen file is described to people: size, text encoding, column separator.
import type { ImportContactGroup } from "../ipc/generated/ImportContactGroup";
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

/**
 * Legacy code pages by their WHATWG names, with the script or region they are for: those the
 * core's detector can name, and those it cannot but a person may know the file is in.
 */
const LEGACY: Record<string, string> = {
  "windows-1250": "Windows-1250 (Central European)",
  "windows-1251": "Windows-1251 (Cyrillic)",
  "windows-1253": "Windows-1253 (Greek)",
  "windows-1254": "Windows-1254 (Turkish)",
  "windows-1255": "Windows-1255 (Hebrew)",
  "windows-1256": "Windows-1256 (Arabic)",
  "windows-1257": "Windows-1257 (Baltic)",
  "windows-1258": "Windows-1258 (Vietnamese)",
  "windows-874": "Windows-874 (Thai)",
  macintosh: "Mac OS Roman (Excel for Mac)",
  "x-mac-cyrillic": "Mac OS Cyrillic",
  "ISO-8859-2": "ISO-8859-2 (Central European)",
  "ISO-8859-4": "ISO-8859-4 (Baltic)",
  "ISO-8859-5": "ISO-8859-5 (Cyrillic)",
  "ISO-8859-6": "ISO-8859-6 (Arabic)",
  "ISO-8859-7": "ISO-8859-7 (Greek)",
  "ISO-8859-8": "ISO-8859-8 (Hebrew)",
  "ISO-8859-15": "ISO-8859-15 (Western European)",
  "KOI8-R": "KOI8-R (Russian)",
  "KOI8-U": "KOI8-U (Ukrainian)",
  IBM866: "IBM866 (Cyrillic, DOS)",
  Shift_JIS: "Shift_JIS (Japanese)",
  "EUC-JP": "EUC-JP (Japanese)",
  "EUC-KR": "EUC-KR (Korean)",
  GBK: "GBK (Chinese, simplified)",
  gb18030: "GB18030 (Chinese, simplified)",
  Big5: "Big5 (Chinese, traditional)",
};

export const encodingLabel = (encoding: ImportEncoding) =>
  typeof encoding === "string" ? ENCODINGS[encoding] : (LEGACY[encoding.legacy] ?? encoding.legacy);

/**
 * A legacy code page was guessed from the letters' statistics, and may be wrong. The others are
 * certain: a byte order mark names its encoding, and a file that is valid UTF-8 is UTF-8.
 */
export const encodingIsGuessed = (encoding: ImportEncoding) => typeof encoding !== "string" || encoding === "windows1252";

/** One string per encoding, for a select's values. */
export const encodingKey = (encoding: ImportEncoding) => (typeof encoding === "string" ? encoding : `legacy:${encoding.legacy}`);

const fromKey = (key: string): ImportEncoding => (key.startsWith("legacy:") ? { legacy: key.slice(7) } : (key as ImportEncoding));

/** The code pages a file that is not UTF-8 can be read in, by the script they are for. */
const CHOICES: { group: string; keys: string[] }[] = [
  { group: "Western European", keys: ["windows1252", "legacy:macintosh", "legacy:ISO-8859-15"] },
  { group: "Central European", keys: ["legacy:windows-1250", "legacy:ISO-8859-2"] },
  {
    group: "Cyrillic",
    keys: ["legacy:windows-1251", "legacy:KOI8-R", "legacy:KOI8-U", "legacy:IBM866", "legacy:x-mac-cyrillic", "legacy:ISO-8859-5"],
  },
  { group: "Greek", keys: ["legacy:windows-1253", "legacy:ISO-8859-7"] },
  { group: "Turkish", keys: ["legacy:windows-1254"] },
  { group: "Baltic", keys: ["legacy:windows-1257", "legacy:ISO-8859-4"] },
  { group: "Hebrew", keys: ["legacy:windows-1255", "legacy:ISO-8859-8"] },
  { group: "Arabic", keys: ["legacy:windows-1256", "legacy:ISO-8859-6"] },
  { group: "Asian", keys: ["legacy:windows-874", "legacy:windows-1258", "legacy:Shift_JIS", "legacy:EUC-JP", "legacy:EUC-KR", "legacy:GBK", "legacy:gb18030", "legacy:Big5"] },
];

export type EncodingChoice = { key: string; encoding: ImportEncoding; label: string };

/**
 * What a file whose code page was guessed as `detected` can be read as instead, grouped; the
 * guess is always there, marked as such, and so is `current`, the one it is read in now (a saved
 * mapping's may be none of the usual ones).
 */
export function encodingChoices(
  detected: ImportEncoding,
  current: ImportEncoding = detected,
): { group: string; choices: EncodingChoice[] }[] {
  const detectedKey = encodingKey(detected);
  const groups = [...CHOICES];
  const others = [...new Set([detectedKey, encodingKey(current)])].filter((k) => !groups.some((g) => g.keys.includes(k)));
  if (others.length > 0) groups.push({ group: "Other", keys: others });
  return groups.map(({ group, keys }) => ({
    group,
    choices: keys.map((key) => {
      const encoding = fromKey(key);
      const label = encodingLabel(encoding);
      return { key, encoding, label: key === detectedKey ? `${label} — detected` : label };
    }),
  }));
}

const DELIMITERS: Record<string, string> = { ",": "Comma", ";": "Semicolon", tab: "Tab", "\t": "Tab", "|": "Vertical bar" };

/** The core names the separator by its character, or "tab". */
export const delimiterLabel = (delimiter: string) => DELIMITERS[delimiter] ?? `“${delimiter}”`;

/** Title lines longer than this are cut: a report's heading, not a paragraph. */
const TITLE_CHARS = 60;
/** Title lines named; more are counted. */
const TITLES_NAMED = 3;

/** What is said of the title lines found above a file's header row, which are not imported. */
export function titlesNote(titles: string[]): string {
  // By characters, not UTF-16 units, so an emoji is never cut in half.
  const cut = (t: string) => {
    const chars = Array.from(t);
    return chars.length > TITLE_CHARS ? `${chars.slice(0, TITLE_CHARS - 1).join("")}…` : t;
  };
  const named = titles.slice(0, TITLES_NAMED).map((t) => `“${cut(t)}”`);
  const more = titles.length - named.length;
  const list = more > 0 ? `${named.join(", ")} and ${more} more` : named.join(", ");
  const lines = titles.length === 1 ? "The title above the column names was" : "The lines above the column names were";
  return `${lines} left out: ${list}.`;
}

/**
 * What became of a vCard file's contact groups: they are no customers, and each member's
 * Categories column holds their names (imported as teams unless mapped otherwise).
 */
export function groupsNote(groups: ImportContactGroup[]): string {
  const cards = (n: number) => `${n} ${n === 1 ? "card" : "cards"}`;
  const named = groups
    .slice(0, TITLES_NAMED)
    .map((g) => (g.name ? `“${g.name}” (${cards(g.members)})` : `one with no name (${cards(g.members)}, no team)`));
  const more = groups.length - named.length;
  const list = more > 0 ? `${named.join(", ")} and ${more} more` : named.join(", ");
  const which = groups.length === 1 ? "The contact group" : "The contact groups";
  return `${which} ${list} ${groups.length === 1 ? "is" : "are"} not imported as customers: each member has the group's name in its Categories.`;
}
