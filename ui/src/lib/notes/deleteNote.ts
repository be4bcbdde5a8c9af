import { api } from "../ipc/api";
import type { Note } from "../ipc/generated/Note";
import { undoableDelete } from "../shell/undoableDelete";

/**
 * Deletes a note and offers Undo: `onDeleted` takes it out of the list shown,
 * `onRestored` puts the restored note back.
 */
export function deleteNote(note: Note, onDeleted: () => void, onRestored: (note: Note) => void) {
  return undoableDelete({
    message: "Note deleted",
    key: `note:${note.id}`,
    undoTestid: "undo-delete-note",
    remove: () => api.deleteNote(note.id),
    restore: () => api.restoreNote(note.id),
    onDeleted,
    onRestored,
  });
}
