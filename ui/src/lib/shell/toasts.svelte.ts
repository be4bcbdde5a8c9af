import { sentence } from "./format";
export type ToastAction = { label: string; testid: string; run: () => void | Promise<void> };
export type Toast = {
  id: number;
  message: string;
  tone: "info" | "error";
  action?: ToastAction;
  /** What the toast is about (e.g. `user:u1`); a newer toast with the same key replaces it. */
  key?: string;
};

/** Long enough to reach Undo between two customers, short enough not to pile up. */
export const TOAST_MS = 8000;

export const toasts = $state<Toast[]>([]);
let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export function showToast(message: string, options: { action?: ToastAction; tone?: Toast["tone"]; key?: string } = {}) {
  // "Restored Zoë" makes "Deleted Zoë — Undo" stale: one toast per subject at a time.
  if (options.key) dismissToasts(options.key);
  const toast: Toast = { id: nextId++, message, tone: options.tone ?? "info", action: options.action, key: options.key };
  toasts.push(toast);
  timers.set(
    toast.id,
    setTimeout(() => dismissToast(toast.id), TOAST_MS),
  );
  return toast.id;
}

export function dismissToast(id: number) {
  clearTimeout(timers.get(id));
  timers.delete(id);
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

/** Dismisses every toast about `key`. */
export function dismissToasts(key: string) {
  for (const toast of toasts.filter((t) => t.key === key)) dismissToast(toast.id);
}

/**
 * Runs a toast's action and dismisses the toast it belongs to. An action runs once: the
 * toast is gone before the action starts, so a second click (or a stale handler) finds
 * nothing to run.
 */
export async function runToastAction(id: number) {
  const toast = toasts.find((t) => t.id === id);
  if (!toast?.action) return;
  const { run } = toast.action;
  dismissToast(id);
  await run();
}

export function showError(error: { message: string }) {
  showToast(sentence(error.message), { tone: "error" });
}

/** Runs an action whose failure has no field to show under: the error goes to a toast. */
export async function toastErrors(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (e) {
    showError(e as { message: string });
  }
}
