// Names, initials, phone numbers, counts and dates as people read them, in their own locale.
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { settings } from "../settings/settings.svelte";

type Named = { first_name: string; last_name: string; email: string | null; mobile_phone: string | null; home_phone: string | null };

export function fullName(user: Named): string {
  return `${user.first_name} ${user.last_name}`.trim() || user.email || phoneOrNull(user.mobile_phone) || "Unnamed user";
}

export function initials(user: Named): string {
  const letters = [user.first_name, user.last_name].map((part) => part.trim().charAt(0)).join("");
  return (letters || fullName(user).charAt(0)).toUpperCase();
}

/** The one contact line a list row has room for. */
export function primaryContact(user: Named): string {
  return user.email || phoneOrNull(user.mobile_phone) || phoneOrNull(user.home_phone) || "";
}

/**
 * A stored phone number (E.164, "+15551234567") as people write it: in the national format
 * when the number belongs to `region` ("(555) 123-4567" for a US shop), else internationally
 * ("+44 20 7123 4567"). Anything that does not parse is shown exactly as stored.
 * `region` defaults to Settings.default_region, read reactively.
 */
export function formatPhone(value: string, region: string | null | undefined = settings.current?.default_region): string {
  const number = parsePhoneNumberFromString(value);
  if (!number || !number.isPossible()) return value;
  return region && number.country === region.toUpperCase() ? number.formatNational() : number.formatInternational();
}

function phoneOrNull(value: string | null): string | null {
  return value ? formatPhone(value) : null;
}

const countFormats = new Map<string, Intl.NumberFormat>();

function groupedFormat(locale: string | undefined): Intl.NumberFormat | null {
  try {
    const format = new Intl.NumberFormat(locale, { useGrouping: true, maximumFractionDigits: 0 });
    // The C/POSIX locale of some webviews resolves to a format without separators.
    return /^\d+$/.test(format.format(1_234_567)) ? null : format;
  } catch {
    return null; // not a BCP 47 tag ("C", "POSIX")
  }
}

/** A count with its thousands grouped ("20,000"), in the user's locale when that groups. */
export function formatCount(n: number, locale: string | undefined = globalThis.navigator?.language): string {
  const cacheKey = locale ?? "";
  let format = countFormats.get(cacheKey);
  if (!format) {
    format = groupedFormat(locale) ?? groupedFormat("en-US")!;
    countFormats.set(cacheKey, format);
  }
  return format.format(n);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 1000],
  ["minute", 60_000],
  ["hour", 3_600_000],
  ["day", 86_400_000],
];
const RECENT_MS = 7 * 86_400_000;

export function exactTime(ms: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(ms);
}

/** "3 hr. ago" within a week, the locale's date beyond; pair with exactTime() as a title. */
export function relativeTime(ms: number, now = Date.now()): string {
  const diff = ms - now;
  if (Math.abs(diff) >= RECENT_MS) return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(ms);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });
  let unit = UNITS[0];
  for (const candidate of UNITS) if (Math.abs(diff) >= candidate[1]) unit = candidate;
  return rtf.format(Math.round(diff / unit[1]), unit[0]);
}

/** The time a job has left, said as a person would: "a few seconds left", "about 35 seconds
 *  left", "about a minute left", "about 12 minutes left". */
export function timeLeft(ms: number): string {
  if (ms < 10_000) return "a few seconds left";
  if (ms < 57_500) return `about ${Math.round(ms / 5_000) * 5} seconds left`;
  const minutes = Math.round(ms / 60_000);
  if (minutes === 1) return "about a minute left";
  if (minutes < 90) return `about ${minutes} minutes left`;
  return `about ${Math.round(ms / 3_600_000)} hours left`;
}

/** Where a job stood at a moment: how far along (0 to 1), and when (ms). */
export type Progress = { at: number; fraction: number };

/** How long a job has left at the pace it went from `since` to `now`; null until that is
 *  long enough to tell (3 seconds and 2% of the job), and near the end, where a job's
 *  last step (an import's commit and index builds) is not paced like the rest. */
export function msLeft(since: Progress, now: Progress): number | null {
  const elapsed = now.at - since.at;
  const done = now.fraction - since.fraction;
  if (elapsed < 3_000 || done < 0.02 || now.fraction >= 0.99) return null;
  return (elapsed * (1 - now.fraction)) / done;
}

/** A message from the core ("cannot reach the Kith server at …") as a sentence for a
 *  toast or a status line: a capital first letter and a closing full stop. The core's
 *  messages are lower-case clauses so they read well inside other messages too. */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const first = text[0].toLocaleUpperCase() + text.slice(1);
  return /[.!?…)]$/.test(first) ? first : `${first}.`;
}
