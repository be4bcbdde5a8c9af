import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import ImportCounts from "./ImportCounts.svelte";

const report = { batch_id: null, created: 0, updated: 1, skipped: 3, unchanged: 2, failed: 0, to_fix: 0, errors: [], new_teams: 0, new_team_names: [], photos: 0, photo_links: 0, committed: false };

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
    expect(screen.queryByTestId("import-new-teams")).toBeNull();
  });

  it("names the new teams an import makes, the first few of many, before it makes them", () => {
    const { unmount } = render(ImportCounts, { report: { ...report, new_teams: 2, new_team_names: ["Fair visitors", "Spring fair"] }, planned: true });
    expect(screen.getByTestId("import-new-teams").textContent).toBe("Creates 2 new teams: “Fair visitors” and “Spring fair”");
    unmount();
    const named = { ...report, new_teams: 3, new_team_names: ["Sales and Marketing", "VIP", "R and D"] };
    const second = render(ImportCounts, { report: named, planned: true });
    expect(screen.getByTestId("import-new-teams").textContent).toBe("Creates 3 new teams: “Sales and Marketing”, “VIP” and “R and D”");
    second.unmount();
    const many = { ...report, new_teams: 3412, new_team_names: ["a@example.com", "b@example.com", "c", "d", "e"] };
    render(ImportCounts, { report: many, planned: false });
    const note = screen.getByTestId("import-new-teams");
    expect(note.textContent).toBe("Created 3,412 new teams: “a@example.com”, “b@example.com”, “c”, “d”, “e” and 3,407 more");
    expect(note.classList.contains("many")).toBe(true);
  });

  it("counts the photos set, and says that linked or named photos are not imported", () => {
    const { unmount } = render(ImportCounts, { report: { ...report, photos: 1, photo_links: 0 }, planned: true });
    expect(screen.getByTestId("import-photos").textContent).toBe("Sets 1 profile photo from the file.");
    unmount();
    render(ImportCounts, { report: { ...report, photos: 1200, photo_links: 3 }, planned: false });
    expect(screen.getByTestId("import-photos").textContent).toBe(
      "Set 1,200 profile photos from the file. 3 photos are links or file names, not in the file: not imported.",
    );
  });
});
