import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import Toasts from "../shell/Toasts.svelte";
import { toasts } from "../shell/toasts.svelte";
import { attachment, callsOf, kithError, serve } from "../testing/ipc";
import FilesTab from "./FilesTab.svelte";
import MediaTab from "./MediaTab.svelte";
import { clearThumbnails } from "./thumbnails";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const PNG = "data:image/png;base64,iVBORw0KGgo=";

describe("Files tab", () => {
  beforeEach(() => {
    toasts.length = 0;
    clearThumbnails();
  });

  it("says how to add files, then attaches the picked ones and reports what was refused", async () => {
    const user = userEvent.setup();
    let attached = false;
    serve({
      list_files: () => (attached ? [attachment(1, { name: "Contract.pdf" })] : []),
      choose_files_to_attach: () => {
        attached = true;
        return { attached: [attachment(1, { name: "Contract.pdf" })], failed: [{ name: "Photos", message: "Photos is a folder — attach the files inside it instead" }] };
      },
    });
    render(FilesTab, { userId: "u1", userName: "Zoë Müller" });
    render(Toasts);
    expect((await screen.findByTestId("files-empty")).textContent).toContain("Drop");

    await user.click(screen.getByTestId("attach-files"));
    expect(callsOf("choose_files_to_attach")).toEqual([{ user_id: "u1" }]);
    const item = await screen.findByTestId("file-item");
    expect(item.textContent).toContain("Contract.pdf");
    expect(toasts.map((t) => [t.message, t.tone])).toEqual([
      ["Attached 1 file to Zoë Müller", "info"],
      ["Not attached: Photos is a folder — attach the files inside it instead", "error"],
    ]);
  });

  it("renames inline, opens, reveals, saves a copy, and undoes a delete", async () => {
    const user = userEvent.setup();
    serve({
      list_files: () => [attachment(2, { name: "Plan.pdf" }), attachment(1, { name: "Photo.jpg", kind: "image", mime: "image/jpeg" })],
      file_thumbnail: () => PNG,
      rename_file: ({ id, name }) => (name.includes("/") ? Promise.reject(kithError("A file name cannot hold / or \\", "name")) : attachment(2, { id, name })),
      open_file: () => null,
      show_file_in_folder: () => null,
      save_file_copy: () => "Plan copy.pdf",
      delete_file: () => null,
      restore_file: () => attachment(2, { name: "Plan v2.pdf" }),
    });
    render(FilesTab, { userId: "u1", userName: "Zoë" });
    render(Toasts);
    const [plan, photo] = await screen.findAllByTestId("file-item");
    await waitFor(() => expect(within(photo).getByTestId("file-thumbnail").getAttribute("src")).toBe(PNG));

    await user.click(within(plan).getByTestId("file-rename"));
    const input = screen.getByTestId("file-rename-input") as HTMLInputElement;
    await user.clear(input);
    await user.type(input, "a/b{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("cannot hold");
    await user.clear(input);
    await user.type(input, "Plan v2.pdf{Enter}");
    await waitFor(() => expect(within(plan).getByTestId("file-name").textContent?.trim()).toBe("Plan v2.pdf"));

    await user.click(within(plan).getByTestId("file-open"));
    await user.click(within(plan).getByTestId("file-reveal"));
    await user.click(within(plan).getByTestId("file-save-copy"));
    expect(callsOf("open_file")).toEqual([{ id: "f2" }]);
    expect(callsOf("show_file_in_folder")).toEqual([{ id: "f2" }]);
    await waitFor(() => expect(toasts.at(-1)?.message).toBe("Saved a copy as Plan copy.pdf"));

    await user.click(within(plan).getByTestId("file-delete"));
    await waitFor(() => expect(screen.getAllByTestId("file-item")).toHaveLength(1));
    await user.click(await screen.findByTestId("undo-delete-file"));
    await waitFor(() => expect(screen.getAllByTestId("file-item")).toHaveLength(2));
    expect(callsOf("restore_file")).toEqual([{ id: "f2" }]);
  });
});

describe("Media tab", () => {
  beforeEach(clearThumbnails);

  it("shows images as thumbnails and videos as tiles, newest first", async () => {
    serve({
      list_files: ({ kind }) =>
        kind === "image" ? [attachment(1, { name: "Shop.jpg", kind: "image" })] : [attachment(2, { name: "Tour.mp4", kind: "video" })],
      file_thumbnail: () => PNG,
    });
    render(MediaTab, { userId: "u1" });
    const tiles = await screen.findAllByTestId("media-item");
    expect(tiles.map((t) => t.dataset.kind)).toEqual(["video", "image"]);
    await waitFor(() => expect(tiles[1].querySelector("img")?.getAttribute("src")).toBe(PNG));
    expect(callsOf("list_files")).toEqual([
      { user_id: "u1", kind: "image" },
      { user_id: "u1", kind: "video" },
    ]);
  });

  it("says what to do when there is nothing to show", async () => {
    serve({ list_files: () => [] });
    render(MediaTab, { userId: "u1" });
    expect((await screen.findByTestId("media-empty")).textContent).toContain("Drop");
  });
});
