import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ImportPreview } from "../ipc/generated/ImportPreview";
import type { ImportTarget } from "../ipc/generated/ImportTarget";
import ColumnMapping from "./ColumnMapping.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

/** The parts of a preview the column table reads. */
function preview(headers: string[], samples: string[][]): ImportPreview {
  return { headers, samples, rows: [] } as unknown as ImportPreview;
}

const headerCells = () => screen.getAllByTestId("mapping-row").map((r) => r.querySelector("th")!.textContent);

describe("ColumnMapping", () => {
  it("folds columns with no header and nothing in them into one line, shown on request", async () => {
    const user = userEvent.setup();
    const ignore: ImportTarget = { kind: "ignore" };
    render(ColumnMapping, {
      // A sheet starting at column C, and an unnamed column that does hold values.
      preview: preview(["", "", "First Name", "Email", ""], [[], [" "], ["Ann"], ["ann@example.com"], ["VIP"]]),
      mapping: [ignore, ignore, { kind: "first_name" }, { kind: "email" }, ignore],
      disabled: false,
      onRemap: () => {},
    });
    expect(headerCells()).toEqual(["First Name", "Email", "Column 5"]);
    const line = screen.getByTestId("mapping-blank-columns");
    expect(line.textContent).toContain("2 columns have no header and nothing in the first rows: not imported.");
    const toggle = within(line).getByTestId("mapping-show-blank");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");

    await user.click(toggle);
    expect(headerCells()).toEqual(["Column 1", "Column 2", "First Name", "Email", "Column 5"]);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
  });

  it("shows no such line when every column has a header", () => {
    render(ColumnMapping, {
      preview: preview(["First Name", "Email"], [["Ann"], ["ann@example.com"]]),
      mapping: [{ kind: "first_name" }, { kind: "email" }],
      disabled: false,
      onRemap: () => {},
    });
    expect(screen.queryByTestId("mapping-blank-columns")).toBeNull();
  });
});
