import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The page's Vite project in a checkout (web/), and where it builds to (web/dist). */
export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../web");
export const WEB_DIST = join(WEB_DIR, "dist");

/** Whether `dir` holds a built page. */
export function isBuiltPage(dir: string): boolean {
  return existsSync(join(dir, "index.html"));
}

/**
 * Builds the page into `outDir` (web/dist, as `npm run build:web` does, unless told). Needs a
 * checkout (the web/ sources and the dev dependency vite); says so when they are missing.
 */
export async function buildWebPage(outDir: string = WEB_DIST): Promise<void> {
  const configFile = join(WEB_DIR, "vite.config.ts");
  if (!existsSync(configFile)) {
    throw new Error(
      `the page's sources (${WEB_DIR}) are not here: build it in a pemn checkout with npm run build:web, then serve its web/dist`,
    );
  }
  const { build } = await import("vite");
  await build({ root: WEB_DIR, configFile, logLevel: "warn", build: { outDir } });
}
