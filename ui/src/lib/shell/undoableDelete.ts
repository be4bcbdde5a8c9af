import type { KithError } from "../ipc/api";
import { showError, showToast } from "./toasts.svelte";

/**
 * A delete that happens at once and offers Undo in a toast (UX.md): `remove` deletes,
 * `onDeleted` takes the item out of what is shown; Undo calls `restore` and hands the
 * restored item to `onRestored`. Failures are toasted.
 */
export async function undoableDelete<T>(options: {
  message: string;
  /** What the toast is about, so a newer toast about it replaces this one. */
  key: string;
  undoTestid: string;
  remove: () => Promise<unknown>;
  restore: () => Promise<T>;
  onDeleted: () => void;
  onRestored: (item: T) => void;
}) {
  try {
    await options.remove();
  } catch (e) {
    showError(e as KithError);
    return;
  }
  options.onDeleted();
  showToast(options.message, {
    key: options.key,
    action: {
      label: "Undo",
      testid: options.undoTestid,
      run: async () => {
        try {
          options.onRestored(await options.restore());
        } catch (e) {
          showError(e as KithError);
        }
      },
    },
  });
}
