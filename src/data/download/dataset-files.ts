import { type Stats, statSync } from "node:fs";
import { join } from "node:path";
import type { CatalogueEntry } from "./dataset-catalogue.js";

/**
 * What `dir` lacks of a complete copy of the dataset (its `complete` list), [] when nothing.
 * A name ending in `/` must be a folder, any other a file (links followed); in a "files"
 * layout an IDX file counts inflated too (`x-ubyte` for `x-ubyte.gz`), as the loader reads it.
 */
export function missingFiles(entry: CatalogueEntry, dir: string): string[] {
  return entry.complete.filter((name) => {
    if (name.endsWith("/")) return !isFolder(join(dir, name));
    if (isFile(join(dir, name))) return false;
    return !(
      entry.layout.kind === "files" &&
      name.endsWith(".gz") &&
      isFile(join(dir, name.slice(0, -3)))
    );
  });
}

export function isFile(path: string): boolean {
  return stat(path)?.isFile() ?? false;
}

export function isFolder(path: string): boolean {
  return stat(path)?.isDirectory() ?? false;
}

/** The path's stats, or undefined when there is nothing (or nothing reachable) there. */
function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
