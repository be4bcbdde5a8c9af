import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Team } from "../ipc/generated/Team";
import { toasts } from "../shell/toasts.svelte";
import { callsOf, kithError, serve } from "../testing/ipc";
import { catalog } from "./catalog.svelte";
import TeamsEditor from "./TeamsEditor.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

/** A core holding teams and their member counts, deleting and restoring as the real one does. */
function fakeCore(teams: Team[], members: Record<string, number>) {
  let live = [...teams];
  const deleted: Team[] = [];
  serve({
    team_sizes: () => live.map((t) => ({ ...t, members: members[t.id] ?? 0 })),
    rename_team: ({ id, name }) => {
      if (live.some((t) => t.id !== id && t.name.toLowerCase() === name.toLowerCase()))
        return Promise.reject(kithError(`There is already one named ${name}`, "name"));
      live = live.map((t) => (t.id === id ? { id, name } : t));
      return { id, name };
    },
    delete_team: ({ id }) => {
      deleted.push(...live.filter((t) => t.id === id));
      live = live.filter((t) => t.id !== id);
      return null;
    },
    restore_team: ({ id }) => {
      const team = deleted.find((t) => t.id === id)!;
      live.push(team);
      return team;
    },
  });
  catalog.teams = [...teams];
}

const rows = () => screen.getAllByTestId("team-row");
const names = () => screen.queryAllByTestId("team-row").map((r) => r.querySelector(".name")?.textContent);

beforeEach(() => {
  toasts.length = 0;
});

describe("Settings: teams", () => {
  it("shows how many customers each team has, and says what to do with none", async () => {
    fakeCore([{ id: "t1", name: "VIP" }, { id: "t2", name: "Wholesale" }], { t1: 1204, t2: 1 });
    render(TeamsEditor);
    await waitFor(() => expect(within(rows()[0]).getByTestId("team-members").textContent).toBe("1,204 customers"));
    expect(within(rows()[1]).getByTestId("team-members").textContent).toBe("1 customer");

    catalog.teams = [];
    await waitFor(() => expect(screen.getByTestId("teams").textContent).toContain("No teams yet. Add one here"));
  });

  it("renames a team, and shows a clash under the name", async () => {
    const user = userEvent.setup();
    fakeCore([{ id: "t1", name: "VIP" }, { id: "t2", name: "Wholesale" }], {});
    render(TeamsEditor);
    await user.click(within(rows()[1]).getByTestId("rename-team"));
    const input = screen.getByTestId("save-team-name-input") as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    await user.clear(input);
    await user.type(input, "vip");
    await user.click(screen.getByTestId("save-team-name"));
    expect((await screen.findByTestId("field-error")).textContent).toBe("There is already one named vip");

    await user.clear(input);
    await user.type(input, "Trade{Enter}");
    await waitFor(() => expect(names()).toEqual(["Trade", "VIP"]));
    expect(callsOf("rename_team").at(-1)).toEqual({ id: "t2", name: "Trade" });
    // Focus comes back to the renamed team's row, now first.
    await waitFor(() => expect(document.activeElement).toBe(within(rows()[0]).getByTestId("rename-team")));

    await user.click(within(rows()[1]).getByTestId("rename-team"));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(document.activeElement).toBe(within(rows()[1]).getByTestId("rename-team")));
  });

  it("deletes a team at once, saying how many were in it, and Undo brings it back", async () => {
    const user = userEvent.setup();
    const members: Record<string, number> = { t1: 12 };
    fakeCore([{ id: "t1", name: "VIP" }, { id: "t2", name: "Wholesale" }], members);
    render(TeamsEditor);
    await waitFor(() => expect(within(rows()[0]).getByTestId("team-members").textContent).toBe("12 customers"));
    await user.click(within(rows()[0]).getByTestId("delete-team"));
    await waitFor(() => expect(names()).toEqual(["Wholesale"]));
    expect(toasts[0].message).toBe("Deleted the team VIP (12 customers were in it)");
    expect(document.activeElement, "focus goes to the next team's Delete").toBe(within(rows()[0]).getByTestId("delete-team"));

    // Counted again after the Undo: someone joined meanwhile (on another computer, say).
    members.t1 = 13;
    await toasts[0].action!.run();
    await waitFor(() => expect(names()).toEqual(["VIP", "Wholesale"]));
    expect(callsOf("restore_team")).toEqual([{ id: "t1" }]);
    await waitFor(() => expect(within(rows()[0]).getByTestId("team-members").textContent).toBe("13 customers"));
  });

  it("shows no count before the teams are counted", async () => {
    fakeCore([{ id: "t1", name: "VIP" }], { t1: 3 });
    serve({ team_sizes: () => new Promise(() => {}) });
    render(TeamsEditor);
    expect(names()).toEqual(["VIP"]);
    expect(within(rows()[0]).queryByTestId("team-members")).toBeNull();
  });

  it("Undo with a team of the same name made meanwhile lists that team once", async () => {
    const user = userEvent.setup();
    fakeCore([{ id: "t1", name: "VIP" }], {});
    render(TeamsEditor);
    await user.click(within(rows()[0]).getByTestId("delete-team"));
    await waitFor(() => expect(names()).toEqual([]));
    catalog.teams = [{ id: "t9", name: "vip" }];
    serve({ restore_team: () => ({ id: "t9", name: "vip" }), team_sizes: () => [{ id: "t9", name: "vip", members: 2 }] });
    await toasts[0].action!.run();
    await waitFor(() => expect(within(rows()[0]).getByTestId("team-members").textContent).toBe("2 customers"));
    expect(names()).toEqual(["vip"]);
  });
});
