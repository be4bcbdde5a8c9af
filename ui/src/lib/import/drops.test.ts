import { describe, expect, it } from "vitest";
import type { DroppedFile } from "../ipc/generated/DroppedFile";
import { sortDrop } from "./drops";

const file = (name: string): DroppedFile => ({ name, file: { token: name, name, size_bytes: 1 }, error: null });

describe("dropped files", () => {
  it("imports a CSV, a TSV, a TXT, a workbook or a vCard file, whatever the case of its extension", () => {
    const names = ["a.csv", "b.TSV", "c.Txt", "Customers.XLSX", "d.xlsm", "e.xlsb", "f.xls", "g.ods", "Contacts.VCF", "e.vcard"];
    for (const name of names) expect(sortDrop([file(name)]).file?.name).toBe(name);
  });

  it("names the extension of a file it refuses, or says it has none", () => {
    expect(sortDrop([file("photo.JPG")]).message).toEqual({ text: "Only CSV, Excel and vCard files can be imported — photo.JPG is a .jpg", tone: "error" });
    expect(sortDrop([file("README")]).message?.text).toBe("Only CSV, Excel and vCard files can be imported — README is neither");
    expect(sortDrop([file(".csv")]).file).toBeNull();
  });

  it("passes on the core's reason for a file it could not register", () => {
    const folder: DroppedFile = { name: "exports.csv", file: null, error: "exports.csv is a folder — drop or choose a CSV file inside it" };
    expect(sortDrop([folder])).toEqual({ file: null, message: { text: folder.error, tone: "error" } });
  });

  it("takes the first CSV among several and says which were left out", () => {
    const outcome = sortDrop([file("x.pdf"), file("one.csv"), file("two.csv")]);
    expect(outcome.file?.name).toBe("one.csv");
    expect(outcome.message).toEqual({ text: "Importing one.csv — one file at a time, so x.pdf, two.csv were left out", tone: "info" });
    expect(sortDrop([file("a.pdf"), file("b.doc"), file("c.png"), file("d.zip")]).message?.text).toBe(
      "None of these can be imported: a.pdf, b.doc and 2 more — drop one CSV, Excel or vCard file",
    );
  });
});
