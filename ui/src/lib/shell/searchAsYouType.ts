import type { KithError } from "../ipc/api";
import { showError } from "./toasts.svelte";

/**
 * One search of a search-as-you-type box, for a `$effect` to return as its cleanup: a
 * short pause while `typed` is being typed (none for an empty box), then `run`, whose
 * answer reaches `apply` only if no newer search has started since — the cleanup of
 * the effect's next run marks this one stale.
 */
export function searchAsYouType<R>(typed: string, run: () => Promise<R>, apply: (result: R) => void): () => void {
  let current = true;
  const timer = setTimeout(
    () =>
      run().then(
        (result) => current && apply(result),
        (e: KithError) => current && showError(e),
      ),
    typed ? 120 : 0,
  );
  return () => {
    current = false;
    clearTimeout(timer);
  };
}
