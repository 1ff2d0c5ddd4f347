import { defineConfig } from "vite";

/**
 * The page is static files: `vite build web` writes them to web/dist (relative URLs, so any
 * static host serves them from any path). onnxruntime-web's .wasm is emitted as an asset of
 * the build (src/classifier.ts imports its URL), never fetched from a CDN.
 */
export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2000 },
  worker: { format: "es" },
  logLevel: "warn",
});
