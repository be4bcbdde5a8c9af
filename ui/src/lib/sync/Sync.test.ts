import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { callsOf, kithError, serve, SIGNED_OUT } from "../testing/ipc";
import { emitEvent } from "../testing/tauri";
import SyncIndicator from "./SyncIndicator.svelte";
import SyncPanel from "./SyncPanel.svelte";
import { describeSync, startSync, sync } from "./sync.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", async () => ({ listen: (await import("../testing/tauri")).fakeListen }));

const SIGNED_IN = {
  ...SIGNED_OUT,
  state: "synced",
  last_sync_at: Date.UTC(2026, 10, 20, 9, 30),
  server_url: "https://kith.example.com/",
  workspace: "Corner Shop",
  staff_name: "Sam Lee",
  staff_email: "sam@example.com",
  device_name: "Front desk PC",
};

describe("Sync", () => {
  it("signs in from Settings, then shows what this computer syncs with", async () => {
    const user = userEvent.setup();
    serve({
      sync_login: ({ server_url, email, password }) => {
        if (password !== "right") throw kithError("wrong email or password", null, "unauthorized");
        expect([server_url, email]).toEqual(["https://kith.example.com", "sam@example.com"]);
        return SIGNED_IN;
      },
    });
    await startSync();
    render(SyncPanel);
    await user.type(await screen.findByTestId("sync-server"), "https://kith.example.com");
    await user.type(screen.getByTestId("sync-email"), "sam@example.com");
    await user.type(screen.getByTestId("sync-password"), "wrong");
    await user.click(screen.getByTestId("sync-sign-in"));
    expect((await screen.findByTestId("sync-login-error")).textContent).toContain("wrong email or password");

    await user.clear(screen.getByTestId("sync-password"));
    await user.type(screen.getByTestId("sync-password"), "right");
    await user.click(screen.getByTestId("sync-sign-in"));
    const facts = await screen.findByTestId("sync-facts");
    expect(facts.textContent).toContain("Corner Shop");
    expect(facts.textContent).toContain("Sam Lee");
    expect(facts.textContent).toContain("Front desk PC");
    expect(callsOf("sync_login")).toHaveLength(2);
    expect(callsOf("sync_login")[1].workspace).toBeNull();
  });

  it("keeps the indicator current from the worker's reports", async () => {
    serve({});
    await startSync();
    render(SyncIndicator, { onOpen: () => {} });
    const indicator = await screen.findByTestId("sync-indicator");
    expect(indicator.textContent).toContain("Local only");
    expect(indicator.getAttribute("aria-label")).toContain("Not syncing");

    emitEvent("sync-status", { ...SIGNED_IN, state: "offline", pending: 3 });
    await waitFor(() => expect(indicator.getAttribute("aria-label")).toContain("Offline · 3 changes waiting"));
    expect(indicator.textContent?.trim()).toBe("Offline");
    expect(indicator.dataset.state).toBe("offline");

    emitEvent("sync-status", { ...SIGNED_IN, state: "error", error: "This device was signed out by the owner" });
    await waitFor(() => expect(indicator.textContent).toContain("Sync problem"));
    expect(indicator.getAttribute("aria-label")).toContain("signed out by the owner");

    const before = sync.changes;
    emitEvent("remote-changes", 1);
    expect(sync.changes).toBe(before + 1);
  });

  it("words every state", () => {
    expect(describeSync({ ...SIGNED_IN, state: "pending", pending: 1 } as never).label).toBe("1 change waiting");
    expect(describeSync({ ...SIGNED_IN, files_waiting: 2 } as never).label).toBe("Synced · 2 files to transfer");
    expect(describeSync({ ...SIGNED_IN, state: "syncing" } as never).light).toBe("busy");
  });
});
