import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { ImportPreviewUser } from "../ipc/generated/ImportPreviewUser";
import PreviewTable from "./PreviewTable.svelte";

const user = (first: string, photo: Partial<ImportPreviewUser>): ImportPreviewUser => ({
  kith_id: null,
  first_name: first,
  last_name: "Lee",
  email: null,
  mobile_phone: null,
  home_phone: null,
  app_user_id: null,
  stripe_customer_id: null,
  teams: [],
  address: null,
  created_at: null,
  custom_values: [],
  photo: null,
  photo_link: false,
  ...photo,
});

const THUMB = "data:image/png;base64,iVBORw0KGgo=";

describe("PreviewTable", () => {
  it("shows a card's photo as a picture, and a linked one as text saying it is not imported", () => {
    render(PreviewTable, {
      rows: [
        { row: 1, errors: [], user: user("Ann", { photo: { mime: "image/jpeg", size_bytes: 48_213, thumbnail: THUMB } }) },
        { row: 9, errors: [], user: user("Cy", { photo_link: true }) },
        { row: 12, errors: [], user: user("Di", { photo: { mime: "image/png", size_bytes: 900, thumbnail: null } }) },
      ],
      cards: true,
    });
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Line", "Photo", "Name"]);
    const picture = screen.getByTestId("preview-photo") as HTMLImageElement;
    expect(picture.getAttribute("src")).toBe(THUMB);
    expect(picture.alt).toBe("JPEG photo, 49 KB");
    const rows = screen.getAllByTestId("preview-row");
    expect(rows[1].textContent).toContain("Link, not in the file: not imported");
    // A photo the app could not make a thumbnail of is still named.
    expect(rows[2].textContent).toContain("PNG photo, 1 KB");
  });

  it("has no photo column for a file without photos", () => {
    render(PreviewTable, { rows: [{ row: 2, errors: [], user: user("Bo", {}) }] });
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Row", "Name"]);
    expect(screen.queryByTestId("preview-photo")).toBeNull();
  });
});
