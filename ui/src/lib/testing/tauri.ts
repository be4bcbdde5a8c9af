// Stand-ins for the parts of @tauri-apps/api that need a Tauri window: a progress Channel
// and event listening. Test files wire them in with
//   vi.mock("@tauri-apps/api/core", async () => ({ invoke: vi.fn(), Channel: (await import("../testing/tauri")).FakeChannel }));
//   vi.mock("@tauri-apps/api/event", async () => ({ listen: (await import("../testing/tauri")).fakeListen }));
// A command handler (testing/ipc.ts `serve`) then reports progress the way Rust does, with
// `args.on_progress.onmessage(...)`, and a test fires a window event with `emitEvent`.

/** What the UI hands to a command as `on_progress`. */
export class FakeChannel<T = unknown> {
  onmessage: (message: T) => void = () => {};
}

type Listener = (event: { event: string; id: number; payload: unknown }) => void;
const listeners = new Map<string, Set<Listener>>();

export async function fakeListen(event: string, handler: Listener): Promise<() => void> {
  const set = listeners.get(event) ?? new Set<Listener>();
  listeners.set(event, set);
  set.add(handler);
  return () => set.delete(handler);
}

/** Delivers `payload` to every listener of `event`, as the Rust shell's emit would. */
export function emitEvent(event: string, payload: unknown) {
  for (const handler of [...(listeners.get(event) ?? [])]) handler({ event, id: 0, payload });
}

/** How many listeners `event` has now (to check subscriptions end with their component). */
export const listenerCount = (event: string) => listeners.get(event)?.size ?? 0;
