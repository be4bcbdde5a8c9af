import { SvelteMap } from "svelte/reactivity";
import { api, type KithError } from "../ipc/api";
import type { UserSort } from "../ipc/generated/UserSort";
import type { UserSummary } from "../ipc/generated/UserSummary";

/** What the virtualized list reads rows from: the paged live list or a search result. */
export interface RowSource {
  readonly total: number;
  rowAt(index: number): UserSummary | undefined;
  /** Asks for rows first..last to be loaded; rows arrive reactively through rowAt. */
  ensure(first: number, last: number): void;
  /** Where this user is among the rows loaded so far, or -1 (reactive, like rowAt). */
  indexOf(id: string): number;
}

export const PAGE_SIZE = 100;
/** ~4,000 rows: enough to scroll back and forth without refetching, bounded for a 1M list. */
const MAX_CACHED_PAGES = 40;

type Page = { generation: number; rows: UserSummary[] };

/** The live user list, fetched a page at a time by offset and cached. */
export class UserPages implements RowSource {
  total = $state(0);
  /** False until the first page answered, so "no users yet" is known, not assumed. */
  ready = $state(false);
  error = $state<KithError | null>(null);

  #sort: UserSort;
  #pages = new SvelteMap<number, Page>();
  #inflight = new Set<string>();
  // Bumped on every change of data or order; answers for an older generation are dropped.
  #generation = 0;
  #window = { first: 0, last: 0 };

  constructor(sort: UserSort) {
    this.#sort = sort;
  }

  rowAt(index: number): UserSummary | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.rows[index % PAGE_SIZE];
  }

  indexOf(id: string): number {
    // Fresh pages first: a page kept on screen through a refresh may show an old position.
    let stale = -1;
    for (const [page, { generation, rows }] of this.#pages) {
      const i = rows.findIndex((row) => row.id === id);
      if (i < 0) continue;
      if (generation === this.#generation) return page * PAGE_SIZE + i;
      stale = page * PAGE_SIZE + i;
    }
    return stale;
  }

  ensure(first: number, last: number) {
    this.#window = { first, last: Math.max(first, last) };
    const lastPage = Math.floor(this.#window.last / PAGE_SIZE);
    for (let page = Math.floor(first / PAGE_SIZE); page <= lastPage; page++) {
      if (this.#pages.get(page)?.generation !== this.#generation) void this.#fetch(page);
    }
  }

  /** Re-reads after a change. Rows on screen stay until their fresh page replaces them,
   *  so the list never blinks to placeholders; pages off screen are simply dropped. */
  refresh() {
    this.#generation++;
    for (const page of [...this.#pages.keys()]) if (!this.#isVisible(page)) this.#pages.delete(page);
    this.ensure(this.#window.first, this.#window.last);
  }

  setSort(sort: UserSort) {
    this.#sort = sort;
    this.#generation++;
    this.#pages.clear();
    this.ensure(0, 0);
  }

  #isVisible(page: number) {
    return page >= Math.floor(this.#window.first / PAGE_SIZE) && page <= Math.floor(this.#window.last / PAGE_SIZE);
  }

  async #fetch(page: number) {
    const generation = this.#generation;
    const key = `${generation}:${page}`;
    if (this.#inflight.has(key)) return;
    this.#inflight.add(key);
    try {
      const result = await api.listUsers(this.#sort, page * PAGE_SIZE, PAGE_SIZE);
      if (generation !== this.#generation) return;
      this.total = result.total;
      this.ready = true;
      this.error = null;
      this.#pages.set(page, { generation, rows: result.rows });
      this.#evict();
    } catch (error) {
      if (generation === this.#generation) this.error = error as KithError;
    } finally {
      this.#inflight.delete(key);
    }
  }

  #evict() {
    if (this.#pages.size <= MAX_CACHED_PAGES) return;
    const centre = (this.#window.first + this.#window.last) / 2 / PAGE_SIZE;
    const farthestFirst = [...this.#pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of farthestFirst.slice(0, this.#pages.size - MAX_CACHED_PAGES)) this.#pages.delete(page);
  }
}
