import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { callsOf, detail, serve } from "../testing/ipc";
import { clearThumbnails } from "./thumbnails";
import UserImagesEditor from "./UserImagesEditor.svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("Profile and cover images", () => {
  it("picks a profile image, shows it, and removes it again", async () => {
    const user = userEvent.setup();
    clearThumbnails();
    let avatar: string | null = null;
    serve({
      choose_user_image: () => ((avatar = "f1"), { avatar_id: "f1", cover_id: null }),
      set_user_image: ({ attachment_id }) => ((avatar = attachment_id), { avatar_id: attachment_id, cover_id: null }),
      get_user: () => detail({ avatar_id: avatar }),
      file_thumbnail: () => "data:image/png;base64,AAAA",
    });
    const onUpdated = vi.fn();
    const view = render(UserImagesEditor, { user: detail(), onUpdated });
    expect(screen.queryByTestId("remove-profile-image")).toBeNull();

    await user.click(screen.getByTestId("choose-profile-image"));
    await waitFor(() => expect(onUpdated).toHaveBeenCalledWith(expect.objectContaining({ avatar_id: "f1" })));
    expect(callsOf("choose_user_image")).toEqual([{ user_id: "u1", role: "avatar" }]);

    await view.rerender({ user: detail({ avatar_id: "f1" }), onUpdated });
    expect((await screen.findByTestId("avatar-image")).getAttribute("src")).toBe("data:image/png;base64,AAAA");
    expect(screen.getByTestId("choose-profile-image").textContent).toContain("Change");

    await user.click(screen.getByTestId("remove-profile-image"));
    await waitFor(() => expect(callsOf("set_user_image")).toEqual([{ user_id: "u1", role: "avatar", attachment_id: null }]));
    await waitFor(() => expect(onUpdated).toHaveBeenLastCalledWith(expect.objectContaining({ avatar_id: null })));
  });

  it("leaves everything as it was when the picker is cancelled", async () => {
    const user = userEvent.setup();
    serve({ choose_user_image: () => null });
    const onUpdated = vi.fn();
    render(UserImagesEditor, { user: detail(), onUpdated });
    await user.click(screen.getByTestId("choose-cover-image"));
    await waitFor(() => expect(callsOf("choose_user_image")).toHaveLength(1));
    expect(onUpdated).not.toHaveBeenCalled();
    expect((screen.getByTestId("choose-cover-image") as HTMLButtonElement).disabled).toBe(false);
  });
});
