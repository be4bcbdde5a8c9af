// A preview row's values as the person reads them: names joined, phones formatted the way
// the rest of the app shows them, dates in their locale.
import type { ImportPreviewUser } from "../ipc/generated/ImportPreviewUser";
import type { ImportTarget } from "../ipc/generated/ImportTarget";
import { formatCount, formatPhone } from "../shell/format";

const join = (...parts: (string | null | undefined)[]) => parts.filter((p) => p && p.trim()).join(" ") || null;

export const formatDate = (ms: number) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(ms);

export type PreviewColumn = {
  id: string;
  label: string;
  value: (user: ImportPreviewUser) => string | null;
  mono?: boolean;
  /** The picture shown in place of the text, when there is one. */
  image?: (user: ImportPreviewUser) => string | null;
};

/** "JPEG photo, 48 KB"; a link to one, or a file's name, which the import does not fetch. */
export function photoText(u: ImportPreviewUser): string | null {
  if (u.photo) return `${u.photo.mime.replace("image/", "").toUpperCase()} photo, ${formatCount(Math.ceil(u.photo.size_bytes / 1000))} KB`;
  return u.photo_link ? "Link, not in the file: not imported" : null;
}

/** Every field a preview can show, in profile order; a table shows those some row has. */
export const PREVIEW_COLUMNS: PreviewColumn[] = [
  { id: "photo", label: "Photo", value: photoText, image: (u) => u.photo?.thumbnail ?? null },
  { id: "name", label: "Name", value: (u) => join(u.first_name, u.last_name) },
  { id: "email", label: "Email", value: (u) => u.email },
  { id: "mobile", label: "Mobile", value: (u) => (u.mobile_phone ? formatPhone(u.mobile_phone) : null) },
  { id: "home", label: "Home phone", value: (u) => (u.home_phone ? formatPhone(u.home_phone) : null) },
  { id: "app", label: "App user ID", value: (u) => u.app_user_id, mono: true },
  { id: "stripe", label: "Stripe ID", value: (u) => u.stripe_customer_id, mono: true },
  { id: "teams", label: "Teams", value: (u) => (u.teams.length ? u.teams.join(", ") : null) },
  {
    id: "address",
    label: "Address",
    value: (u) =>
      u.address
        ? [u.address.street, join(u.address.postal_code, u.address.city), u.address.region, u.address.country].filter((p) => p && p.trim()).join(", ") || null
        : null,
  },
  { id: "created", label: "Created", value: (u) => (u.created_at === null ? null : formatDate(u.created_at)) },
  { id: "kith", label: "Kith ID", value: (u) => u.kith_id, mono: true },
];

const customValue = (u: ImportPreviewUser, name: string) =>
  u.custom_values.find((c) => c.name.toLowerCase() === name.toLowerCase())?.value ?? null;

/** The preview's columns: the fixed fields some row fills, then each custom field named. */
export function previewColumns(users: ImportPreviewUser[]): PreviewColumn[] {
  const fixed = PREVIEW_COLUMNS.filter((c) => users.some((u) => c.value(u)));
  const names = new Map<string, string>();
  for (const u of users) for (const c of u.custom_values) if (!names.has(c.name.toLowerCase())) names.set(c.name.toLowerCase(), c.name);
  const custom = [...names.values()].map((name) => ({ id: `custom:${name}`, label: name, value: (u: ImportPreviewUser) => customValue(u, name) }));
  return [...fixed, ...custom];
}

/**
 * What one column became in a stored row, for the mapping table's example. Null where the
 * stored row cannot say which column a value came from (a "Phone (any)" column, the paired
 * phone type/number columns) or the column is not imported.
 */
export function storedValue(target: ImportTarget, u: ImportPreviewUser): string | null {
  switch (target.kind) {
    case "first_name":
      return u.first_name;
    case "last_name":
      return u.last_name;
    case "full_name":
      return join(u.first_name, u.last_name);
    case "email":
      return u.email;
    case "mobile_phone":
      return u.mobile_phone && formatPhone(u.mobile_phone);
    case "home_phone":
      return u.home_phone && formatPhone(u.home_phone);
    case "app_user_id":
      return u.app_user_id;
    case "stripe_customer_id":
      return u.stripe_customer_id;
    case "street":
    case "city":
    case "region":
    case "postal_code":
    case "country":
      return u.address?.[target.kind] || null;
    case "teams":
      return u.teams.length ? u.teams.join(", ") : null;
    case "created_at":
      return u.created_at === null ? null : formatDate(u.created_at);
    case "kith_id":
      return u.kith_id;
    case "photo":
      return photoText(u);
    case "custom":
      return customValue(u, target.name);
    default:
      return null;
  }
}
