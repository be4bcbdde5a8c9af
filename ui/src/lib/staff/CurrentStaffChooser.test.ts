import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { settings } from "../settings/settings.svelte";
import { callsOf, kithError, serve } from "../testing/ipc";
import { resetTaskLists } from "../tasks/taskLists.svelte";
import CurrentStaffChooser from "./CurrentStaffChooser.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const base = { default_region: "US", theme: "system" as const };
const maya = { id: "s1", name: "Maya", email: null, color: "#2563eb" };

beforeEach(() => {
  resetTaskLists();
  settings.current = { ...base, current_staff_id: null };
});

describe("first-run staff chooser", () => {
  it("picks an existing staff member for this desktop", async () => {
    const user = userEvent.setup();
    serve({ list_staff: () => [maya], update_settings: ({ settings: s }) => s });
    render(CurrentStaffChooser);
    await user.click(await screen.findByTestId("choose-staff"));
    expect(callsOf("update_settings")).toEqual([{ settings: { ...base, current_staff_id: "s1" } }]);
    await waitFor(() => expect(screen.queryByTestId("staff-chooser")).toBeNull());
  });

  it("adds yourself, showing the core's error under the form first", async () => {
    const user = userEvent.setup();
    let tries = 0;
    serve({
      add_staff: ({ input }) => (tries++ === 0 ? Promise.reject(kithError("This email address is missing an @", "email")) : { ...maya, id: "s9", name: input.name }),
      update_settings: ({ settings: s }) => s,
    });
    render(CurrentStaffChooser);
    await user.type(await screen.findByTestId("add-me-name"), "Zoë");
    await user.type(screen.getByTestId("add-me-email"), "zoe");
    await user.click(screen.getByTestId("add-me"));
    expect((await screen.findByTestId("field-error")).textContent).toBe("This email address is missing an @");
    await user.clear(screen.getByTestId("add-me-email"));
    await user.click(screen.getByTestId("add-me"));
    await waitFor(() => expect(settings.current?.current_staff_id).toBe("s9"));
    expect(callsOf("add_staff").at(-1)).toEqual({ input: { name: "Zoë", email: null, color: null } });
    expect(screen.queryByTestId("staff-chooser")).toBeNull();
  });

  it("stays hidden once a staff member is chosen, and Later hides it", async () => {
    const user = userEvent.setup();
    serve({});
    settings.current = { ...base, current_staff_id: "s1" };
    const { unmount } = render(CurrentStaffChooser);
    expect(screen.queryByTestId("staff-chooser")).toBeNull();
    unmount();
    settings.current = { ...base, current_staff_id: null };
    render(CurrentStaffChooser);
    await user.click(await screen.findByTestId("staff-chooser-later"));
    expect(screen.queryByTestId("staff-chooser")).toBeNull();
  });
});
