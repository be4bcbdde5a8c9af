import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { callsOf, serve, summary } from "./lib/testing/ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", async () => ({ listen: (await import("./lib/testing/tauri")).fakeListen }));

function serveApp() {
  let settings = { default_region: "US", theme: "system" };
  serve({
    list_users: ({ offset }) => ({ total: 2, offset, rows: [summary(1), summary(2)] }),
    get_settings: () => settings,
    update_settings: ({ settings: next }) => (settings = next),
  });
}

describe("App shell", () => {
  it("focuses search with / and Ctrl+K, from any view, but not while typing", async () => {
    const user = userEvent.setup();
    serveApp();
    render(App);
    await screen.findByText("2 users");

    await user.keyboard("/");
    expect(document.activeElement).toBe(screen.getByTestId("user-search"));
    // Typed into the box, "/" is just a character.
    await user.keyboard("/");
    expect((screen.getByTestId("user-search") as HTMLInputElement).value).toBe("/");

    await user.click(screen.getByTestId("nav-settings"));
    await user.keyboard("{Control>}k{/Control}");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("user-search")));
  });

  it("opens Add user with Ctrl+N", async () => {
    const user = userEvent.setup();
    serveApp();
    render(App);
    await screen.findByText("2 users");
    await user.keyboard("{Control>}n{/Control}");
    expect(await screen.findByTestId("add-user-dialog")).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId("field-first-name"));
  });

  it("switches the theme from Settings and saves it", async () => {
    const user = userEvent.setup();
    serveApp();
    render(App);
    await user.click(screen.getByTestId("nav-settings"));
    await user.selectOptions(await screen.findByTestId("settings-theme"), "dark");
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    expect(callsOf("update_settings")).toEqual([{ settings: { default_region: "US", theme: "dark" } }]);

    await user.selectOptions(screen.getByTestId("settings-region"), "DE");
    await waitFor(() => expect(callsOf("update_settings").at(-1)).toEqual({ settings: { default_region: "DE", theme: "dark" } }));
  });
});
