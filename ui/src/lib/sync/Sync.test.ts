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

/** Fills the sign-in form as sam@example.com and submits it. */
async function signInAs(user: ReturnType<typeof userEvent.setup>, server: string, password: string) {
  await user.type(await screen.findByTestId("sync-server"), server);
  await user.type(screen.getByTestId("sync-email"), "sam@example.com");
  await user.type(screen.getByTestId("sync-password"), password);
  await user.click(screen.getByTestId("sync-sign-in"));
}

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
    await signInAs(user, "https://kith.example.com", "wrong");
    expect((await screen.findByTestId("sync-login-error")).textContent).toContain("Wrong email or password.");

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

  it("offers the office's own certificate authority to compare and trust, for that address only", async () => {
    const user = userEvent.setup();
    const FP = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, "0").toUpperCase()).join(":");
    serve({
      sync_login: ({ fingerprint }) => {
        if (fingerprint === FP) return { ...SIGNED_IN, trusted_certificate: FP };
        throw kithError("the server at https://192.168.1.20:8443/ did not prove it is the server", "certificate", "network");
      },
      sync_server_certificate: ({ server_url }) => {
        expect(server_url).toBe("https://192.168.1.20:8443");
        return { server: "192.168.1.20:8443", name: "Acme Kith CA", issuer: "Acme Kith CA", fingerprint: FP, valid_until: Date.UTC(2036, 10, 20), authority: true };
      },
    });
    await startSync();
    render(SyncPanel);
    await signInAs(user, "https://192.168.1.20:8443", "right");
    const trust = await screen.findByTestId("sync-trust");
    expect(screen.getByTestId("sync-trust-name").textContent).toBe("Acme Kith CA");
    // Two lines of sixteen pairs: the whole fingerprint, nothing else.
    const lines = [...screen.getByTestId("sync-trust-fingerprint").querySelectorAll("span")].map((l) => l.textContent);
    expect(lines.join(":")).toBe(FP);
    expect(lines).toHaveLength(2);
    expect(screen.queryByTestId("sync-login-error")).toBeNull();
    expect(trust.textContent).toContain("kith-server tls-cert");

    // Another address: the offer was for the old one.
    await user.type(screen.getByTestId("sync-server"), "0");
    expect(screen.queryByTestId("sync-trust")).toBeNull();
    await user.type(screen.getByTestId("sync-server"), "{Backspace}");
    expect(await screen.findByTestId("sync-trust")).toBeTruthy();
    // Back as it was, without taking focus from the address being typed.
    expect(document.activeElement).toBe(screen.getByTestId("sync-server"));

    await user.click(screen.getByTestId("sync-trust-sign-in"));
    expect(callsOf("sync_login").at(-1)!.fingerprint).toBe(FP);
    expect(callsOf("sync_login")[0].fingerprint).toBeNull();
    expect((await screen.findByTestId("sync-trusted-certificate")).textContent).toContain("trusted here");
  });

  it("says why when signing in with the authority trusted is refused again, and offers nothing more", async () => {
    const user = userEvent.setup();
    const FP = Array.from({ length: 32 }, () => "AB").join(":");
    serve({
      sync_login: ({ fingerprint }) => {
        throw kithError(
          fingerprint ? "the server at https://10.0.0.2/ did not prove it is the server (its certificate is for another name or address)" : "did not prove it is the server",
          "certificate",
          "network",
        );
      },
      sync_server_certificate: () => ({ server: "10.0.0.2:443", name: "Acme Kith CA", issuer: "Acme Kith CA", fingerprint: FP, valid_until: 0, authority: true }),
    });
    await startSync();
    render(SyncPanel);
    await signInAs(user, "https://10.0.0.2", "right");
    await screen.findByTestId("sync-trust");
    expect(document.activeElement?.textContent).toBe("Trust this server's certificate?");
    await user.click(screen.getByTestId("sync-trust-sign-in"));
    expect((await screen.findByTestId("sync-login-error")).textContent).toContain("for another name or address");
    expect(screen.queryByTestId("sync-trust")).toBeNull();
    expect(callsOf("sync_server_certificate")).toHaveLength(1);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("sync-sign-in")));
  });

  it("does not offer trust when the server's certificate is not an authority", async () => {
    const user = userEvent.setup();
    serve({
      sync_login: () => {
        throw kithError("the server at https://10.0.0.2/ did not prove it is the server", "certificate", "network");
      },
      sync_server_certificate: () => ({ server: "10.0.0.2:443", name: "10.0.0.2", issuer: "Elsewhere", fingerprint: "AA", valid_until: 0, authority: false }),
    });
    await startSync();
    render(SyncPanel);
    await signInAs(user, "https://10.0.0.2", "right");
    expect((await screen.findByTestId("sync-login-error")).textContent).toContain("did not prove it is the server");
    expect(screen.queryByTestId("sync-trust")).toBeNull();
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

  it("shows a long first sync moving, page by page", async () => {
    let received = 0;
    serve({ sync_status: () => ({ ...SIGNED_IN, state: "syncing", loading_snapshot: true, received }) });
    await startSync();
    render(SyncIndicator, { onOpen: () => {} });
    const indicator = await screen.findByTestId("sync-indicator");
    await waitFor(() => expect(indicator.getAttribute("aria-label")).toContain("Loading the office's data"));
    received = 12000;
    emitEvent("remote-changes", 1);
    await waitFor(() => expect(indicator.getAttribute("aria-label")).toContain("12,000 records so far"));
    expect(indicator.textContent?.trim()).toBe("Syncing");
  });

  it("words every state", () => {
    expect(describeSync({ ...SIGNED_IN, state: "pending", pending: 1 } as never).label).toBe("1 change waiting");
    expect(describeSync({ ...SIGNED_IN, files_waiting: 2 } as never).label).toBe("Synced · 2 files to transfer");
    expect(describeSync({ ...SIGNED_IN, state: "syncing" } as never).light).toBe("busy");
    expect(describeSync({ ...SIGNED_IN, state: "syncing", received: 40 } as never).detail).toBe("Fetching others' changes: 40 so far");
    expect(describeSync({ ...SIGNED_IN, state: "syncing", pending: 2, received: 0 } as never).detail).toBe("2 changes waiting");
  });
});
