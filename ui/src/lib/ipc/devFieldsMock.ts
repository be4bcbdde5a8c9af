// Dev-only stand-in for the core's custom fields (see devMock.ts): fields in order, their
// options, and values kept as the core shows them. Validation is a rough sketch of the
// core's, enough to see the error states in a browser.
import type { KithError } from "./api";
import type { CustomField } from "./generated/CustomField";
import type { CustomFieldInput } from "./generated/CustomFieldInput";
import type { UserDetail } from "./generated/UserDetail";

let seq = 0;
const id = (prefix: string) => `${prefix}-f${++seq}`;
const fail = (message: string, field: string): never => {
  throw { kind: "validation", message, field } satisfies KithError;
};

/** A value as the core would store and show it, or a refusal under the field. */
function parse(field: CustomField, typed: string): { value: string; display: string } | null {
  const text = typed.trim();
  if (!text) return null;
  const key = `custom:${field.id}`;
  const option = (label: string) =>
    field.options.find((o) => o.label.toLowerCase() === label.trim().toLowerCase()) ??
    fail(`“${label.trim()}” is not an option of ${field.name}`, key);
  switch (field.kind) {
    case "number":
      if (!/^-?\d+([.,]\d+)?$/.test(text)) fail(`“${text}” is not a number — write it like 1234.5`, key);
      return { value: text.replace(",", "."), display: text.replace(",", ".") };
    case "money": {
      const m = /^(-?\d+(?:[.,]\d{1,2})?)\s*([A-Z]{3})?$/.exec(text) ?? fail(`“${text}” is not an amount — write it like 19.99 EUR`, key);
      const amount = Number(m[1].replace(",", ".")).toFixed(2);
      const currency = m[2] ?? field.currency ?? "EUR";
      return { value: `${Math.round(Number(amount) * 100)} ${currency}`, display: `${amount} ${currency}` };
    }
    case "single_select": {
      const o = option(text);
      return { value: o.id, display: o.label };
    }
    case "multi_select": {
      const chosen = text.split(";").map(option);
      const ordered = field.options.filter((o) => chosen.includes(o));
      return { value: JSON.stringify(ordered.map((o) => o.id)), display: ordered.map((o) => o.label).join("; ") };
    }
    case "checkbox":
      return { value: String(/^(yes|true)$/i.test(text)), display: /^(yes|true)$/i.test(text) ? "Yes" : "No" };
    case "email":
      if (!text.includes("@")) fail("This email address is missing an @", key);
      return { value: text, display: text };
    default:
      return { value: text, display: text };
  }
}

// Arguments arrive untyped over IPC, as in devMock.ts; the handlers trust docs/IPC.md.
export function fieldsHandlers(users: Map<string, UserDetail>): Record<string, (args: any) => unknown> {
  const fields: CustomField[] = [];
  const trash: CustomField[] = [];
  const define = (fieldId: string, input: CustomFieldInput, position: number): CustomField => {
    if (!input.name.trim()) fail("Enter a name", "name");
    if (fields.some((f) => f.id !== fieldId && f.name.toLowerCase() === input.name.trim().toLowerCase())) fail(`There is already one named ${input.name}`, "name");
    if (input.kind === "money" && !input.currency) fail("Choose the currency of this field, like EUR", "currency");
    const select = input.kind === "single_select" || input.kind === "multi_select";
    return {
      id: fieldId,
      name: input.name.trim(),
      kind: input.kind,
      position,
      required: input.required,
      options: select ? input.options.map((o) => ({ id: o.id ?? id("opt"), label: o.label.trim() })) : [],
      currency: input.kind === "money" ? input.currency : null,
    };
  };
  const field = (fieldId: string) => fields.find((f) => f.id === fieldId) ?? fail("This field no longer exists", "field");
  return {
    list_custom_fields: () => fields,
    list_deleted_custom_fields: () => trash,
    create_custom_field: ({ input }) => {
      const f = define(id("field"), input, fields.length + 1);
      fields.push(f);
      return f;
    },
    update_custom_field: ({ id: fieldId, input }) => {
      const f = define(fieldId, input, field(fieldId).position);
      fields.splice(fields.indexOf(field(fieldId)), 1, f);
      return f;
    },
    reorder_custom_fields: ({ ids }) => {
      fields.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
      fields.forEach((f, i) => (f.position = i + 1));
      return fields;
    },
    delete_custom_field: ({ id: fieldId }) => {
      trash.push(...fields.splice(fields.indexOf(field(fieldId)), 1));
      return null;
    },
    restore_custom_field: ({ id: fieldId }) => {
      const f = trash.splice(trash.findIndex((t) => t.id === fieldId), 1)[0];
      fields.push(f);
      fields.sort((a, b) => a.position - b.position);
      return f;
    },
    set_custom_value: ({ user_id, field_id, value }) => {
      const u = users.get(user_id)!;
      const f = field(field_id);
      const parsed = parse(f, value ?? "");
      if (!parsed && f.required) fail(`${f.name} is required — enter a value`, `custom:${f.id}`);
      u.custom_values = u.custom_values.filter((v) => v.field_id !== field_id);
      if (parsed) u.custom_values.push({ field_id, name: f.name, kind: f.kind, ...parsed });
      u.custom_values.sort((a, b) => field(a.field_id).position - field(b.field_id).position);
      return u;
    },
  };
}
