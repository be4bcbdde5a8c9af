import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CustomField } from "../ipc/generated/CustomField";
import type { CustomValue } from "../ipc/generated/CustomValue";
import type { UserDetail } from "../ipc/generated/UserDetail";
import { catalog } from "../settings/catalog.svelte";
import { navigation } from "../shell/navigation.svelte";
import { callsOf, customField, detail, kithError, serve } from "../testing/ipc";
import CustomFieldsSection from "./CustomFieldsSection.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const MEMBERSHIP = customField("f-tier", "Membership", { kind: "single_select", labels: ["Gold", "Silver", "Bronze"] });
const INTERESTS = customField("f-int", "Interests", { kind: "multi_select", labels: ["Yoga", "Spin"] });
const CREDIT = customField("f-credit", "Credit", { kind: "money", currency: "EUR" });
const BIRTHDAY = customField("f-bday", "Birthday", { kind: "date" });
const NEWS = customField("f-news", "Newsletter", { kind: "checkbox" });
const NOTES = customField("f-notes", "Front desk notes", { kind: "long_text" });
const SITE = customField("f-site", "Website", { kind: "url" });
const PHONE = customField("f-phone", "Work phone", { kind: "phone", required: true });

/** What the core answers: the user with `field` set to `display` as typed (or cleared). */
function answer(user: UserDetail, field: CustomField, display: string | null): UserDetail {
  const others = user.custom_values.filter((v) => v.field_id !== field.id);
  const value: CustomValue[] = display === null ? [] : [{ field_id: field.id, name: field.name, kind: field.kind, value: display, display }];
  return { ...user, custom_values: [...others, ...value] };
}

/** Renders the section the way the Detail tab does; every answer replaces the user. */
function renderSection(fields: CustomField[], user = detail({ id: "u1" })) {
  catalog.customFields = fields;
  let current = user;
  serve({
    set_custom_value: ({ field_id, value }) => {
      const field = fields.find((f) => f.id === field_id)!;
      current = answer(current, field, value);
      return current;
    },
    open_link: () => null,
  });
  const onUpdated = vi.fn();
  const view = render(CustomFieldsSection, { user, onUpdated });
  onUpdated.mockImplementation((next: UserDetail) => view.rerender({ user: next, onUpdated }));
  return onUpdated;
}

const row = (name: string) => screen.getAllByTestId("custom-field-row").find((r) => r.dataset.fieldName === name)!;

afterEach(() => {
  catalog.customFields = [];
});

describe("Custom value editors", () => {
  it("saves a choice from a single select at once, by its label", async () => {
    const user = userEvent.setup();
    renderSection([MEMBERSHIP]);
    await user.selectOptions(within(row("Membership")).getByTestId("custom-value-select"), "Silver");
    expect(callsOf("set_custom_value")).toEqual([{ user_id: "u1", field_id: "f-tier", value: "Silver" }]);
    await waitFor(() => expect((within(row("Membership")).getByTestId("custom-value-select") as HTMLSelectElement).value).toBe("Silver"));
    await user.selectOptions(within(row("Membership")).getByTestId("custom-value-select"), "");
    expect(callsOf("set_custom_value")[1]).toEqual({ user_id: "u1", field_id: "f-tier", value: null });
  });

  it("toggles multi select chips and saves the chosen labels in option order", async () => {
    const user = userEvent.setup();
    renderSection([INTERESTS]);
    const chips = () => within(row("Interests")).getAllByTestId("custom-value-option");
    await user.click(chips()[1]);
    await waitFor(() => expect(chips()[1].getAttribute("aria-pressed")).toBe("true"));
    await user.click(chips()[0]);
    expect(callsOf("set_custom_value").map((c) => c.value)).toEqual(["Spin", "Yoga; Spin"]);
  });

  it("edits money as an amount and a currency, and shows it formatted", async () => {
    const user = userEvent.setup();
    renderSection([CREDIT]);
    const credit = row("Credit");
    expect(within(credit).getByTestId("custom-value").textContent?.trim()).toBe("Not set");
    await user.click(within(credit).getByTestId("custom-value"));
    await user.type(within(credit).getByTestId("custom-value-amount"), "19.99");
    await user.selectOptions(within(credit).getByTestId("custom-value-currency"), "USD");
    await user.type(within(credit).getByTestId("custom-value-amount"), "{Enter}");
    expect(callsOf("set_custom_value")).toEqual([{ user_id: "u1", field_id: "f-credit", value: "19.99 USD" }]);
    await waitFor(() => expect(within(credit).getByTestId("custom-value").textContent?.trim()).toBe("$19.99"));
  });

  it("keeps an amount as typed, even one the core will refuse", async () => {
    const user = userEvent.setup();
    renderSection([CREDIT]);
    serve({ set_custom_value: () => Promise.reject(kithError("“lots” is not an amount — write it like 19.99 EUR", "custom:f-credit")) });
    await user.click(within(row("Credit")).getByTestId("custom-value"));
    await user.type(within(row("Credit")).getByTestId("custom-value-amount"), "lots{Enter}");
    expect(callsOf("set_custom_value")).toEqual([{ user_id: "u1", field_id: "f-credit", value: "lots EUR" }]);
    expect((within(row("Credit")).getByTestId("custom-value-amount") as HTMLInputElement).value).toBe("lots");
    expect((await within(row("Credit")).findByTestId("custom-value-error")).textContent).toContain("not an amount");
  });

  it("saves a date, a checkbox, and keeps long text on several lines until Ctrl+Enter", async () => {
    const user = userEvent.setup();
    renderSection([BIRTHDAY, NEWS, NOTES]);
    await fireEvent.change(within(row("Birthday")).getByTestId("custom-value-input"), { target: { value: "1990-05-06" } });
    await user.click(within(row("Newsletter")).getByTestId("custom-value-checkbox"));
    await user.click(within(row("Front desk notes")).getByTestId("custom-value"));
    await user.type(within(row("Front desk notes")).getByTestId("custom-value-input"), "Prefers mornings{Enter}No calls");
    expect(callsOf("set_custom_value").map((c) => c.value)).toEqual(["1990-05-06", "Yes"]);
    await user.keyboard("{Control>}{Enter}{/Control}");
    expect(callsOf("set_custom_value").map((c) => c.value)).toEqual(["1990-05-06", "Yes", "Prefers mornings\nNo calls"]);
    await waitFor(() => expect(within(row("Birthday")).getByTestId("custom-value-input")).toBeTruthy());
  });

  it("cancels an edit on Escape without saving", async () => {
    const user = userEvent.setup();
    renderSection([SITE]);
    await user.click(within(row("Website")).getByTestId("custom-value"));
    await user.type(within(row("Website")).getByTestId("custom-value-input"), "acme.com{Escape}");
    expect(callsOf("set_custom_value")).toEqual([]);
    expect(within(row("Website")).queryByTestId("custom-value-input")).toBeNull();
    expect(document.activeElement).toBe(within(row("Website")).getByTestId("custom-value"));
  });

  it("opens links through open_link", async () => {
    const user = userEvent.setup();
    const withSite = answer(detail({ id: "u1" }), SITE, "https://acme.example.com/");
    renderSection([SITE], withSite);
    await user.click(within(row("Website")).getByTestId("custom-value-link"));
    expect(callsOf("open_link")).toEqual([{ url: "https://acme.example.com/" }]);
  });

  it("marks a required field that is empty, and shows the core's refusal under the field while still editing", async () => {
    const user = userEvent.setup();
    renderSection([PHONE]);
    serve({ set_custom_value: () => Promise.reject(kithError("This phone number is too short", "custom:f-phone")) });
    const phone = row("Work phone");
    expect(phone.textContent).toContain("Work phone *");
    expect(within(phone).getByTestId("custom-value").textContent?.trim()).toBe("Required — add a value");
    await user.click(within(phone).getByTestId("custom-value"));
    await user.type(within(phone).getByTestId("custom-value-input"), "12{Enter}");
    const error = await within(phone).findByTestId("custom-value-error");
    expect(error.textContent).toBe("This phone number is too short");
    const input = within(phone).getByTestId("custom-value-input");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe(error.id);
  });

  it("says what to do when there are no custom fields, and takes the person to Settings", async () => {
    const user = userEvent.setup();
    renderSection([]);
    expect(screen.getByTestId("custom-fields-empty").textContent).toContain("No custom fields yet");
    await user.click(screen.getByTestId("open-custom-field-settings"));
    expect(navigation.view).toBe("settings");
    navigation.view = "users";
  });
});
