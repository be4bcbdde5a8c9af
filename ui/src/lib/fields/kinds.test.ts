import { describe, expect, it } from "vitest";
import { customField } from "../testing/ipc";
import { currencyChoices, describeField, formatValue, joinChoices, linkFor, splitChoices, splitMoney } from "./kinds";

describe("custom field kinds", () => {
  it("splits money and choices the way the core shows them", () => {
    expect(splitMoney("19.99 EUR", "USD")).toEqual({ amount: "19.99", currency: "EUR" });
    expect(splitMoney("-5.00 JPY", null)).toEqual({ amount: "-5.00", currency: "JPY" });
    expect(splitMoney("", "GBP")).toEqual({ amount: "", currency: "GBP" });
    expect(splitMoney("lots EUR", "USD")).toEqual({ amount: "lots", currency: "EUR" });
    expect(splitMoney("19,99 €", "EUR")).toEqual({ amount: "19,99 €", currency: "EUR" });
    expect(splitChoices("Gold; Rock, paper ;")).toEqual(["Gold", "Rock, paper"]);
    expect(joinChoices(["Gold", "Silver"])).toBe("Gold; Silver");
    expect(currencyChoices("EUR", "XOF").at(-1)).toBe("XOF");
  });

  it("formats values in the person's locale, and leaves what it cannot format alone", () => {
    expect(formatValue("money", "19.99 EUR")).toMatch(/19[.,]99/);
    expect(formatValue("money", "not money")).toBe("not money");
    expect(formatValue("date", "1990-05-06")).toMatch(/1990/);
    expect(formatValue("date", "someday")).toBe("someday");
    expect(formatValue("number", "12345678901234567890.5")).toBe("12345678901234567890.5");
    expect(formatValue("text", "Hello")).toBe("Hello");
  });

  it("links web, mail and phone values", () => {
    expect(linkFor("url", "https://a.example/")).toBe("https://a.example/");
    expect(linkFor("email", "a@b.co")).toBe("mailto:a@b.co");
    expect(linkFor("phone", "+15551234567")).toBe("tel:+15551234567");
    expect(linkFor("text", "x")).toBeNull();
  });

  it("describes a field in one line", () => {
    expect(describeField(customField("f", "Tier", { kind: "multi_select", labels: ["A", "B"] }))).toBe("Multi select · A, B");
    expect(describeField(customField("f", "Tier", { kind: "single_select" }))).toBe("Single select · no options yet");
    expect(describeField(customField("f", "Credit", { kind: "money", currency: "EUR" }))).toBe("Money · EUR");
  });
});
