import { api, type KithError } from "../ipc/api";
import type { Note } from "../ipc/generated/Note";
import { showError, showToast } from "../shell/toasts.svelte";

/**
 * Deletes a note and offers Undo: `onDeleted` takes it out of the list shown,
 * `onRestored` puts the restored note back.
 */
export async function deleteNote(note: Note, onDeleted: () => void, onRestored: (note: Note) => void) {
  try {
    await api.deleteNote(note.id);
  } catch (e) {
    showError(e as KithError);
    return;
  }
  onDeleted();
  showToast("Note deleted", {
    key: `note:${note.id}`,
    action: { label: "Undo", testid: "undo-delete-note", run: async () => onRestored(await api.restoreNote(note.id)) },
  });
}
