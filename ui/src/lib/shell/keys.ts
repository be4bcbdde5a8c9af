// Shortcuts use Cmd on macOS and Ctrl elsewhere, as each platform's users expect.
const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** The modifier as a prefix in compact hints ("⌘K", "Ctrl+K"). */
export const modLabel = isMac ? "⌘" : "Ctrl+";
/** The modifier alone, for a key chip of its own. */
export const modKey = isMac ? "⌘" : "Ctrl";

export function isModKey(event: KeyboardEvent): boolean {
  return isMac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
}

/** True while the user is typing somewhere, where a bare "/" must stay a character. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}
