// Thumbnails asked for once per content (the same photo attached twice shares one), and
// kept for the session: the list re-renders often, the core should not be asked again.
import { api } from "../ipc/api";
import type { Attachment } from "../ipc/generated/Attachment";

const cache = new Map<string, Promise<string | null>>();
/** Avatars and covers know only the attachment's id. */
const byId = new Map<string, Promise<string | null>>();
const covers = new Map<string, Promise<string | null>>();

// A failed preview is not worth a toast: the kind's icon or the initials stand in.
function cached(map: Map<string, Promise<string | null>>, key: string, load: () => Promise<string | null>) {
  let url = map.get(key);
  if (!url) {
    url = load().catch(() => null);
    map.set(key, url);
  }
  return url;
}

/** A data: URL of the file's thumbnail, or null (not an image Kith reads, too large, …). */
export function thumbnail(file: Attachment): Promise<string | null> {
  if (file.kind !== "image") return Promise.resolve(null);
  return cached(cache, file.sha256, () => api.fileThumbnail(file.id));
}

/** The 256 px thumbnail of the attachment `id` (a profile image). */
export const thumbnailOf = (id: string) => cached(byId, id, () => api.fileThumbnail(id));

/** The wide preview of the attachment `id`, for a profile's cover band. */
export const coverOf = (id: string) => cached(covers, id, () => api.coverImage(id));

/** Forgets every thumbnail (tests start from nothing). */
export function clearThumbnails() {
  cache.clear();
  byId.clear();
  covers.clear();
}
