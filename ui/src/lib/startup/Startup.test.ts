import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import { describe, expect, it, vi } from "vitest";
import { callsOf, serve } from "../testing/ipc";
import { emitEvent, listenerCount } from "../testing/tauri";
import Startup from "./Startup.svelte";
import { settle } from "./startup";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", async () => ({ listen: (await import("../testing/tauri")).fakeListen }));

const children = createRawSnippet(() => ({ render: () => `<p data-testid="the-app">The app</p>` }));

describe("Startup", () => {
  it("says what a slow open is doing, then shows the app", async () => {
    serve({ startup_status: () => ({ seq: 0, status: { state: "opening", step: null } }) });
    const view = render(Startup, { props: { children } });
    expect((await screen.findByTestId("startup-step")).textContent).toBe("Opening your data…");
    await waitFor(() => expect(listenerCount("startup")).toBe(1));

    // Another program holds the data: said, with who it may be.
    emitEvent("startup", { seq: 1, status: { state: "opening", step: "waitingForWriter" } });
    await waitFor(() =>
      expect(screen.getByTestId("startup-step").textContent).toBe("Waiting for another program to finish with your data…"),
    );
    expect(screen.getByTestId("startup-opening").textContent).toContain("kith-cli");

    emitEvent("startup", { seq: 2, status: { state: "opening", step: "upgrading" } });
    await waitFor(() =>
      expect(screen.getByTestId("startup-step").textContent).toBe("Updating your data for this version of Kith…"),
    );
    emitEvent("startup", { seq: 3, status: { state: "opening", step: "reindexingUsers" } });
    await waitFor(() =>
      expect(screen.getByTestId("startup-step").textContent).toBe("Rebuilding the search index of your users…"),
    );
    expect(screen.getByTestId("startup-opening").textContent).toContain("This happens once after an update");
    expect(screen.getByRole("status")).toBeTruthy();
    expect(screen.queryByTestId("the-app")).toBeNull();

    emitEvent("startup", { seq: 4, status: { state: "ready" } });
    expect(await screen.findByTestId("the-app")).toBeTruthy();
    expect(screen.queryByTestId("startup-opening")).toBeNull();
    view.unmount();
    expect(listenerCount("startup")).toBe(0);
  });

  it("explains a database it could not open, and tries again on request", async () => {
    const user = userEvent.setup();
    serve({
      startup_status: () => ({
        seq: 1,
        status: {
          state: "failed",
          message: "The file kith.db in this folder is not a Kith database, or it is damaged.",
          detail: "database error: (code: 26) file is not a database",
          folder: "/home/sam/.local/share/app.kith.desktop",
        },
      }),
      retry_startup: () => null,
    });
    render(Startup, { props: { children } });
    const failed = await screen.findByTestId("startup-failed");
    expect(failed.textContent).toContain("Kith could not open your data");
    expect(failed.textContent).toContain("Kith has not deleted anything");
    expect(screen.getByTestId("startup-reason").textContent).toBe(
      "The file kith.db in this folder is not a Kith database, or it is damaged.",
    );
    expect(screen.getByTestId("startup-detail").textContent).toContain("file is not a database");
    expect(screen.getByTestId("startup-folder").textContent).toBe("/home/sam/.local/share/app.kith.desktop");
    expect(screen.getByRole("alert").textContent).toContain("not a Kith database");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("startup-retry")));

    await user.keyboard("{Enter}");
    expect(callsOf("retry_startup")).toHaveLength(1);
    emitEvent("startup", { seq: 2, status: { state: "opening", step: null } });
    expect(await screen.findByTestId("startup-opening")).toBeTruthy();
    emitEvent("startup", { seq: 3, status: { state: "ready" } });
    expect(await screen.findByTestId("the-app")).toBeTruthy();
  });

  it("keeps the latest report whatever order the first answer and the events arrive in", () => {
    const failed = { seq: 2, status: { state: "failed", message: "m", detail: "d", folder: "f" } } as const;
    const opening = { seq: 1, status: { state: "opening", step: null } } as const;
    const ready = { seq: 3, status: { state: "ready" } } as const;
    expect(settle(failed, opening)).toBe(failed);
    expect(settle(null, opening)).toBe(opening);
    expect(settle(opening, failed)).toBe(failed);
    expect(settle(ready, { seq: 2, status: { state: "opening", step: "upgrading" } })).toBe(ready);
  });
});
