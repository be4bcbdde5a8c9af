import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

export default defineConfig({
  // Relative asset URLs: Tauri serves ui/dist from its own protocol, not from a web root.
  base: "./",
  plugins: [svelte(), svelteTesting()],
  build: { outDir: "dist", emptyOutDir: true },
  server: { strictPort: true, port: 5173 },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test-setup.ts"],
  },
});
