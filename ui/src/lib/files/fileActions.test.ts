import { describe, expect, it } from "vitest";
import type { DroppedFile } from "../ipc/generated/DroppedFile";
import { splitDrop, type DropTarget } from "./dropTarget";
import { attachMessages } from "./fileActions";

const dropped = (name: string): DroppedFile => ({ name, file: { token: `tok-${name}`, name, size_bytes: 1 }, error: null });
const target = (profile: boolean): DropTarget => ({ userId: "u1", name: "Zoë", profile, image: null, element: document.body });

describe("attaching dropped files", () => {
  it("attaches every file dropped on a profile, but imports a CSV dropped on a list row", () => {
    const files = [dropped("contract.pdf"), dropped("people.csv")];
    expect(splitDrop(files, target(true))).toEqual({ attach: files, importing: [] });
    expect(splitDrop(files, target(false))).toEqual({ attach: [files[0]], importing: [files[1]] });
  });

  it("says how many files were attached, and apart from that names each one that was not", () => {
    expect(attachMessages(2, [], "Zoë")).toEqual([{ text: "Attached 2 files to Zoë", tone: "info" }]);
    expect(attachMessages(1, [{ name: "x.bin", message: "permission denied" }], "Zoë")).toEqual([
      { text: "Attached 1 file to Zoë", tone: "info" },
      { text: "Not attached: x.bin: permission denied", tone: "error" },
    ]);
    expect(attachMessages(0, [{ name: "Photos", message: "Photos is a folder" }], "Zoë")).toEqual([{ text: "Nothing attached: Photos is a folder", tone: "error" }]);
    expect(attachMessages(0, [], "Zoë")).toEqual([]);
  });
});
