// Dev-only stand-in for files (see devMock.ts): attachments kept in memory, no bytes. The
// picker "chooses" a sample file; thumbnails are small SVG data URLs in a colour per file.
import type { KithError } from "./api";
import type { Attachment } from "./generated/Attachment";
import type { FileKind } from "./generated/FileKind";
import type { UserDetail } from "./generated/UserDetail";

const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
const fail = (kind: KithError["kind"], message: string, field: string | null = null): never => {
  throw { kind, message, field } satisfies KithError;
};
const KINDS: Record<string, FileKind> = { jpg: "image", jpeg: "image", png: "image", mp4: "video", mov: "video", mp3: "audio", pdf: "document", docx: "document", txt: "document" };
const kindOf = (name: string): FileKind => KINDS[name.split(".").pop()?.toLowerCase() ?? ""] ?? "other";
const swatch = (seed: number) =>
  `data:image/svg+xml;utf8,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="256" height="192"><rect width="256" height="192" fill="hsl(${(seed * 47) % 360} 55% 62%)"/><circle cx="170" cy="70" r="28" fill="#fff8"/></svg>`)}`;

export function filesHandlers(users: Map<string, UserDetail>) {
  const files = new Map<string, Attachment & { deleted?: boolean }>();
  let seq = 0;
  const now = Date.now();
  const add = (user_id: string, name: string, size: number, created_at = Date.now()) => {
    const id = `f-${++seq}`;
    const file: Attachment = { id, user_id, name, mime: "", kind: kindOf(name), size, sha256: id.padEnd(64, "0"), created_at, created_by: null, created_by_name: "Dana (front desk)", downloaded: true };
    files.set(id, file);
    return file;
  };
  for (const [i, name] of ["Contract 2024.pdf", "Storefront.jpg", "Café opening.jpg", "Walkthrough.mp4", "Price list.docx"].entries()) {
    add("u-1", name, 48_000 * (i + 1) ** 3, now - i * 26 * 3_600_000);
  }
  const live = (id: string) => {
    const f = files.get(id);
    return f && !f.deleted ? f : fail("not_found", "file not found");
  };
  const liveUser = (id: string) => users.get(id) ?? fail("not_found", "This user no longer exists.");
  const newest = (a: Attachment, b: Attachment) => b.created_at - a.created_at;
  return {
    list_files: ({ user_id, kind }: { user_id: string; kind: FileKind | null }) =>
      [...files.values()].filter((f) => f.user_id === user_id && !f.deleted && (!kind || f.kind === kind)).sort(newest),
    attach_files: ({ user_id, tokens }: { user_id: string; tokens: string[] }) => {
      liveUser(user_id);
      return { attached: tokens.map((t) => add(user_id, t.replace(/^tok-/, ""), 120_000)), failed: [] };
    },
    choose_files_to_attach: ({ user_id }: { user_id: string }) => {
      liveUser(user_id);
      return { attached: [add(user_id, `Scan ${seq + 1}.pdf`, 310_000)], failed: [] };
    },
    rename_file: ({ id, name }: { id: string; name: string }) => {
      if (!name.trim()) fail("validation", "A file needs a name", "name");
      if (/[/\\]/.test(name)) fail("validation", "A file name cannot hold / or \\", "name");
      return Object.assign(live(id), { name: name.trim() });
    },
    delete_file: ({ id }: { id: string }) => (Object.assign(live(id), { deleted: true }), null),
    restore_file: ({ id }: { id: string }) => Object.assign(files.get(id) ?? fail("not_found", "file not found"), { deleted: false }),
    find_files: ({ query, kind, limit }: { query: string; kind: FileKind | null; limit: number }) => {
      const words = fold(query).split(/\s+/).filter((w) => w.length >= 3);
      const hits = [...files.values()]
        .filter((f) => !f.deleted && (!kind || f.kind === kind) && words.every((w) => fold(f.name).includes(w)))
        .sort(newest)
        .slice(0, limit)
        .map((attachment) => {
          const u = users.get(attachment.user_id);
          return { attachment, user_name: u ? `${u.first_name} ${u.last_name}` : "" };
        });
      return { hits, query_too_short: query.trim().length > 0 && words.length === 0 };
    },
    open_file: ({ id }: { id: string }) => (live(id), null),
    show_file_in_folder: ({ id }: { id: string }) => (live(id), null),
    save_file_copy: ({ id }: { id: string }) => live(id).name,
    file_thumbnail: ({ id }: { id: string }) => (live(id).kind === "image" ? swatch(Number(id.slice(2))) : null),
  };
}
