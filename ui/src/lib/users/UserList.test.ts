import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
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

  it("says so when there are no users at all and offers Add user and Import a CSV", async () => {
    serve(listOf(0));
    render(UserManager);
    expect(await screen.findByText("No users yet — Add a user or Import a CSV, Excel or vCard file")).toBeTruthy();
    await userEvent.setup().click(screen.getByTestId("empty-add-user"));
    expect(screen.getByTestId("add-user-dialog")).toBeTruthy();
  });

  it("offers Import a CSV from the empty list, which opens the import dialog", async () => {
    serve(listOf(0));
    render(UserManager);
    await userEvent.setup().click(await screen.findByTestId("empty-import"));
    expect(screen.getByTestId("import-dialog")).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId("import-choose-file"));
  });
});

const list = () => screen.getByTestId("user-list");
const row = (id: string) => list().querySelector<HTMLElement>(`[data-user-id="${id}"]`);
const selectedIds = () =>
  screen
    .queryAllByTestId("user-row")
    .filter((r) => r.getAttribute("aria-selected") === "true")
    .map((r) => r.dataset.userId);
/** The selected row is in the DOM, whole inside the 400 px viewport, and announced. */
function expectSelectedInView(id: string) {
  const el = row(id)!;
  expect(el, `row ${id} is rendered`).toBeTruthy();
  const top = parseFloat(el.style.top) - list().scrollTop;
  expect(top).toBeGreaterThanOrEqual(0);
  expect(top + 40).toBeLessThanOrEqual(400);
  expect(list().getAttribute("aria-activedescendant")).toBe(el.id);
}

describe("keyboard in a million-user list", () => {
  beforeEach(() => {
    serve(listOf(1_000_000));
  });

  it("is a listbox whose options carry their place in the whole list", async () => {
    render(UserManager);
    await screen.findByText("1,000,000 users");
    expect(list().getAttribute("role")).toBe("listbox");
    expect(list().tabIndex).toBe(0);
    const options = within(list()).getAllByRole("option");
    expect(options[0].getAttribute("aria-setsize")).toBe("1000000");
    expect(options[0].getAttribute("aria-posinset")).toBe("1");
    expect(options[3].getAttribute("aria-posinset")).toBe("4");
    expect(options.every((o) => o.getAttribute("aria-selected") === "false")).toBe(true);
    // Rows are not tab stops of their own: the listbox holds focus, rows come and go.
    expect(options.every((o) => !o.hasAttribute("tabindex"))).toBe(true);
  });

  it("keeps the keyboard in the list after a click, so Page Down moves the selection a page", async () => {
    const user = userEvent.setup();
    render(UserManager);
    await screen.findByText("1,000,000 users");

    await user.click(row("u2")!);
    expect(document.activeElement).toBe(list());
    expect(selectedIds()).toEqual(["u2"]);
    // Opening the profile does not take focus from the list.
    await waitFor(() => expect(screen.getByTestId("user-profile").textContent).toContain("Opened u2"));
    expect(document.activeElement).toBe(list());
    expect(row("u2")!.getAttribute("aria-current")).toBe("true");

    await user.keyboard("{PageDown}");
    // 400 px of 40 px rows: a page is 10 rows.
    expect(selectedIds()).toEqual(["u12"]);
    expectSelectedInView("u12");
    // Moving selects; only Enter opens.
    expect(callsOf("get_user")).toEqual([{ id: "u2" }]);

    await user.keyboard("{PageUp}{ArrowUp}");
    expect(selectedIds()).toEqual(["u1"]);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("user-profile").textContent).toContain("Opened u1"));
    expect(document.activeElement).toBe(list());
  });

  it("after Page Down ×30 still has the keyboard, and End jumps to the last of a million", async () => {
    const user = userEvent.setup();
    render(UserManager);
    await screen.findByText("1,000,000 users");

    await user.click(row("u2")!);
    await user.keyboard("{PageDown>30/}");
    expect(document.activeElement).toBe(list());
    await waitFor(() => expect(selectedIds()).toEqual(["u302"]));
    expectSelectedInView("u302");
    // The clicked row has long left the window; the keys still reach the list.
    expect(row("u2")).toBeNull();

    await user.keyboard("{End}");
    expect(document.activeElement).toBe(list());
    await waitFor(() => expect(selectedIds()).toEqual(["u999999"]));
    expectSelectedInView("u999999");
    expect(row("u999999")!.getAttribute("aria-posinset")).toBe("1000000");
    expect(callsOf("list_users")).toContainEqual({ sort: "name", offset: 999_900, limit: 100 });
    expect(list().scrollTop).toBe(MAX_SCROLL_PX - 400);

    await user.keyboard("{ArrowDown}");
    expect(selectedIds()).toEqual(["u999999"]);
    await user.keyboard("{ArrowUp}{Enter}");
    await waitFor(() => expect(screen.getByTestId("user-profile").textContent).toContain("Opened u999998"));

    await user.keyboard("{Home}");
    await waitFor(() => expect(selectedIds()).toEqual(["u0"]));
    expectSelectedInView("u0");
    expect(list().scrollTop).toBe(0);
    expect(document.activeElement).toBe(list());
  });

  it("opens a row whose page is still loading once it arrives", async () => {
    const user = userEvent.setup();
    render(UserManager);
    await screen.findByText("1,000,000 users");
    list().focus();
    await user.keyboard("{End}{Enter}");
    await waitFor(() => expect(screen.getByTestId("user-profile").textContent).toContain("Opened u999999"));
    expect(document.activeElement).toBe(list());
  });
});

describe("search", () => {
  it("moves through search results with the same keys, from the search box on", async () => {
    const user = userEvent.setup();
    serve({
      ...listOf(1_000_000),
      search_users: () => ({ rows: Array.from({ length: 50 }, (_, i) => summary(1000 + i)), more: true }),
    });
    render(UserManager);
    await screen.findByText("1,000,000 users");
    await user.type(screen.getByTestId("user-search"), "a");
    await screen.findByText("More than 50 matches — keep typing");
    expect(screen.getByRole("listbox", { name: "Search results" })).toBe(list());

    await user.keyboard("{ArrowDown}");
    expect(document.activeElement).toBe(list());
    expect(selectedIds()).toEqual(["u1000"]);
    expect(row("u1000")!.getAttribute("aria-setsize")).toBe("50");

    await user.keyboard("{End}");
    expect(selectedIds()).toEqual(["u1049"]);
    expectSelectedInView("u1049");
    await user.keyboard("{PageUp}");
    expect(selectedIds()).toEqual(["u1039"]);
    expectSelectedInView("u1039");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("user-profile").textContent).toContain("Opened u1039"));
    expect(document.activeElement).toBe(list());

    await user.click(row("u1041")!);
    await user.keyboard("{ArrowDown}");
    expect(selectedIds()).toEqual(["u1042"]);
    expect(document.activeElement).toBe(list());
  });

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

  it("opens the first match on Enter in the search box, also when pressed before the answer came", async () => {
    const user = userEvent.setup();
    serve({
      ...listOf(10),
      search_users: ({ query }: { query: string }) => ({
        rows: [summary(query.length, { first_name: `First-${query}` }), summary(9)],
        more: false,
      }),
    });
    render(UserManager);
    await screen.findByText("10 users");
    // Typed and Enter at once: the answer is not there yet.
    await user.type(screen.getByTestId("user-search"), "ann{Enter}");
    await waitFor(() => expect(callsOf("get_user")).toEqual([{ id: "u3" }]));
    expect(document.activeElement).toBe(screen.getByTestId("user-search"));

    // With the answer shown, Enter opens its first match at once.
    await user.clear(screen.getByTestId("user-search"));
    await user.type(screen.getByTestId("user-search"), "bo");
    await screen.findByText("First-bo Last2");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(callsOf("get_user")).toEqual([{ id: "u3" }, { id: "u2" }]));
    // Enter, then typing on before the answer: the query typed on is not opened.
    await user.clear(screen.getByTestId("user-search"));
    await user.type(screen.getByTestId("user-search"), "cyd{Enter}x");
    await screen.findByText("First-cydx Last4");
    await new Promise((r) => setTimeout(r, 50));
    expect(callsOf("get_user")).toEqual([{ id: "u3" }, { id: "u2" }]);
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
