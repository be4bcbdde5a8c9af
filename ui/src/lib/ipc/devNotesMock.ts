// Dev-only stand-in for notes (see devMock.ts): kept in memory, searched by a plain
// folded substring match — the real search is the core's trigram index.
import type { KithError } from "./api";
import type { Note } from "./generated/Note";
import type { NoteInput } from "./generated/NoteInput";
import type { NoteQuery } from "./generated/NoteQuery";
import type { NoteVersion } from "./generated/NoteVersion";
import type { UserDetail } from "./generated/UserDetail";

const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
const fail = (kind: KithError["kind"], message: string, field: string | null = null): never => {
  throw { kind, message, field } satisfies KithError;
};

export function notesHandlers(users: Map<string, UserDetail>) {
  const notes = new Map<string, Note & { deleted?: boolean }>();
  const versions = new Map<string, NoteVersion[]>();
  let seq = 0;
  const now = Date.now();
  const seed = [
    ["u-1", "Called about the **spring renewal**. Wants a quote by Friday.\n\n- 3 seats\n- annual billing", ["call", "renewal"]],
    ["u-1", "Met at the café — prefers email after 5pm. Site: https://example.com", ["meeting"]],
    ["u-2", "Asked for a refund on order #1042; approved.", ["refund"]],
  ] as const;
  for (const [user, body, tags] of seed) {
    const id = `n-${++seq}`;
    notes.set(id, { id, user_id: user, body, author_id: null, author_name: "Dana (front desk)", pinned: false, created_at: now - seq * 3_600_000, edited_at: null, tags: [...tags], versions: 0 });
  }
  const live = (id: string) => {
    const n = notes.get(id);
    return n && !n.deleted ? n : fail("not_found", "note not found");
  };
  const clean = (input: NoteInput) => {
    if (!input.body.trim()) fail("validation", "A note needs some text", "body");
    return { body: input.body.trim(), tags: [...new Set(input.tags.map((t) => t.trim().replace(/^#/, "")).filter(Boolean))] };
  };
  const order = (a: Note, b: Note) => Number(b.pinned) - Number(a.pinned) || b.created_at - a.created_at;
  return {
    list_notes: ({ user_id }: { user_id: string }) => [...notes.values()].filter((n) => n.user_id === user_id && !n.deleted).sort(order),
    add_note: ({ user_id, input }: { user_id: string; input: NoteInput }) => {
      const id = `n-${++seq}`;
      const note: Note = { id, user_id, ...clean(input), author_id: null, author_name: "You", pinned: false, created_at: Date.now(), edited_at: null, versions: 0 };
      notes.set(id, note);
      return note;
    },
    edit_note: ({ note_id, input }: { note_id: string; input: NoteInput }) => {
      const note = live(note_id);
      const next = clean(input);
      if (next.body !== note.body) {
        versions.set(note_id, [{ body: note.body, author_name: note.author_name, replaced_at: Date.now() }, ...(versions.get(note_id) ?? [])]);
        Object.assign(note, { body: next.body, edited_at: Date.now(), versions: note.versions + 1 });
      }
      note.tags = next.tags;
      return note;
    },
    set_note_pinned: ({ note_id, pinned }: { note_id: string; pinned: boolean }) => Object.assign(live(note_id), { pinned }),
    delete_note: ({ note_id }: { note_id: string }) => (Object.assign(live(note_id), { deleted: true }), null),
    restore_note: ({ note_id }: { note_id: string }) => Object.assign(notes.get(note_id) ?? fail("not_found", "note not found"), { deleted: false }),
    note_versions: ({ note_id }: { note_id: string }) => versions.get(note_id) ?? [],
    note_tags: ({ prefix, limit }: { prefix: string; limit: number }) => {
      const counts = new Map<string, number>();
      for (const n of notes.values()) if (!n.deleted) for (const t of n.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
      return [...counts].filter(([t]) => fold(t).startsWith(fold(prefix))).sort((a, b) => b[1] - a[1]).slice(0, limit).map(([tag, count]) => ({ tag, count }));
    },
    search_notes: ({ query }: { query: NoteQuery }) => {
      const words = fold(query.text).split(/\s+/).filter((w) => w.length >= 3);
      const hits = [...notes.values()]
        .filter((n) => !n.deleted && (!query.tag || n.tags.some((t) => fold(t) === fold(query.tag!))))
        .filter((n) => words.every((w) => fold(`${n.body} ${n.tags.join(" ")}`).includes(w)))
        .sort((a, b) => b.created_at - a.created_at)
        .slice(0, query.limit)
        .map((note) => {
          const u = users.get(note.user_id);
          return { note, user_name: u ? `${u.first_name} ${u.last_name}` : "Unknown user" };
        });
      return { hits, query_too_short: words.length === 0 && query.text.trim().length > 0 };
    },
    open_link: ({ url }: { url: string }) => (window.open(url, "_blank", "noopener"), null),
  };
}
