import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { attachment, callsOf, serve } from "../testing/ipc";
import FilesView from "./FilesView.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("Files view", () => {
  it("finds files of every user by name and kind and opens the file's user", async () => {
    const user = userEvent.setup();
    serve({
      find_files: ({ query, kind }) => ({
        hits: query.length >= 3 || kind ? [{ attachment: attachment(1, { name: "Café menu.pdf", user_id: "u7" }), user_name: "Zoë Müller" }] : [],
        query_too_short: query.length > 0 && query.length < 3,
      }),
    });
    const onOpenUser = vi.fn();
    render(FilesView, { onOpenUser });
    expect(await screen.findByTestId("files-view-empty")).toBeTruthy();

    await user.type(screen.getByTestId("files-search"), "ca");
    expect(await screen.findByTestId("files-search-hint")).toBeTruthy();
    await user.type(screen.getByTestId("files-search"), "fe");
    expect((await screen.findByTestId("file-item")).textContent).toContain("Café menu.pdf");
    expect(callsOf("find_files").at(-1)).toEqual({ query: "cafe", kind: null, limit: 200 });

    await user.selectOptions(screen.getByTestId("files-kind-filter"), "document");
    await waitFor(() => expect(callsOf("find_files").at(-1)).toEqual({ query: "cafe", kind: "document", limit: 200 }));

    await user.click(screen.getByTestId("file-user"));
    expect(onOpenUser).toHaveBeenCalledWith("u7");
  });
});
