import { render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import ProgressBar from "./ProgressBar.svelte";

afterEach(() => vi.useRealTimers());

describe("ProgressBar", () => {
  it("adds the time left once the job has run long enough to tell", async () => {
    vi.useFakeTimers({ now: 0 });
    const props = { label: "Importing big.csv", detail: "2,000 users read", fraction: 0.1 as number | null };
    const { rerender } = render(ProgressBar, props);
    expect(screen.queryByTestId("progress-left")).toBeNull();

    vi.setSystemTime(1_000);
    await rerender({ ...props, fraction: 0.15, detail: "3,000 users read" });
    expect(screen.queryByTestId("progress-left"), "too soon to tell").toBeNull();

    // 20% in 4 s: the 70% left takes about 15 s.
    vi.setSystemTime(4_000);
    await rerender({ ...props, fraction: 0.3, detail: "6,000 users read" });
    expect(screen.getByTestId("progress-left").textContent).toBe("· about 15 seconds left");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuetext")).toBe("6,000 users read · about 15 seconds left");

    // A step back (a job, or a phase of it, starting again) starts the pace again:
    // 5 s on from 0.25, the old pace would say something; a new one cannot yet.
    vi.setSystemTime(5_000);
    await rerender({ ...props, fraction: 0.25, detail: "Starting again" });
    expect(screen.queryByTestId("progress-left")).toBeNull();
    vi.setSystemTime(7_000);
    await rerender({ ...props, fraction: 0.5, detail: "10,000 users read" });
    expect(screen.queryByTestId("progress-left"), "2 s of the new pace is not enough").toBeNull();
    vi.setSystemTime(9_000);
    await rerender({ ...props, fraction: 0.75, detail: "15,000 users read" });
    expect(screen.getByTestId("progress-left").textContent).toBe("· a few seconds left");

    // At the very end, no guess: the last step is not paced like the rest.
    vi.setSystemTime(20_000);
    await rerender({ ...props, fraction: 0.99, detail: "19,800 users read" });
    expect(screen.queryByTestId("progress-left")).toBeNull();
  });
});
