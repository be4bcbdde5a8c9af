// Geometry of the virtualized user list: which rows a scroll position shows and where.
//
// Browsers cap an element's height (~33M px in Chromium, less elsewhere), and a million rows
// of 40 px is 40M px. Past MAX_SCROLL_PX the scroll space is scaled down: the scrollbar moves
// over MAX_SCROLL_PX and each scrolled pixel advances `ratio` pixels of rows. Below it the
// ratio is exactly 1, so ordinary lists scroll natively with no repositioning at all.

export const MAX_SCROLL_PX = 10_000_000;

export type Geometry = {
  /** Height of the scrollable spacer. */
  scrollHeight: number;
  /** Row pixels advanced per scrolled pixel (1 unless the list is scaled). */
  ratio: number;
};

export function geometry(total: number, rowHeight: number, viewportHeight: number): Geometry {
  const fullHeight = total * rowHeight;
  const scrollHeight = Math.min(fullHeight, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, scrollHeight - viewportHeight);
  const maxFull = Math.max(0, fullHeight - viewportHeight);
  return { scrollHeight, ratio: maxScroll > 0 ? maxFull / maxScroll : 1 };
}

export type VisibleRows = {
  first: number;
  last: number;
  /** Offset to add to `index * rowHeight` to get a row's `top` inside the spacer. */
  shift: number;
};

/** Rows intersecting the viewport, widened by `overscan` rows each side. */
export function visibleRows(
  g: Geometry,
  total: number,
  rowHeight: number,
  viewportHeight: number,
  scrollTop: number,
  overscan = 4,
): VisibleRows {
  const rowOffset = scrollTop * g.ratio;
  const first = Math.max(0, Math.floor(rowOffset / rowHeight) - overscan);
  const last = Math.min(total - 1, Math.floor((rowOffset + viewportHeight) / rowHeight) + overscan);
  return { first, last, shift: scrollTop - rowOffset };
}

/** The scrollTop that brings row `index` fully into view, or null when it already is.
 *  Browsers keep scrollTop in whole pixels and in a scaled list one pixel is `ratio` pixels
 *  of rows, so the answer is rounded towards the row: it ends up inside, never clipped. */
export function scrollTopToReveal(
  g: Geometry,
  index: number,
  rowHeight: number,
  viewportHeight: number,
  scrollTop: number,
): number | null {
  const rowTop = index * rowHeight;
  const rowOffset = scrollTop * g.ratio;
  const maxScroll = Math.max(0, g.scrollHeight - viewportHeight);
  if (rowTop < rowOffset) return Math.max(0, Math.floor(rowTop / g.ratio));
  if (rowTop + rowHeight > rowOffset + viewportHeight) {
    return Math.min(maxScroll, Math.ceil((rowTop + rowHeight - viewportHeight) / g.ratio - 1e-6));
  }
  return null;
}

/** Rows that fit in the viewport: how far Page Up / Page Down move. */
export function rowsPerPage(rowHeight: number, viewportHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / rowHeight));
}

/** The first row wholly inside the viewport at this scroll position. */
export function firstFullyVisible(g: Geometry, total: number, rowHeight: number, scrollTop: number): number {
  return Math.min(Math.max(0, total - 1), Math.max(0, Math.ceil((scrollTop * g.ratio) / rowHeight - 1e-6)));
}
