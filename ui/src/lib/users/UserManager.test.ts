import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { UserDetail } from "../ipc/generated/UserDetail";
import { toasts } from "../shell/toasts.svelte";
import Toasts from "../shell/Toasts.svelte";
import { callsOf, detail, serve, summary } from "../testing/ipc";
import UserManager from "./UserManager.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

/** A tiny in-memory core: three users, a trash, delete and restore. */
function fakeCore() {
  const users = new Map<string, UserDetail>(
    [1, 2, 3].map((i) => [`u${i}`, detail({ ...summary(i) })]),
  );
  const live = () => [...users.values()].filter((u) => u.deleted_at === null);
  return serve({
    list_users: ({ offset, limit }) => ({ total: live().length, offset, rows: live().slice(offset, offset + limit) }),
    get_user: ({ id }) => users.get(id),
    delete_user: ({ id }) => {
      users.get(id)!.deleted_at = 1;
      return null;
    },
    restore_user: ({ id }) => {
      users.get(id)!.deleted_at = null;
      return users.get(id);
    },
    list_trash: () => [...users.values()].filter((u) => u.deleted_at !== null),
    find_duplicates: () => [],
    create_user: ({ draft }) => {
      const user = detail({ ...draft, id: "u9" });
      users.set(user.id, user);
      return user;
    },
  });
}

const rowIds = () => screen.queryAllByTestId("user-row").map((r) => r.dataset.userId);
const selectedIds = () =>
  screen
    .queryAllByTestId("user-row")
    .filter((r) => r.getAttribute("aria-selected") === "true")
    .map((r) => r.dataset.userId);

describe("User Manager", () => {
  beforeEach(() => {
    toasts.length = 0;
    fakeCore();
  });

  it("deletes at once and offers Undo, which restores the user", async () => {
    const user = userEvent.setup();
    render(UserManager);
    render(Toasts);
    await waitFor(() => expect(rowIds()).toEqual(["u1", "u2", "u3"]));

    await user.click(screen.getAllByTestId("user-row")[1]);
    await user.click(await screen.findByTestId("delete-user"));

    await waitFor(() => expect(rowIds()).toEqual(["u1", "u3"]));
    expect(callsOf("delete_user")).toEqual([{ id: "u2" }]);
    expect(screen.queryByTestId("user-profile")).toBeNull();
    const toast = screen.getByTestId("toast");
    expect(toast.textContent).toContain("Deleted First2 Last2");

    await user.click(within(toast).getByTestId("undo"));
    expect(callsOf("restore_user")).toEqual([{ id: "u2" }]);
    await waitFor(() => expect(rowIds()).toEqual(["u1", "u2", "u3"]));
    expect((await screen.findByTestId("user-profile")).textContent).toContain("First2 Last2");
    expect(toast.textContent).not.toContain("Deleted");
    expect(within(toast).queryByTestId("undo")).toBeNull();
    expect(selectedIds()).toEqual(["u2"]);
  });

  it("restoring from the trash replaces the Deleted toast and its Undo, and shows the user", async () => {
    const user = userEvent.setup();
    render(UserManager);
    render(Toasts);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    await user.click(screen.getAllByTestId("user-row")[0]);
    await user.click(await screen.findByTestId("delete-user"));
    const toast = screen.getByTestId("toast");
    expect(within(toast).getByTestId("undo")).toBeTruthy();

    await user.click(screen.getByTestId("open-trash"));
    await user.click(await screen.findByTestId("restore-user"));

    await waitFor(() => expect(toast.textContent).toContain("Restored First1 Last1"));
    expect(within(toast).getAllByTestId("toast-item")).toHaveLength(1);
    expect(toast.textContent).not.toContain("Deleted");
    expect(within(toast).queryByTestId("undo")).toBeNull();
    expect((await screen.findByTestId("user-profile")).textContent).toContain("First1 Last1");
    expect(callsOf("restore_user")).toEqual([{ id: "u1" }]);
  });

  it("Undo while the trash is open goes back to the list with the user selected", async () => {
    const user = userEvent.setup();
    render(UserManager);
    render(Toasts);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    await user.click(screen.getAllByTestId("user-row")[2]);
    await user.click(await screen.findByTestId("delete-user"));
    await user.click(screen.getByTestId("open-trash"));
    await screen.findByTestId("trash-row");

    await user.click(within(screen.getByTestId("toast")).getByTestId("undo"));

    await waitFor(() => expect(rowIds()).toEqual(["u1", "u2", "u3"]));
    expect(screen.queryByTestId("trash-view")).toBeNull();
    expect(selectedIds()).toEqual(["u3"]);
    expect((await screen.findByTestId("user-profile")).textContent).toContain("First3 Last3");
    expect(toasts).toHaveLength(0);
    expect(callsOf("restore_user")).toEqual([{ id: "u3" }]);
  });

  it("with no one selected, the profile pane says what to do and shows the shortcuts", async () => {
    render(UserManager);
    const pane = await screen.findByTestId("no-profile");
    expect(pane.textContent).toContain("Select a user to see their profile");
    const chips = [...pane.querySelectorAll("kbd")].map((k) => k.textContent);
    expect(chips).toEqual(["↑Up arrow", "↓Down arrow", "Enter", "Ctrl", "K", "Ctrl", "N"]);
    expect(pane.textContent).toContain("add a user");
    expect(pane.textContent).toContain("search (Enter opens the first match)");
  });

  it("lists deleted users in the trash and restores them", async () => {
    const user = userEvent.setup();
    render(UserManager);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    await user.click(screen.getAllByTestId("user-row")[0]);
    await user.click(await screen.findByTestId("delete-user"));

    await user.click(screen.getByTestId("open-trash"));
    const trash = await screen.findByTestId("trash-view");
    const row = await within(trash).findByTestId("trash-row");
    expect(row.textContent).toContain("First1 Last1");
    await user.click(within(row).getByTestId("restore-user"));
    await waitFor(() => expect(within(trash).getByText("Trash is empty")).toBeTruthy());
    expect(callsOf("restore_user")).toEqual([{ id: "u1" }]);
  });

  it("on a narrow window, Enter hands focus to the profile and Back returns it to the same row", async () => {
    const user = userEvent.setup();
    const width = window.innerWidth;
    window.innerWidth = 600;
    try {
      render(UserManager);
      await waitFor(() => expect(rowIds()).toHaveLength(3));
      screen.getByTestId("user-list").focus();
      await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");

      const back = await screen.findByTestId("profile-back");
      expect(screen.queryByTestId("user-list")).toBeNull();
      expect(document.activeElement).toBe(back);
      await user.keyboard("{Enter}");

      await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("user-list")));
      expect(selectedIds()).toEqual(["u2"]);
      await user.keyboard("{ArrowDown}");
      expect(selectedIds()).toEqual(["u3"]);
    } finally {
      window.innerWidth = width;
    }
  });

  it("opens Add user from the Plus menu, then selects the new user", async () => {
    const user = userEvent.setup();
    render(UserManager);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    await user.click(screen.getByTestId("add-user"));
    await user.click(screen.getByTestId("menu-add-user"));
    await user.type(screen.getByTestId("field-first-name"), "Grace");
    await user.click(screen.getByTestId("save-user"));

    await waitFor(() => expect(screen.queryByTestId("add-user-dialog")).toBeNull());
    expect((await screen.findByTestId("user-profile")).textContent).toContain("Grace");
    await waitFor(() => expect(rowIds()).toContain("u9"));
    await waitFor(() => expect(selectedIds()).toEqual(["u9"]));
  });
});
