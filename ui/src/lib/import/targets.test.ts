import { describe, expect, it } from "vitest";
import type { ImportTarget } from "../ipc/generated/ImportTarget";
import { doubledTargets, NEW_CUSTOM_KEY, targetFromKey, targetKey, targetLabel, targetOptions } from "./targets";
import { customField } from "../testing/ipc";

describe("import targets", () => {
  it("round-trip through select keys, phone slots and custom names included", () => {
    const targets: ImportTarget[] = [
      { kind: "email" },
      { kind: "phone_value", slot: 2 },
      { kind: "phone_type", slot: 10 },
      { kind: "custom", name: "Size: EU=42" },
      { kind: "ignore" },
    ];
    for (const t of targets) expect(targetFromKey(targetKey(t))).toEqual(t);
    expect(() => targetFromKey("nonsense")).toThrow();
  });

  it("offers every field, the auto-mapped phone slots, custom fields and a new one", () => {
    const mapping: ImportTarget[] = [{ kind: "phone_type", slot: 1 }, { kind: "phone_value", slot: 1 }, { kind: "custom", name: "Shoe size" }];
    const groups = targetOptions(mapping, [customField("f1", "Allergies"), customField("f2", "Tier", { kind: "single_select" })]);
    const labels = groups.flatMap((g) => g.options.map((o) => o.label));
    expect(labels).toEqual([
      "Don't import",
      "First name", "Last name", "Full name (split)",
      "Email", "Mobile phone", "Home phone", "Phone (any)", "Phone 1 type", "Phone 1 number",
      "Street", "City", "Region", "Postal code", "Country",
      "App user ID", "Stripe customer ID", "Teams", "Created at", "Profile photo", "Kith ID",
      "Allergies", "Shoe size (new)", "Tier (single select)", "New custom field…",
    ]);
    expect(groups.at(-1)?.options.at(-1)?.key).toBe(NEW_CUSTOM_KEY);
    // An existing field named in another case is the same field, not a new one.
    const same = targetOptions([{ kind: "custom", name: "allergies" }], [customField("f1", "Allergies")]);
    expect(same.at(-1)?.options.map((o) => o.label)).toEqual(["Allergies", "New custom field…"]);
    expect(targetLabel({ kind: "custom", name: "Allergies" })).toBe("Custom: Allergies");
  });

  it("flags fields fed by two columns, but not the ones that add up", () => {
    expect(
      doubledTargets([{ kind: "email" }, { kind: "email" }, { kind: "teams" }, { kind: "teams" }, { kind: "phone" }, { kind: "phone" }, { kind: "ignore" }, { kind: "ignore" }]),
    ).toEqual(["Email"]);
    expect(doubledTargets([{ kind: "custom", name: "Notes" }, { kind: "custom", name: "notes" }])).toEqual(["Custom: Notes"]);
  });
});
