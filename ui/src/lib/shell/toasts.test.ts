import { beforeEach, describe, expect, it, vi } from "vitest";
import { runToastAction, showToast, TOAST_MS, toasts } from "./toasts.svelte";

describe("toasts", () => {
  beforeEach(() => {
    toasts.length = 0;
  });

  it("runs a toast's action once and dismisses the toast it belongs to", async () => {
    const run = vi.fn();
    const other = showToast("Password copied");
    const id = showToast("Deleted Ada", { action: { label: "Undo", testid: "undo", run } });

    await runToastAction(id);
    await runToastAction(id);

    expect(run).toHaveBeenCalledTimes(1);
    expect(toasts.map((t) => t.id)).toEqual([other]);
  });

  it("replaces an earlier toast about the same subject", () => {
    showToast("Deleted Ada", { key: "user:u1", action: { label: "Undo", testid: "undo", run: () => {} } });
    showToast("Deleted Ben", { key: "user:u2", action: { label: "Undo", testid: "undo", run: () => {} } });
    showToast("Restored Ada", { key: "user:u1" });

    expect(toasts.map((t) => t.message)).toEqual(["Deleted Ben", "Restored Ada"]);
    expect(toasts[1].action).toBeUndefined();
  });

  it("goes away on its own", () => {
    vi.useFakeTimers();
    try {
      showToast("Saved");
      vi.advanceTimersByTime(TOAST_MS - 1);
      expect(toasts).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(toasts).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
