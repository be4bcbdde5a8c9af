import { describe, expect, it } from "vitest";
import { firstFullyVisible, geometry, MAX_SCROLL_PX, rowsPerPage, scrollTopToReveal, visibleRows } from "./virtualWindow";

describe("virtual window geometry", () => {
  it("scrolls 1:1 while the list fits under the cap", () => {
    const g = geometry(1000, 40, 400);
    expect(g).toEqual({ scrollHeight: 40_000, ratio: 1 });
    expect(visibleRows(g, 1000, 40, 400, 4000, 0)).toEqual({ first: 100, last: 110, shift: 0 });
  });

  it("scales the scroll space past the cap and still reaches the last row", () => {
    const total = 1_000_000;
    const g = geometry(total, 40, 400);
    expect(g.scrollHeight).toBe(MAX_SCROLL_PX);
    const bottom = visibleRows(g, total, 40, 400, MAX_SCROLL_PX - 400, 0);
    expect(bottom.last).toBe(total - 1);
    // The last row's top, placed in the spacer, ends exactly at the bottom of the scroll space.
    expect((total - 1) * 40 + bottom.shift + 40).toBeCloseTo(MAX_SCROLL_PX, 3);
  });

  it("finds the scrollTop that reveals a row, in scaled space", () => {
    const g = geometry(1_000_000, 40, 400);
    const top = scrollTopToReveal(g, 500_000, 40, 400, 0)!;
    const shown = visibleRows(g, 1_000_000, 40, 400, top, 0);
    expect(shown.first).toBeLessThanOrEqual(500_000);
    expect(shown.last).toBeGreaterThanOrEqual(500_000);
    expect(scrollTopToReveal(g, 0, 40, 400, 0)).toBeNull();
  });

  it("reveals in whole scroll pixels without clipping the row, up to the last of a million", () => {
    const total = 1_000_000;
    const g = geometry(total, 40, 400);
    for (const index of [10, 12_345, 500_001, 999_998, total - 1]) {
      const down = scrollTopToReveal(g, index, 40, 400, 0)!;
      expect(Number.isInteger(down)).toBe(true);
      const top = index * 40 - down * g.ratio;
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top + 40).toBeLessThanOrEqual(400);
      const up = scrollTopToReveal(g, index, 40, 400, MAX_SCROLL_PX)!;
      expect(Number.isInteger(up)).toBe(true);
      expect(index * 40 - up * g.ratio).toBeGreaterThanOrEqual(0);
    }
    expect(scrollTopToReveal(g, total - 1, 40, 400, 0)).toBe(MAX_SCROLL_PX - 400);
  });

  it("pages by the rows that fit and starts from the first whole row shown", () => {
    expect(rowsPerPage(40, 400)).toBe(10);
    expect(rowsPerPage(40, 30)).toBe(1);
    const g = geometry(1000, 40, 400);
    expect(firstFullyVisible(g, 1000, 40, 0)).toBe(0);
    expect(firstFullyVisible(g, 1000, 40, 4000)).toBe(100);
    expect(firstFullyVisible(g, 1000, 40, 4010)).toBe(101);
  });
});
