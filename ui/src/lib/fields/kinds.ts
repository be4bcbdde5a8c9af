// Custom field kinds as people read them, and the small conversions the editors need
// between a value as the core shows it ("19.99 EUR", "Gold; Silver") and the controls.
// The core parses and validates every value; nothing here decides what is valid.
import type { CustomField } from "../ipc/generated/CustomField";
import type { CustomFieldKind } from "../ipc/generated/CustomFieldKind";
import { formatPhone } from "../shell/format";

export const KIND_LABELS: Record<CustomFieldKind, string> = {
  text: "Text",
  long_text: "Long text",
  number: "Number",
  money: "Money",
  date: "Date",
  checkbox: "Checkbox",
  single_select: "Single select",
  multi_select: "Multi select",
  url: "Link (URL)",
  email: "Email",
  phone: "Phone",
};

/** In the order the type menu lists them. */
export const KINDS = Object.keys(KIND_LABELS) as CustomFieldKind[];

export const hasOptions = (kind: CustomFieldKind) => kind === "single_select" || kind === "multi_select";

/** Currencies offered first in the currency menus; the core knows every ISO 4217 code. */
export const CURRENCIES = [
  "EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "ISK", "TRY",
  "CAD", "AUD", "NZD", "JPY", "CNY", "HKD", "SGD", "INR", "KRW", "BRL", "MXN", "ZAR", "AED", "ILS",
];

/** The currency menu for a value: the common ones, plus the value's own if it is another. */
export function currencyChoices(...also: (string | null | undefined)[]): string[] {
  const extra = also.filter((c): c is string => !!c && !CURRENCIES.includes(c));
  return [...CURRENCIES, ...extra];
}

/** The key an error about this field's value carries in `KithError.field`. */
export const errorKey = (field: Pick<CustomField, "id">) => `custom:${field.id}`;

/** An amount as the core shows it, "19.99 EUR", or as typed and joined, "lots EUR". */
const MONEY = /^(.*\S)\s+([A-Z]{3})$/;

/** "19.99 EUR" → { amount: "19.99", currency: "EUR" }; an amount typed in the editor and not
 *  read yet ("lots EUR") splits back into what was typed, so it shows as typed again. */
export function splitMoney(display: string | null | undefined, fallback: string | null): { amount: string; currency: string } {
  const match = MONEY.exec(display?.trim() ?? "");
  if (match) return { amount: match[1], currency: match[2] };
  return { amount: display?.trim() ?? "", currency: fallback ?? "EUR" };
}

/** Several choices as the core reads and shows them: labels joined by "; ". */
export const joinChoices = (labels: string[]) => labels.join("; ");

export function splitChoices(display: string | null | undefined): string[] {
  return (display ?? "")
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The person's locale when Intl knows it; the runtime's own otherwise (a webview started
 *  under the C/POSIX locale reports "C", which no Intl formatter accepts). */
function locale(): string | undefined {
  const language = globalThis.navigator?.language;
  try {
    return language && Intl.NumberFormat.supportedLocalesOf([language]).length > 0 ? language : undefined;
  } catch {
    return undefined;
  }
}

function safeFormat(format: () => string, fallback: string): string {
  try {
    return format();
  } catch {
    return fallback;
  }
}

/**
 * A value as the Detail tab shows it, in the person's locale: "€19.99", "6 May 1990",
 * "1,234.5", a phone in its national form. `display` is the core's form of the value.
 */
export function formatValue(kind: CustomFieldKind, display: string): string {
  switch (kind) {
    case "money": {
      if (!MONEY.test(display)) return display;
      const { amount, currency } = splitMoney(display, null);
      // Display only: a float is fine for showing, never for storing.
      return safeFormat(() => new Intl.NumberFormat(locale(), { style: "currency", currency }).format(Number(amount)), display);
    }
    case "number":
      // Beyond 15 digits a float would round: show those exactly as stored.
      if (display.replace(/\D/g, "").length > 15) return display;
      return safeFormat(() => new Intl.NumberFormat(locale(), { maximumFractionDigits: 20 }).format(Number(display)), display);
    case "date": {
      const date = new Date(`${display}T00:00:00Z`);
      if (Number.isNaN(date.getTime())) return display;
      return safeFormat(() => new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(date), display);
    }
    case "phone":
      return formatPhone(display);
    default:
      return display;
  }
}

/** Where a link value leads, for the kinds that are links; null for the others. */
export function linkFor(kind: CustomFieldKind, display: string): string | null {
  switch (kind) {
    case "url":
      return display;
    case "email":
      return `mailto:${display}`;
    case "phone":
      return `tel:${display}`;
    default:
      return null;
  }
}

/** A short description of a field for the Settings list: its kind, options or currency. */
export function describeField(field: CustomField): string {
  const kind = KIND_LABELS[field.kind];
  if (hasOptions(field.kind)) {
    const n = field.options.length;
    return n === 0 ? `${kind} · no options yet` : `${kind} · ${field.options.map((o) => o.label).join(", ")}`;
  }
  if (field.kind === "money" && field.currency) return `${kind} · ${field.currency}`;
  return kind;
}
