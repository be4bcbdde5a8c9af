import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CustomField } from "../ipc/generated/CustomField";
import type { CustomFieldInput } from "../ipc/generated/CustomFieldInput";
import { catalog } from "../settings/catalog.svelte";
import { toasts } from "../shell/toasts.svelte";
import { callsOf, customField, kithError, serve } from "../testing/ipc";
import CustomFieldsEditor from "./CustomFieldsEditor.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

/** A stand-in core: fields in order, options given ids as the core would. */
function fakeCore(start: CustomField[]) {
  let fields = [...start];
  let trash: CustomField[] = [];
  const made = (id: string, input: CustomFieldInput, position: number): CustomField => ({
    id,
    name: input.name,
    kind: input.kind,
    position,
    required: input.required,
    options: input.options.map((o, i) => ({ id: o.id ?? `${id}-new${i}`, label: o.label })),
    currency: input.currency,
  });
  serve({
    list_deleted_custom_fields: () => trash,
    create_custom_field: ({ input }) => {
      const field = made(`f${fields.length + 1}`, input, fields.length + 1);
      fields.push(field);
      return field;
    },
    update_custom_field: ({ id, input }) => {
      if (input.kind === "number") return Promise.reject(kithError("1 value of Tier cannot become numbers: “Gold”", "kind"));
      const field = made(id, input, 1);
      fields = fields.map((f) => (f.id === id ? field : f));
      return field;
    },
    reorder_custom_fields: ({ ids }) => (fields = ids.map((id: string, i: number) => ({ ...fields.find((f) => f.id === id)!, position: i + 1 }))),
    delete_custom_field: ({ id }) => {
      trash = fields.filter((f) => f.id === id);
      fields = fields.filter((f) => f.id !== id);
      return null;
    },
    restore_custom_field: ({ id }) => {
      const field = trash.find((f) => f.id === id)!;
      trash = [];
      fields = [...fields, field].sort((a, b) => a.position - b.position);
      return field;
    },
  });
  catalog.customFields = [...start];
}

const rows = () => screen.getAllByTestId("custom-field-row");

beforeEach(() => {
  toasts.length = 0;
});
afterEach(() => {
  catalog.customFields = [];
});

describe("Settings: custom fields", () => {
  it("says what to do when there are none, then adds a required select with options", async () => {
    const user = userEvent.setup();
    fakeCore([]);
    render(CustomFieldsEditor);
    expect(screen.getByTestId("custom-fields-settings-empty").textContent).toContain("No custom fields yet");

    await user.click(screen.getByTestId("add-custom-field"));
    expect(document.activeElement).toBe(screen.getByTestId("custom-field-name"));
    await user.type(screen.getByTestId("custom-field-name"), "Membership");
    await user.selectOptions(screen.getByTestId("custom-field-type"), "single_select");
    // Enter in the option box adds options; it does not submit the field.
    await user.type(screen.getByTestId("custom-field-new-option"), "Gold, Silver{Enter}Bronze{Enter}");
    expect(screen.getAllByTestId("custom-field-option").map((i) => (i as HTMLInputElement).value)).toEqual(["Gold", "Silver", "Bronze"]);
    await user.click(screen.getByTestId("custom-field-required"));
    await user.click(screen.getByTestId("save-custom-field"));

    expect(callsOf("create_custom_field")).toEqual([
      {
        input: {
          name: "Membership",
          kind: "single_select",
          required: true,
          options: [
            { id: null, label: "Gold" },
            { id: null, label: "Silver" },
            { id: null, label: "Bronze" },
          ],
          currency: null,
        },
      },
    ]);
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0].textContent).toContain("Single select · Gold, Silver, Bronze");
    expect(within(rows()[0]).getByTestId("custom-field-required-badge")).toBeTruthy();
    expect(screen.queryByTestId("custom-field-form")).toBeNull();
  });

  it("adds a money field with its currency, and shows a clash under the name", async () => {
    const user = userEvent.setup();
    fakeCore([customField("f1", "Credit", { kind: "money", currency: "EUR" })]);
    serve({
      list_deleted_custom_fields: () => [],
      create_custom_field: () => Promise.reject(kithError("There is already one named Credit", "name")),
    });
    render(CustomFieldsEditor);
    await user.click(screen.getByTestId("add-custom-field"));
    await user.type(screen.getByTestId("custom-field-name"), "credit");
    await user.selectOptions(screen.getByTestId("custom-field-type"), "money");
    await user.selectOptions(screen.getByTestId("custom-field-currency"), "GBP");
    await user.click(screen.getByTestId("save-custom-field"));
    expect(callsOf("create_custom_field")[0].input).toMatchObject({ kind: "money", currency: "GBP", options: [] });
    const error = await screen.findByTestId("custom-field-error");
    expect(error.textContent).toBe("There is already one named Credit");
    expect(screen.getByTestId("custom-field-name").getAttribute("aria-describedby")).toBe(error.id);
  });

  it("reorders with the arrow buttons, renames an option and shows why a change of kind was refused", async () => {
    const user = userEvent.setup();
    fakeCore([
      customField("f1", "Tier", { kind: "single_select", labels: ["Gold", "Silver"] }),
      customField("f2", "Birthday", { kind: "date", position: 2 }),
    ]);
    render(CustomFieldsEditor);
    await user.click(within(rows()[0]).getByTestId("move-custom-field-down"));
    expect(callsOf("reorder_custom_fields")).toEqual([{ ids: ["f2", "f1"] }]);
    await waitFor(() => expect(rows().map((r) => r.dataset.fieldName)).toEqual(["Birthday", "Tier"]));

    await user.click(within(rows()[1]).getByTestId("edit-custom-field"));
    await user.selectOptions(screen.getByTestId("custom-field-type"), "number");
    expect(screen.getByTestId("custom-field-convert-hint")).toBeTruthy();
    await user.click(screen.getByTestId("save-custom-field"));
    expect((await screen.findByTestId("custom-field-error")).textContent).toBe("1 value of Tier cannot become numbers: “Gold”");

    await user.selectOptions(screen.getByTestId("custom-field-type"), "single_select");
    const first = screen.getAllByTestId("custom-field-option")[0];
    await user.clear(first);
    await user.type(first, "Gold+");
    await user.click(screen.getByTestId("save-custom-field"));
    expect(callsOf("update_custom_field").at(-1)?.input).toMatchObject({
      options: [
        { id: "f1-o0", label: "Gold+" },
        { id: "f1-o1", label: "Silver" },
      ],
    });
    await waitFor(() => expect(rows()[1].textContent).toContain("Gold+, Silver"));
  });

  it("deletes at once with Undo, and lists deleted fields to restore", async () => {
    const user = userEvent.setup();
    fakeCore([customField("f1", "Tier"), customField("f2", "Notes", { position: 2 })]);
    render(CustomFieldsEditor);
    await user.click(within(rows()[0]).getByTestId("delete-custom-field"));
    await waitFor(() => expect(rows().map((r) => r.dataset.fieldName)).toEqual(["Notes"]));
    expect(toasts[0].message).toContain("Deleted the field Tier");
    await waitFor(() => expect(screen.getByTestId("custom-fields-trash").textContent).toContain("Deleted fields (1)"));

    await user.click(screen.getByTestId("restore-custom-field"));
    await waitFor(() => expect(rows().map((r) => r.dataset.fieldName)).toEqual(["Tier", "Notes"]));
    expect(callsOf("restore_custom_field")).toEqual([{ id: "f1" }]);
  });
});
