export type ToastAction = { label: string; testid: string; run: () => void | Promise<void> };
export type Toast = { id: number; message: string; tone: "info" | "error"; action?: ToastAction };

/** Long enough to reach Undo between two customers, short enough not to pile up. */
export const TOAST_MS = 8000;

export const toasts = $state<Toast[]>([]);
let nextId = 1;

export function showToast(message: string, options: { action?: ToastAction; tone?: Toast["tone"] } = {}) {
  const toast: Toast = { id: nextId++, message, tone: options.tone ?? "info", action: options.action };
  toasts.push(toast);
  setTimeout(() => dismissToast(toast.id), TOAST_MS);
  return toast.id;
}

export function dismissToast(id: number) {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

export function showError(error: { message: string }) {
  showToast(error.message, { tone: "error" });
}
