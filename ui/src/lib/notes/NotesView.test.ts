import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { callsOf, note, serve } from "../testing/ipc";
import NotesView from "./NotesView.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("Notes view", () => {
  it("searches every note by text and tag and opens the note's user", async () => {
    const user = userEvent.setup();
    serve({
      note_tags: () => [{ tag: "renewal", count: 2 }],
      search_notes: ({ query }) => ({
        hits: query.text.length >= 3 || query.tag ? [{ note: note(1, { body: "Renewal in March", tags: ["renewal"], user_id: "u7" }), user_name: "Zoë Müller" }] : [],
        query_too_short: query.text.length > 0 && query.text.length < 3,
      }),
    });
    const onOpenUser = vi.fn();
    render(NotesView, { onOpenUser });
    expect(await screen.findByTestId("notes-view-empty")).toBeTruthy();

    await user.type(screen.getByTestId("notes-search"), "re");
    expect(await screen.findByTestId("notes-search-hint")).toBeTruthy();
    await user.type(screen.getByTestId("notes-search"), "new");
    expect(await screen.findByTestId("note-item")).toBeTruthy();
    expect(callsOf("search_notes").at(-1)).toEqual({ query: { text: "renew", tag: null, user_id: null, limit: 100 } });

    await user.selectOptions(screen.getByTestId("notes-tag-filter"), "renewal");
    await waitFor(() => expect(callsOf("search_notes").at(-1)).toEqual({ query: { text: "renew", tag: "renewal", user_id: null, limit: 100 } }));

    await user.click(screen.getByTestId("note-user"));
    expect(onOpenUser).toHaveBeenCalledWith("u7");
  });
});
