import { fileURLToPath } from "node:url";
import { defineConfig, type ProxyOptions } from "vite";
import solid from "vite-plugin-solid";

// The config is loaded from the repo root (`npm run build:web`), so paths are anchored to this file.
const webDir = fileURLToPath(new URL(".", import.meta.url));

// In development the dashboard talks to a local Baton server (`npx baton server start` listens on 4200),
// the same way it talks to its own Worker in production: same-origin requests to /api.
const apiOrigin = new URL(process.env.BATON_API_URL ?? "http://localhost:4200/api").origin;
const proxy: Record<string, ProxyOptions> = { "/api": { target: apiOrigin, changeOrigin: true, ws: true } };

export default defineConfig({
  root: webDir,
  plugins: [solid()],
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // The app's own modules that several pages use (badges, times, feedback, the protocol's constants)
        // go in one chunk rather than a dozen tiny ones: opening a page then costs two requests, not ten.
        codeSplitting: { groups: [{ name: "shared", test: /[\\/](web[\\/]src|protocol)[\\/]/, minShareCount: 2 }] },
      },
    },
  },
});
