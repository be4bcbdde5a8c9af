// Where a CSV column can go, as people read it, and the keys the mapping <select>s use.
import type { CustomField } from "../ipc/generated/CustomField";
import type { ImportTarget } from "../ipc/generated/ImportTarget";
import { KIND_LABELS } from "../fields/kinds";

type Kind = ImportTarget["kind"];
type PlainKind = Exclude<Kind, "phone_type" | "phone_value" | "custom">;
type PlainTarget = Extract<ImportTarget, { kind: PlainKind }>;

const LABELS: Record<PlainKind, string> = {
  first_name: "First name",
  last_name: "Last name",
  full_name: "Full name (split)",
  email: "Email",
  mobile_phone: "Mobile phone",
  home_phone: "Home phone",
  phone: "Phone (any)",
  app_user_id: "App user ID",
  stripe_customer_id: "Stripe customer ID",
  street: "Street",
  city: "City",
  region: "Region",
  postal_code: "Postal code",
  country: "Country",
  teams: "Teams",
  created_at: "Created at",
  kith_id: "Kith ID",
  photo: "Profile photo",
  ignore: "Don't import",
};

/** The targets offered for every column, in the order the menu lists them. */
const PLAIN = Object.keys(LABELS) as PlainKind[];

/** The select's entry that asks for the name of a new custom field. */
export const NEW_CUSTOM_KEY = "custom:new";
const CUSTOM_PREFIX = "custom=";

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

export function targetLabel(target: ImportTarget): string {
  switch (target.kind) {
    case "phone_type":
      return `Phone ${target.slot} type`;
    case "phone_value":
      return `Phone ${target.slot} number`;
    case "custom":
      return `Custom: ${target.name}`;
    default:
      return LABELS[target.kind];
  }
}

/** A string naming a target, for <option value>: "email", "phone_value:2", "custom=Shoe size". */
export function targetKey(target: ImportTarget): string {
  switch (target.kind) {
    case "phone_type":
    case "phone_value":
      return `${target.kind}:${target.slot}`;
    case "custom":
      return `${CUSTOM_PREFIX}${target.name}`;
    default:
      return target.kind;
  }
}

export function targetFromKey(key: string): ImportTarget {
  if (key.startsWith(CUSTOM_PREFIX)) return { kind: "custom", name: key.slice(CUSTOM_PREFIX.length) };
  const [kind, slot] = key.split(":");
  if (kind === "phone_type" || kind === "phone_value") return { kind, slot: Number(slot) };
  if (!(PLAIN as string[]).includes(kind)) throw new Error(`unknown import target ${key}`);
  return { kind } as PlainTarget;
}

export type TargetOption = { key: string; label: string };
export type TargetGroup = { label: string | null; options: TargetOption[] };

/**
 * The choices for a column's select, grouped. Paired "Phone N type / number" columns only
 * come from the automatic mapping (Google's export), so they are offered while some column
 * uses them. Custom fields: the workspace's, any new one a column already names, and
 * "New custom field…" (the core creates it by name when the import runs).
 */
export function targetOptions(mapping: readonly ImportTarget[], customFields: readonly CustomField[]): TargetGroup[] {
  const slots = new Map<string, TargetOption & { order: number }>();
  const custom = new Map<string, TargetOption>();
  // A field of another kind than text says so: its cells are read as that kind.
  for (const field of customFields) {
    const label = field.kind === "text" ? field.name : `${field.name} (${KIND_LABELS[field.kind].toLowerCase()})`;
    custom.set(field.name.toLowerCase(), { key: `${CUSTOM_PREFIX}${field.name}`, label });
  }
  for (const target of mapping) {
    if (target.kind === "phone_type" || target.kind === "phone_value") {
      // Slot by slot, each type before its number, as Google's columns come.
      const order = target.slot * 2 + (target.kind === "phone_value" ? 1 : 0);
      slots.set(targetKey(target), { key: targetKey(target), label: targetLabel(target), order });
    } else if (target.kind === "custom" && !customFields.some((f) => sameName(f.name, target.name))) {
      custom.set(target.name.toLowerCase(), { key: targetKey(target), label: `${target.name} (new)` });
    }
  }
  const plain = (kinds: PlainKind[]) => kinds.map((kind) => ({ key: kind, label: LABELS[kind] }));
  const phoneSlots = [...slots.values()].sort((a, b) => a.order - b.order).map(({ key, label }) => ({ key, label }));
  return [
    { label: null, options: plain(["ignore"]) },
    { label: "Name", options: plain(["first_name", "last_name", "full_name"]) },
    { label: "Contact", options: [...plain(["email", "mobile_phone", "home_phone", "phone"]), ...phoneSlots] },
    { label: "Address", options: plain(["street", "city", "region", "postal_code", "country"]) },
    { label: "Other", options: plain(["app_user_id", "stripe_customer_id", "teams", "created_at", "photo", "kith_id"]) },
    {
      label: "Custom fields",
      options: [...[...custom.values()].sort((a, b) => a.label.localeCompare(b.label)), { key: NEW_CUSTOM_KEY, label: "New custom field…" }],
    },
  ];
}

/** Whether any column is imported at all. */
export const mapsAnything = (mapping: readonly ImportTarget[]) => mapping.some((t) => t.kind !== "ignore");

/** Targets that take several columns: teams add up, "Phone (any)" fills mobile then home. */
const ADDITIVE: Kind[] = ["ignore", "teams", "phone"];

/**
 * Fields that two or more columns feed, so the mapping step can say that only one value
 * per row is kept (the core keeps the right-most non-empty cell).
 */
export function doubledTargets(mapping: readonly ImportTarget[]): string[] {
  const seen = new Map<string, { label: string; n: number }>();
  for (const target of mapping) {
    if (ADDITIVE.includes(target.kind)) continue;
    const key = target.kind === "custom" ? `custom=${target.name.toLowerCase()}` : targetKey(target);
    const entry = seen.get(key) ?? { label: targetLabel(target), n: 0 };
    entry.n += 1;
    seen.set(key, entry);
  }
  return [...seen.values()].filter((e) => e.n > 1).map((e) => e.label);
}
