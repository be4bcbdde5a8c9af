import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { catalog } from "../settings/catalog.svelte";
import { callsOf, customField, detail, kithError, serve, summary } from "../testing/ipc";
import AddUserDialog from "./AddUserDialog.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function renderDialog() {
  const props = { onClose: vi.fn(), onCreated: vi.fn(), onOpenExisting: vi.fn() };
  render(AddUserDialog, props);
  return props;
}

describe("Add user dialog", () => {
  it("focuses the first field and closes on Escape", async () => {
    serve({});
    const { onClose } = renderDialog();
    expect(document.activeElement).toBe(screen.getByTestId("field-first-name"));
    await userEvent.setup().keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
  });

  it("requires a first or last name before asking the core anything", async () => {
    serve({});
    renderDialog();
    await userEvent.setup().click(screen.getByTestId("save-user"));
    expect(screen.getByTestId("field-error").textContent).toBe("Enter a first or last name.");
    expect(callsOf("find_duplicates")).toEqual([]);
  });

  it("shows a validation error under its field and keeps what was typed", async () => {
    const user = userEvent.setup();
    serve({
      find_duplicates: () => [],
      create_user: () => Promise.reject(kithError("This email address is missing an @", "email")),
    });
    const { onCreated, onClose } = renderDialog();

    await user.type(screen.getByTestId("field-first-name"), "Zed");
    await user.type(screen.getByTestId("field-email"), "zed.example.com");
    await user.click(screen.getByTestId("save-user"));

    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toBe("This email address is missing an @");
    // The message sits with the email input, not somewhere else in the dialog.
    expect(error.parentElement).toBe(screen.getByTestId("field-email").parentElement);
    expect((screen.getByTestId("field-email") as HTMLInputElement).value).toBe("zed.example.com");
    expect((screen.getByTestId("field-first-name") as HTMLInputElement).value).toBe("Zed");
    expect(screen.getByTestId("add-user-dialog")).toBeTruthy();
    expect(onCreated).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
    expect(callsOf("create_user")).toEqual([
      { draft: { first_name: "Zed", last_name: "", email: "zed.example.com", mobile_phone: null, home_phone: null, custom_values: [] } },
    ]);
  });

  it("warns about duplicates before creating, then opens one or adds anyway", async () => {
    const user = userEvent.setup();
    const existing = summary(3, { first_name: "Ada", last_name: "Lovelace", email: "ada@example.com" });
    const created = detail({ id: "new", first_name: "Ada" });
    serve({ find_duplicates: () => [existing], create_user: () => created });
    const { onCreated, onOpenExisting } = renderDialog();

    await user.type(screen.getByTestId("field-first-name"), "Ada");
    await user.type(screen.getByTestId("field-email"), "ada@example.com");
    await user.click(screen.getByTestId("save-user"));

    const warning = await screen.findByTestId("duplicate-warning");
    expect(warning.textContent).toContain("Ada Lovelace");
    expect(callsOf("find_duplicates")[0]).toEqual({
      draft: { first_name: "Ada", last_name: "", email: "ada@example.com", mobile_phone: null, home_phone: null, custom_values: [] },
    });
    expect(callsOf("create_user")).toEqual([]);

    await user.click(within(warning).getByTestId("open-duplicate"));
    expect(onOpenExisting).toHaveBeenCalledWith(existing);

    await user.click(within(warning).getByTestId("add-anyway"));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(callsOf("create_user")).toHaveLength(1);
  });

  it("creates at once when there is no duplicate", async () => {
    const user = userEvent.setup();
    const created = detail({ id: "new" });
    serve({ find_duplicates: () => [], create_user: () => created });
    const { onCreated } = renderDialog();
    await user.type(screen.getByTestId("field-last-name"), "Hopper");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(screen.queryByTestId("duplicate-warning")).toBeNull();
  });

  it("asks for required custom fields and shows the core's refusal under the one left empty", async () => {
    const user = userEvent.setup();
    catalog.customFields = [
      customField("f-tier", "Membership", { kind: "single_select", required: true, labels: ["Gold", "Silver"] }),
      customField("f-notes", "Notes"),
      customField("f-since", "Member since", { kind: "date", required: true, position: 3 }),
    ];
    const created = detail({ id: "new" });
    serve({
      find_duplicates: () => [],
      create_user: ({ draft }) =>
        draft.custom_values.some((v: { field_id: string }) => v.field_id === "f-since")
          ? created
          : Promise.reject(kithError("Member since is required — enter a value", "custom:f-since")),
    });
    const { onCreated } = renderDialog();
    const required = screen.getAllByTestId("required-custom-field");
    expect(required.map((r) => r.dataset.fieldName)).toEqual(["Membership", "Member since"]);

    await user.type(screen.getByTestId("field-first-name"), "Ada");
    await user.selectOptions(within(required[0]).getByTestId("custom-value-select"), "Gold");
    await user.click(screen.getByTestId("save-user"));
    const error = await within(required[1]).findByTestId("field-error");
    expect(error.textContent).toBe("Member since is required — enter a value");
    expect(screen.queryByTestId("dialog-error")).toBeNull();

    await fireEvent.change(within(required[1]).getByTestId("custom-value-input"), { target: { value: "2020-01-31" } });
    await user.click(screen.getByTestId("save-user"));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(callsOf("create_user").at(-1)?.draft).toMatchObject({
      custom_values: [
        { field_id: "f-tier", value: "Gold" },
        { field_id: "f-since", value: "2020-01-31" },
      ],
    });
    catalog.customFields = [];
  });
});
