import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { UserDetail } from "../../ipc/generated/UserDetail";
import { catalog } from "../../settings/catalog.svelte";
import { settings } from "../../settings/settings.svelte";
import { callsOf, customField, detail, kithError, serve } from "../../testing/ipc";
import DetailTab from "./DetailTab.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const ada = detail({ id: "u1", first_name: "Ada", email: "ada@example.com" });

/** Renders the tab the way a profile does: every answer from the core replaces the user. */
function renderDetail(user: UserDetail) {
  const onUpdated = vi.fn();
  const view = render(DetailTab, { user, onUpdated });
  onUpdated.mockImplementation((next: UserDetail) => view.rerender({ user: next, onUpdated }));
  return onUpdated;
}

describe("Detail tab, edit in place", () => {
  it("saves on Enter with set_user_field and shows the core's normalised value", async () => {
    const user = userEvent.setup();
    serve({ set_user_field: ({ value }) => ({ ...ada, email: String(value).toLowerCase() }) });
    const onUpdated = renderDetail(ada);

    await user.click(screen.getByTestId("detail-email"));
    const input = screen.getByTestId("detail-email-input") as HTMLInputElement;
    expect(input.value).toBe("ada@example.com");
    await user.clear(input);
    await user.type(input, "Ada@Lovelace.org{Enter}");

    expect(callsOf("set_user_field")).toEqual([{ id: "u1", field: "email", value: "Ada@Lovelace.org" }]);
    await waitFor(() => expect(screen.getByTestId("detail-email").textContent?.trim()).toBe("ada@lovelace.org"));
    expect(screen.queryByTestId("detail-email-input")).toBeNull();
    expect(onUpdated).toHaveBeenCalledTimes(1);
  });

  it("cancels on Escape without saving", async () => {
    const user = userEvent.setup();
    serve({});
    renderDetail(ada);

    await user.click(screen.getByTestId("detail-first-name"));
    await user.type(screen.getByTestId("detail-first-name-input"), " Countess{Escape}");

    expect(screen.queryByTestId("detail-first-name-input")).toBeNull();
    expect(screen.getByTestId("detail-first-name").textContent?.trim()).toBe("Ada");
    expect(callsOf("set_user_field")).toEqual([]);
  });

  it("opens the editor with Enter and shows a field error under it, still editing", async () => {
    const user = userEvent.setup();
    serve({ set_user_field: () => Promise.reject(kithError("This doesn't look like a phone number.", "mobile_phone")) });
    renderDetail(ada);

    screen.getByTestId("detail-mobile-phone").focus();
    await user.keyboard("{Enter}");
    await user.type(screen.getByTestId("detail-mobile-phone-input"), "12{Enter}");

    expect((await screen.findByTestId("field-error")).textContent).toBe("This doesn't look like a phone number.");
    expect((screen.getByTestId("detail-mobile-phone-input") as HTMLInputElement).value).toBe("12");
    expect(callsOf("set_user_field")).toEqual([{ id: "u1", field: "mobile_phone", value: "12" }]);
  });
});

describe("Detail tab, phone numbers", () => {
  const withPhone = detail({ id: "u1", first_name: "Ada", mobile_phone: "+14155550001", home_phone: "+442071234567" });

  afterEach(() => {
    settings.current = null;
  });

  it("shows stored E.164 numbers formatted, nationally for the default region", async () => {
    serve({});
    settings.current = { default_region: "US", theme: "system", current_staff_id: null };
    renderDetail(withPhone);
    expect(screen.getByTestId("detail-mobile-phone").textContent?.trim()).toBe("(415) 555-0001");
    expect(screen.getByTestId("detail-mobile-phone").getAttribute("aria-label")).toBe("Mobile phone: (415) 555-0001. Edit");
    expect(screen.getByTestId("detail-home-phone").textContent?.trim()).toBe("+44 20 7123 4567");
  });

  it("edits from the international form, saves nothing if unchanged, and sends what is typed", async () => {
    const user = userEvent.setup();
    serve({ set_user_field: ({ value }) => ({ ...withPhone, mobile_phone: value === "415 555 0002" ? "+14155550002" : value }) });
    settings.current = { default_region: "US", theme: "system", current_staff_id: null };
    renderDetail(withPhone);

    await user.click(screen.getByTestId("detail-mobile-phone"));
    const input = screen.getByTestId("detail-mobile-phone-input") as HTMLInputElement;
    expect(input.value).toBe("+1 415 555 0001");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.queryByTestId("detail-mobile-phone-input")).toBeNull());
    expect(callsOf("set_user_field")).toEqual([]);

    await user.click(screen.getByTestId("detail-mobile-phone"));
    const again = screen.getByTestId("detail-mobile-phone-input") as HTMLInputElement;
    await user.clear(again);
    await user.type(again, "415 555 0002{Enter}");
    expect(callsOf("set_user_field")).toEqual([{ id: "u1", field: "mobile_phone", value: "415 555 0002" }]);
    await waitFor(() => expect(screen.getByTestId("detail-mobile-phone").textContent?.trim()).toBe("(415) 555-0002"));
  });

  it("shows a value it cannot parse as stored", () => {
    serve({});
    renderDetail(detail({ id: "u1", mobile_phone: "ask at the desk" }));
    expect(screen.getByTestId("detail-mobile-phone").textContent?.trim()).toBe("ask at the desk");
  });
});

describe("Detail tab, payment cards", () => {
  it("shows the core's error under last4 when a full card number is entered", async () => {
    const user = userEvent.setup();
    serve({ add_card: () => Promise.reject(kithError("Only the last 4 digits are kept.", "last4")) });
    renderDetail(ada);

    await user.click(screen.getByTestId("add-card"));
    await user.type(screen.getByTestId("card-brand"), "Visa");
    await user.type(screen.getByTestId("card-last4"), "4242424242424242");
    await user.type(screen.getByTestId("card-expiry"), "04/29");
    await user.click(screen.getByTestId("card-save"));

    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toBe("Only the last 4 digits are kept.");
    expect(error.parentElement).toBe(screen.getByTestId("card-last4").parentElement);
    expect(callsOf("add_card")).toEqual([
      { user_id: "u1", input: { brand: "Visa", last4: "4242424242424242", exp_month: 4, exp_year: 2029 } },
    ]);
    expect(screen.getByTestId("card-form")).toBeTruthy();
  });

  it("adds a card and lists it as brand, last 4 and expiry", async () => {
    const user = userEvent.setup();
    serve({
      add_card: ({ input }) => ({ ...ada, cards: [{ id: "c1", ...input }] }),
    });
    renderDetail(ada);

    await user.click(screen.getByTestId("add-card"));
    await user.type(screen.getByTestId("card-brand"), "Visa");
    await user.type(screen.getByTestId("card-last4"), "4242");
    await user.type(screen.getByTestId("card-expiry"), "4/2031{Enter}");

    const row = await screen.findByTestId("card-row");
    expect(row.textContent?.replace(/\s+/g, " ")).toContain("Visa •••• 4242 exp 04/31");
    expect(screen.queryByTestId("card-form")).toBeNull();
  });
});

describe("Detail tab, generated password", () => {
  it("reveals the password on demand and explains when there is none", async () => {
    const user = userEvent.setup();
    serve({ reveal_password: () => "s3cret-pass" });
    renderDetail(ada);
    expect(screen.getByTestId("password-value").textContent).toBe("••••••••");
    await user.click(screen.getByTestId("reveal-password"));
    await waitFor(() => expect(screen.getByTestId("password-value").textContent).toBe("s3cret-pass"));
    expect(callsOf("reveal_password")).toEqual([{ id: "u1" }]);
  });

  it("says the user signed up themselves when there is no generated password", () => {
    serve({});
    renderDetail({ ...ada, has_generated_password: false });
    expect(screen.getByText("No generated password — this user signed up themselves")).toBeTruthy();
    expect(screen.queryByTestId("reveal-password")).toBeNull();
  });
});

describe("Detail tab, teams", () => {
  it("toggles membership with set_user_team", async () => {
    const user = userEvent.setup();
    const { catalog } = await import("../../settings/catalog.svelte");
    catalog.teams = [{ id: "t1", name: "VIP" }];
    serve({ set_user_team: ({ member }) => ({ ...ada, teams: member ? [{ id: "t1", name: "VIP" }] : [] }) });
    renderDetail(ada);

    const chip = within(screen.getByTestId("user-teams")).getByText("VIP").closest("button")!;
    expect(chip.getAttribute("aria-pressed")).toBe("false");
    await user.click(chip);
    expect(callsOf("set_user_team")).toEqual([{ user_id: "u1", team_id: "t1", member: true }]);
    await waitFor(() => expect(chip.getAttribute("aria-pressed")).toBe("true"));
  });
});

describe("Detail tab, custom fields", () => {
  afterEach(() => {
    catalog.customFields = [];
  });

  it("shows the workspace's custom fields in order with this user's values, and saves an edit with set_custom_value", async () => {
    const user = userEvent.setup();
    catalog.customFields = [customField("f1", "Shoe size", { kind: "number" }), customField("f2", "Allergies", { position: 2 })];
    const withValue: UserDetail = {
      ...ada,
      custom_values: [{ field_id: "f1", name: "Shoe size", kind: "number", value: "42", display: "42" }],
    };
    serve({
      set_custom_value: ({ value }) => ({
        ...withValue,
        custom_values: [...withValue.custom_values, { field_id: "f2", name: "Allergies", kind: "text", value, display: value }],
      }),
    });
    renderDetail(withValue);

    const rows = within(screen.getByTestId("custom-fields")).getAllByTestId("custom-field-row");
    expect(rows.map((r) => r.dataset.fieldName)).toEqual(["Shoe size", "Allergies"]);
    expect(within(rows[0]).getByTestId("custom-value").textContent?.trim()).toBe("42");
    await user.click(within(rows[1]).getByTestId("custom-value"));
    await user.type(within(rows[1]).getByTestId("custom-value-input"), "Peanuts{Enter}");

    expect(callsOf("set_custom_value")).toEqual([{ user_id: "u1", field_id: "f2", value: "Peanuts" }]);
    await waitFor(() => expect(within(rows[1]).getByTestId("custom-value").textContent?.trim()).toBe("Peanuts"));
  });

  it("says how to add custom fields while the workspace has none", () => {
    serve({});
    renderDetail(ada);
    expect(screen.getByTestId("custom-fields-empty").textContent).toContain("No custom fields yet");
    expect(screen.getByTestId("open-custom-field-settings")).toBeTruthy();
  });
});
