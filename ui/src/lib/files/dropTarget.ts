// Which user a drop lands on. Profiles and list rows carry `data-drop-user` (the user's
// id) and `data-drop-name`; a profile also carries `data-drop-profile`, where every file
// is attached, and its avatar and cover carry `data-drop-image` (an image dropped there
// becomes the profile or cover image). Elsewhere, a drop is a CSV, Excel or vCard import.
import type { DropPoint } from "../ipc/generated/DropPoint";
import type { DroppedFile } from "../ipc/generated/DroppedFile";
import { isImportable } from "../import/drops";

import type { ImageRole } from "../ipc/generated/ImageRole";

/** `image`: the drop landed on the profile's avatar or cover, which one image replaces. */
export type DropTarget = { userId: string; name: string; profile: boolean; image: ImageRole | null; element: HTMLElement };

export function dropTargetAt(point: DropPoint | null): DropTarget | null {
  if (!point) return null;
  const under = document.elementFromPoint?.(point.x, point.y);
  const element = under?.closest<HTMLElement>("[data-drop-user]");
  const userId = element?.dataset.dropUser;
  if (!element || !userId) return null;
  const slot = under?.closest<HTMLElement>("[data-drop-image]");
  const image = slot && element.contains(slot) ? (slot.dataset.dropImage as ImageRole) : null;
  return {
    userId,
    name: element.dataset.dropName || "this user",
    profile: element.dataset.dropProfile !== undefined,
    image,
    element: slot ?? element,
  };
}

/** On a profile every file is attached; on a list row a CSV, Excel or vCard file is still an import. */
export function splitDrop(files: readonly DroppedFile[], target: DropTarget): { attach: DroppedFile[]; importing: DroppedFile[] } {
  if (target.profile) return { attach: [...files], importing: [] };
  return {
    attach: files.filter((f) => !isImportable(f.name)),
    importing: files.filter((f) => isImportable(f.name)),
  };
}

const ACTIVE = "dropActive";

/** Marks the element under a drag (styled by `[data-drop-active]` in app.css). */
export function highlight(target: DropTarget | null) {
  for (const el of document.querySelectorAll<HTMLElement>("[data-drop-active]")) {
    if (el !== target?.element) delete el.dataset[ACTIVE];
  }
  if (target) target.element.dataset[ACTIVE] = "";
}
