import type { Theme } from "../ipc/generated/Theme";

const darkQuery = () => window.matchMedia?.("(prefers-color-scheme: dark)");
let followingSystem: MediaQueryList | undefined;

function setResolved(dark: boolean) {
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

const onSystemChange = (e: MediaQueryListEvent) => setResolved(e.matches);

/** Resolves Settings.theme to data-theme="light|dark" on <html>; for "system" it keeps
 *  following the OS while the app runs, so the CSS only needs one rule per palette. */
export function applyTheme(theme: Theme) {
  followingSystem?.removeEventListener("change", onSystemChange);
  followingSystem = undefined;
  if (theme === "system") {
    const query = darkQuery();
    setResolved(!!query?.matches);
    query?.addEventListener("change", onSystemChange);
    followingSystem = query;
  } else {
    setResolved(theme === "dark");
  }
}
