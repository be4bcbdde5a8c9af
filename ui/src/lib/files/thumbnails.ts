// Thumbnails asked for once per content (the same photo attached twice shares one), and
// kept for the session: the list re-renders often, the core should not be asked again.
import { api } from "../ipc/api";
import type { Attachment } from "../ipc/generated/Attachment";

const cache = new Map<string, Promise<string | null>>();

/** A data: URL of the file's thumbnail, or null (not an image Kith reads, too large, …). */
export function thumbnail(file: Attachment): Promise<string | null> {
  if (file.kind !== "image") return Promise.resolve(null);
  let url = cache.get(file.sha256);
  if (!url) {
    // A failed thumbnail is not worth a toast: the kind's icon stands in.
    url = api.fileThumbnail(file.id).catch(() => null);
    cache.set(file.sha256, url);
  }
  return url;
}

/** Forgets every thumbnail (tests start from nothing). */
export const clearThumbnails = () => cache.clear();
