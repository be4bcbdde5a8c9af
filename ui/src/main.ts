import { mount } from "svelte";
import "./app.css";
import Root from "./Root.svelte";
import { applyTheme } from "./lib/shell/theme";

// Follow the OS until the saved theme arrives, so the first paint is already right.
applyTheme("system");

async function start() {
  // `vite dev` in a plain browser has no Rust behind it: serve fake data instead. The
  // DEV check is a compile-time constant, so the mock is not even bundled in a build.
  if (import.meta.env.DEV && !("__TAURI_INTERNALS__" in window)) {
    const { installDevMock } = await import("./lib/ipc/devMock");
    installDevMock();
  }
  // The app proper mounts once the data directory is open (lib/startup).
  mount(Root, { target: document.getElementById("app")! });
}

void start();
