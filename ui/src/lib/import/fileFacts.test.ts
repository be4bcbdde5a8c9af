import { describe, expect, it } from "vitest";
import { encodingChoices, encodingIsGuessed, encodingLabel, groupsNote, titlesNote } from "./fileFacts";

describe("encodingLabel", () => {
  it("names the encodings the importer knows by kind", () => {
    expect(encodingLabel("utf8")).toBe("UTF-8");
    expect(encodingLabel("windows1252")).toBe("Windows-1252 (Western European)");
  });

  it("names a detected legacy code page, with its region where Excel writes it", () => {
    expect(encodingLabel({ legacy: "windows-1250" })).toBe("Windows-1250 (Central European)");
    expect(encodingLabel({ legacy: "windows-1251" })).toBe("Windows-1251 (Cyrillic)");
    expect(encodingLabel({ legacy: "Shift_JIS" })).toBe("Shift_JIS (Japanese)");
    expect(encodingLabel({ legacy: "ISO-8859-10" })).toBe("ISO-8859-10");
  });
});

describe("encodingChoices", () => {
  const keys = (detected: Parameters<typeof encodingChoices>[0]) =>
    encodingChoices(detected).flatMap((g) => g.choices.map((c) => c.key));

  it("offers the code pages, not UTF-8, and marks the detected one", () => {
    expect(keys({ legacy: "windows-1250" })).not.toContain("utf8");
    expect(keys("windows1252")).toContain("legacy:macintosh");
    const central = encodingChoices({ legacy: "windows-1250" }).find((g) => g.group === "Central European")!;
    expect(central.choices[0]).toEqual({
      key: "legacy:windows-1250",
      encoding: { legacy: "windows-1250" },
      label: "Windows-1250 (Central European) — detected",
    });
  });

  it("keeps the code page the file is read in, when it is none of the usual ones", () => {
    const groups = encodingChoices("windows1252", { legacy: "ISO-8859-10" });
    expect(groups.at(-1)).toEqual({
      group: "Other",
      choices: [{ key: "legacy:ISO-8859-10", encoding: { legacy: "ISO-8859-10" }, label: "ISO-8859-10" }],
    });
    expect(encodingChoices("windows1252", { legacy: "macintosh" }).some((g) => g.group === "Other")).toBe(false);
  });

  it("keeps a detected code page it has no group for", () => {
    const groups = encodingChoices({ legacy: "ISO-8859-10" });
    expect(groups.at(-1)).toEqual({
      group: "Other",
      choices: [{ key: "legacy:ISO-8859-10", encoding: { legacy: "ISO-8859-10" }, label: "ISO-8859-10 — detected" }],
    });
  });

  it("names every encoding it offers", () => {
    for (const { choices } of encodingChoices("windows1252")) {
      for (const c of choices) if (typeof c.encoding !== "string") expect(c.label, c.key).not.toBe(c.encoding.legacy);
    }
  });

  it("tells a guessed code page from an encoding that is certain", () => {
    expect(encodingIsGuessed("utf8_bom")).toBe(false);
    expect(encodingIsGuessed("utf16_le")).toBe(false);
    expect(encodingIsGuessed("windows1252")).toBe(true);
    expect(encodingIsGuessed({ legacy: "windows-1251" })).toBe(true);
    expect(encodingIsGuessed("utf8")).toBe(false);
  });
});

describe("titlesNote", () => {
  it("names a report's title lines, and counts those past three", () => {
    expect(titlesNote(["Customer Contact List"])).toBe("The title above the column names was left out: “Customer Contact List”.");
    expect(titlesNote(["Customer Contact List", "Acme Bakery", "All Dates"])).toBe(
      "The lines above the column names were left out: “Customer Contact List”, “Acme Bakery”, “All Dates”.",
    );
    expect(titlesNote(["A", "B", "C", "D", "E"])).toBe("The lines above the column names were left out: “A”, “B”, “C” and 2 more.");
  });

  it("cuts a long title", () => {
    const note = titlesNote(["x".repeat(200)]);
    expect(note).toContain(`“${"x".repeat(59)}…”`);
    expect(note.length).toBeLessThan(120);
    expect(titlesNote(["🎉".repeat(70)])).toContain(`“${"🎉".repeat(59)}…”`);
  });
});

describe("groupsNote", () => {
  it("names a vCard file's contact groups and how many cards each lists", () => {
    expect(groupsNote([{ name: "Regulars", members: 1 }])).toBe(
      "The contact group “Regulars” (1 card) is not imported as customers: each member has the group's name in its Categories.",
    );
    const many = ["A", "B", "C", "D", "E"].map((name) => ({ name, members: 2 }));
    expect(groupsNote([{ name: "", members: 2 }])).toMatch(/^The contact group one with no name \(2 cards, no team\) is not/);
    expect(groupsNote(many)).toMatch(/^The contact groups “A” \(2 cards\), “B” \(2 cards\), “C” \(2 cards\) and 2 more are not/);
  });
});
