import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { callsOf, detail, serve, summary } from "../testing/ipc";
import UserManager from "./UserManager.svelte";
import { MAX_SCROLL_PX } from "./virtualWindow";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

/** A live list of `total` users, served by offset like the core's list_users. */
const listOf = (total: number) => ({
  list_users: ({ offset, limit }: { offset: number; limit: number }) => ({
    total,
    offset,
    rows: Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => summary(offset + i)),
  }),
  get_user: ({ id }: { id: string }) => detail({ id, first_name: `Opened ${id}` }),
});

function setScrollTop(element: HTMLElement, value: number) {
  Object.defineProperty(element, "scrollTop", { configurable: true, value });
  fireEvent.scroll(element);
}

describe("user list", () => {
  beforeEach(() => {
    serve(listOf(1_000_000));
  });

  it("renders only a window of rows for a million users, in a capped scroll space", async () => {
    render(UserManager);
    await screen.findByText("1,000,000 users");
    const rows = screen.getAllByTestId("user-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0].dataset.userId).toBe("u0");
    expect(rows[0].textContent).toContain("First0 Last0");
    expect(rows[0].textContent).toContain("user0@example.com");

    const spacer = screen.getByTestId("user-list").firstElementChild as HTMLElement;
    expect(parseFloat(spacer.style.height)).toBe(MAX_SCROLL_PX);
    // Only the first page was needed.
    expect(callsOf("list_users")).toEqual([{ sort: "name", offset: 0, limit: 100 }]);
  });

  it("fetches the page under the scroll position when scrolled to the middle", async () => {
    render(UserManager);
    await screen.findByText("1,000,000 users");
    setScrollTop(screen.getByTestId("user-list"), MAX_SCROLL_PX / 2);

    // Half way down the scaled scrollbar is half way through the million rows.
    const firstShown = () => Number(screen.getAllByTestId("user-row")[0].dataset.userId!.slice(1));
    await waitFor(() => expect(firstShown()).toBeGreaterThan(499_990));
    expect(firstShown()).toBeLessThan(500_020);
    expect(callsOf("list_users").map((c) => c.offset)).toContain(500_000);
    expect(screen.getAllByTestId("user-row").length).toBeLessThan(40);
  });

  it("moves with the arrow keys and opens the profile on Enter", async () => {
    const user = userEvent.setup();
    render(UserManager);
    await screen.findByText("1,000,000 users");

    screen.getByTestId("user-list").focus();
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");

    expect(await screen.findByTestId("user-profile")).toHaveProperty("textContent", expect.stringContaining("Opened u1"));
    expect(callsOf("get_user")).toEqual([{ id: "u1" }]);
  });

  it("groups the user count even where the webview's locale would not (LANG=C)", async () => {
    vi.spyOn(navigator, "language", "get").mockReturnValue("C");
    // What such a webview's toLocaleString() gives.
    const spy = vi.spyOn(Number.prototype, "toLocaleString").mockImplementation(function (this: number) {
      return String(this.valueOf());
    });
    try {
      serve(listOf(20_000));
      render(UserManager);
      expect(await screen.findByText("20,000 users")).toBeTruthy();
    } finally {
      spy.mockRestore();
      vi.restoreAllMocks();
    }
  });

  it("shows a phone number for people, not as stored, when a row has no email", async () => {
    serve({
      ...listOf(1),
      list_users: ({ offset }: { offset: number }) => ({
        total: 1,
        offset,
        rows: [summary(0, { email: null, mobile_phone: "+15551234567" })],
      }),
    });
    render(UserManager);
    const row = await screen.findByTestId("user-row");
    expect(row.textContent).toContain("+1 555 123 4567");
    expect(row.textContent).not.toContain("+15551234567");
  });

  it("says so when there are no users at all and offers Add user", async () => {
    serve(listOf(0));
    render(UserManager);
    expect(await screen.findByText("No users yet — Add a user")).toBeTruthy();
    await userEvent.setup().click(screen.getByTestId("empty-add-user"));
    expect(screen.getByTestId("add-user-dialog")).toBeTruthy();
  });
});

describe("search", () => {
  it("shows search_users results as you type and ignores answers that arrive late", async () => {
    const user = userEvent.setup();
    let releaseSlow: () => void = () => {};
    serve({
      ...listOf(10),
      search_users: ({ query }: { query: string }) => {
        const answer = { rows: [summary(7, { first_name: `Match-${query}` })], more: query === "ro" };
        // The answer for "ro" is held back until after the one for "ros" has been shown.
        if (query === "ro") return new Promise((resolve) => (releaseSlow = () => resolve(answer)));
        return answer;
      },
    });
    render(UserManager);
    await screen.findByText("10 users");

    await user.type(screen.getByTestId("user-search"), "ro");
    await waitFor(() => expect(callsOf("search_users")).toEqual([{ query: "ro", limit: 50 }]));
    await user.type(screen.getByTestId("user-search"), "s");

    await screen.findByText("Match-ros Last7");
    expect(callsOf("search_users").at(-1)).toEqual({ query: "ros", limit: 50 });
    releaseSlow();
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByText("Match-ro Last7")).toBeNull();
    expect(screen.getAllByTestId("user-row")).toHaveLength(1);
    expect(screen.getByTestId("list-status").textContent).toContain("1 match");
  });

  it("tells the user to keep typing when there are more matches, and names the query when none", async () => {
    const user = userEvent.setup();
    serve({
      ...listOf(10),
      search_users: ({ query }: { query: string }) =>
        query === "a" ? { rows: [summary(1)], more: true } : { rows: [], more: false },
    });
    render(UserManager);
    await user.type(screen.getByTestId("user-search"), "a");
    expect(await screen.findByText("More than 50 matches — keep typing")).toBeTruthy();
    await user.type(screen.getByTestId("user-search"), "zz");
    expect(await screen.findByText("No users match “azz”.")).toBeTruthy();
  });
});
