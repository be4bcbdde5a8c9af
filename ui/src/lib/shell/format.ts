// Names, initials and dates as people read them, in their own locale.

type Named = { first_name: string; last_name: string; email: string | null; mobile_phone: string | null; home_phone: string | null };

export function fullName(user: Named): string {
  return `${user.first_name} ${user.last_name}`.trim() || user.email || user.mobile_phone || "Unnamed user";
}

export function initials(user: Named): string {
  const letters = [user.first_name, user.last_name].map((part) => part.trim().charAt(0)).join("");
  return (letters || fullName(user).charAt(0)).toUpperCase();
}

/** The one contact line a list row has room for. */
export function primaryContact(user: Named): string {
  return user.email || user.mobile_phone || user.home_phone || "";
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
