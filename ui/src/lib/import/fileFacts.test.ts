import { describe, expect, it } from "vitest";
import { encodingLabel } from "./fileFacts";

describe("encodingLabel", () => {
  it("names the encodings the importer knows by kind", () => {
    expect(encodingLabel("utf8")).toBe("UTF-8");
    expect(encodingLabel("windows1252")).toBe("Windows-1252 (Western European)");
  });

  it("names a detected legacy code page, with its region where Excel writes it", () => {
    expect(encodingLabel({ legacy: "windows-1250" })).toBe("Windows-1250 (Central European)");
    expect(encodingLabel({ legacy: "windows-1251" })).toBe("Windows-1251 (Cyrillic)");
    expect(encodingLabel({ legacy: "Shift_JIS" })).toBe("Shift_JIS");
  });
});
