import { afterEach, describe, expect, it, vi } from "vitest";
import { settings } from "../settings/settings.svelte";
import { formatCount, formatPhone, fullName, msLeft, primaryContact, sentence, timeLeft } from "./format";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const person = (overrides: Partial<Parameters<typeof fullName>[0]> = {}) => ({
  first_name: "",
  last_name: "",
  email: null,
  mobile_phone: null,
  home_phone: null,
  ...overrides,
});

describe("formatPhone", () => {
  afterEach(() => {
    settings.current = null;
  });

  it("shows E.164 numbers internationally, grouped for people", () => {
    expect(formatPhone("+15551234567", null)).toBe("+1 555 123 4567");
    expect(formatPhone("+442071234567", "US")).toBe("+44 20 7123 4567");
    expect(formatPhone("+4930123456", undefined)).toBe("+49 30 123456");
  });

  it("uses the national format when the number's country is the default region", () => {
    expect(formatPhone("+14155550001", "US")).toBe("(415) 555-0001");
    expect(formatPhone("+442071234567", "GB")).toBe("020 7123 4567");
    // A Canadian number is still shown internationally to a US shop.
    expect(formatPhone("+16045551234", "US")).toBe("+1 604 555 1234");
  });

  it("takes the region from Settings by default", () => {
    expect(formatPhone("+14155550001")).toBe("+1 415 555 0001");
    settings.current = { default_region: "US", theme: "system", current_staff_id: null };
    expect(formatPhone("+14155550001")).toBe("(415) 555-0001");
  });

  it("shows values it cannot parse exactly as stored", () => {
    for (const raw of ["12", "call reception", "+999123", "+1", ""]) expect(formatPhone(raw, "US")).toBe(raw);
  });

  it("formats the phone a list row and a name fall back to", () => {
    expect(primaryContact(person({ mobile_phone: "+15551234567" }))).toBe("+1 555 123 4567");
    expect(primaryContact(person({ home_phone: "+4930123456" }))).toBe("+49 30 123456");
    expect(primaryContact(person({ email: "a@b.c", mobile_phone: "+15551234567" }))).toBe("a@b.c");
    expect(fullName(person({ mobile_phone: "+15551234567" }))).toBe("+1 555 123 4567");
  });
});

describe("formatCount", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("groups thousands in the user's locale", () => {
    expect(formatCount(20_000, "en-US")).toBe("20,000");
    expect(formatCount(20_000, "de-DE")).toBe("20.000");
    expect(formatCount(7, "en-US")).toBe("7");
  });

  it("reads the locale from navigator.language", () => {
    vi.spyOn(navigator, "language", "get").mockReturnValue("da-DK");
    expect(formatCount(20_000)).toBe("20.000");
  });

  it("falls back to en-US grouping for the C locale and tags that are not BCP 47", () => {
    expect(formatCount(20_000, "C")).toBe("20,000");
    expect(formatCount(1_000_000, "POSIX")).toBe("1,000,000");
  });

  it("falls back to en-US when the resolved locale formats without grouping", () => {
    const Real = Intl.NumberFormat;
    // What a webview under LANG=C does: a valid locale whose numbers come out ungrouped.
    vi.spyOn(Intl, "NumberFormat").mockImplementation(((locale: string, options?: Intl.NumberFormatOptions) =>
      locale === "en-x-nogroup" ? new Real("en-US", { ...options, useGrouping: false }) : new Real(locale, options)) as never);
    expect(formatCount(20_000, "en-x-nogroup")).toBe("20,000");
  });
});

describe("sentence", () => {
  it("capitalises and closes a core message, and leaves a finished one alone", () => {
    expect(sentence("the server refused: wrong password")).toBe("The server refused: wrong password.");
    expect(sentence("Already a sentence.")).toBe("Already a sentence.");
    expect(sentence("élan vital")).toBe("Élan vital.");
    expect(sentence("  ")).toBe("");
  });
});

describe("timeLeft and msLeft", () => {
  it("says the time left as a person would", () => {
    expect(timeLeft(4_000)).toBe("a few seconds left");
    expect(timeLeft(33_000)).toBe("about 35 seconds left");
    expect(timeLeft(58_000)).toBe("about a minute left");
    expect(timeLeft(12.4 * 60_000)).toBe("about 12 minutes left");
    expect(timeLeft(3 * 3_600_000)).toBe("about 3 hours left");
  });

  it("works out the time left from the pace since the job was first seen, once there is enough to go on", () => {
    const since = { at: 1_000, fraction: 0.1 };
    expect(msLeft(since, { at: 3_000, fraction: 0.5 }), "under 3 seconds").toBeNull();
    expect(msLeft(since, { at: 9_000, fraction: 0.11 }), "under 2% of the job").toBeNull();
    expect(msLeft(since, { at: 5_000, fraction: 0.99 }), "at the end").toBeNull();
    // 20% in 4 s: the 70% left takes 14 s.
    expect(msLeft(since, { at: 5_000, fraction: 0.3 })).toBeCloseTo(14_000);
  });
});
