import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import Toasts from "../shell/Toasts.svelte";
import { callsOf, kithError, note, serve } from "../testing/ipc";
import NotesTab from "./NotesTab.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("Notes tab", () => {
  it("says what to do when a user has no notes, then adds a tagged note on Ctrl+Enter", async () => {
    const user = userEvent.setup();
    serve({
      list_notes: () => [],
      note_tags: ({ prefix }) => (prefix.startsWith("v") ? [{ tag: "VIP", count: 4 }] : []),
      add_note: ({ input }) => note(1, { body: input.body, tags: input.tags }),
    });
    render(NotesTab, { userId: "u1" });
    expect(await screen.findByTestId("notes-empty")).toBeTruthy();

    await user.type(screen.getByTestId("note-input"), "Called about the **renewal**");
    await user.type(screen.getByTestId("note-tags"), "v");
    await user.click(await screen.findByTestId("tag-suggestion"));
    await user.type(screen.getByTestId("note-tags"), "follow up{Enter}");
    expect(screen.getAllByTestId("note-tag-chip").map((c) => c.textContent?.trim())).toEqual(["#VIP", "#follow up"]);
    await user.click(screen.getByTestId("note-input"));
    await user.keyboard("{Control>}{Enter}{/Control}");

    await waitFor(() => expect(callsOf("add_note")).toEqual([{ user_id: "u1", input: { body: "Called about the **renewal**", tags: ["VIP", "follow up"] } }]));
    const item = await screen.findByTestId("note-item");
    expect(within(item).getByTestId("note-body").innerHTML).toContain("<strong>renewal</strong>");
    expect((screen.getByTestId("note-input") as HTMLTextAreaElement).value).toBe("");
  });

  it("keeps the text and shows why when the core refuses a note", async () => {
    const user = userEvent.setup();
    serve({ list_notes: () => [], add_note: () => Promise.reject(kithError("Notes cannot hold a full card number", "body")) });
    render(NotesTab, { userId: "u1" });
    await user.type(screen.getByTestId("note-input"), "4111 1111 1111 1111");
    await user.click(screen.getByTestId("save-note"));
    expect((await screen.findByRole("alert")).textContent).toContain("card number");
    expect((screen.getByTestId("note-input") as HTMLTextAreaElement).value).toBe("4111 1111 1111 1111");
  });

  it("filters by a clicked tag, pins to the top, and undoes a delete", async () => {
    const user = userEvent.setup();
    serve({
      list_notes: () => [note(2, { body: "Second", tags: ["call"] }), note(1, { body: "First" })],
      set_note_pinned: ({ note_id, pinned }) => note(1, { id: note_id, body: "First", pinned }),
      delete_note: () => null,
      restore_note: () => note(2, { body: "Second", tags: ["call"] }),
    });
    render(NotesTab, { userId: "u1" });
    render(Toasts);
    const items = await screen.findAllByTestId("note-item");
    expect(items.map((i) => within(i).getByTestId("note-body").textContent?.trim())).toEqual(["Second", "First"]);

    await user.click(within(items[0]).getByTestId("note-tag"));
    expect(screen.getAllByTestId("note-item")).toHaveLength(1);
    await user.click(screen.getByTestId("clear-note-tag"));

    await user.click(within(screen.getAllByTestId("note-item")[1]).getByTestId("note-pin"));
    await waitFor(() => expect(within(screen.getAllByTestId("note-item")[0]).getByTestId("note-body").textContent?.trim()).toBe("First"));
    expect(within(screen.getAllByTestId("note-item")[0]).getByTestId("note-pinned")).toBeTruthy();

    await user.click(within(screen.getAllByTestId("note-item")[1]).getByTestId("note-delete"));
    await waitFor(() => expect(screen.getAllByTestId("note-item")).toHaveLength(1));
    await user.click(await screen.findByTestId("undo-delete-note"));
    await waitFor(() => expect(screen.getAllByTestId("note-item")).toHaveLength(2));
    expect(callsOf("restore_note")).toEqual([{ note_id: "n2" }]);
  });

  it("edits a note and shows its earlier version", async () => {
    const user = userEvent.setup();
    serve({
      list_notes: () => [note(1, { body: "Old text" })],
      note_tags: () => [],
      edit_note: ({ input }) => note(1, { body: input.body, versions: 1, edited_at: 1_700_000_100_000 }),
      note_versions: () => [{ body: "Old text", author_name: "Dana", replaced_at: 1_700_000_100_000 }],
    });
    render(NotesTab, { userId: "u1" });
    await user.click(await screen.findByTestId("note-edit"));
    const box = screen.getByTestId("note-edit-input") as HTMLTextAreaElement;
    await user.clear(box);
    await user.type(box, "New text");
    await user.click(screen.getByTestId("save-note-edit"));
    await user.click(await screen.findByTestId("note-history"));
    const versions = await screen.findByTestId("note-versions");
    expect(versions.textContent).toContain("Old text");
    expect(screen.getAllByTestId("note-body")[0].textContent?.trim()).toBe("New text");
  });

  it("opens links outside the app, never in the webview", async () => {
    const user = userEvent.setup();
    serve({ list_notes: () => [note(1, { body: "See https://example.com/offer" })], open_link: () => null });
    render(NotesTab, { userId: "u1" });
    const link = await screen.findByRole("link");
    await user.click(link);
    expect(callsOf("open_link")).toEqual([{ url: "https://example.com/offer" }]);
  });
});
