import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import ImportCounts from "./ImportCounts.svelte";

const report = { batch_id: null, created: 0, updated: 1, skipped: 3, unchanged: 2, failed: 0, to_fix: 0, errors: [], committed: false };

describe("ImportCounts", () => {
  it("says how many skipped rows were simply already up to date", () => {
    render(ImportCounts, { report, planned: true });
    expect(screen.getByTestId("count-skipped").textContent).toContain("to skip");
    expect(screen.getByTestId("count-unchanged").textContent).toBe("2 already up to date");
  });

  it("says nothing of it when no row was unchanged", () => {
    render(ImportCounts, { report: { ...report, unchanged: 0 }, planned: false });
    expect(screen.getByTestId("count-skipped").textContent).toContain("skipped");
    expect(screen.queryByTestId("count-unchanged")).toBeNull();
  });
});
