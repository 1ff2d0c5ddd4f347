import { readdirSync, realpathSync, type Stats, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import type { Labels } from "../dataset.js";
import { DatasetError } from "../dataset-error.js";
import type { DatasetSplit } from "../dataset-source.js";

/** The extensions read as images (any case); every other file is ignored, with a note. */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".webp"] as const;

/** One image file, with what the decoded cache is keyed by. */
export interface ImageFile {
  /** The path to read. */
  readonly path: string;
  /** The path inside the dataset's folder, with / separators: what the cache key names. */
  readonly relative: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * What a folder of images holds, found by listing it (no image is opened): the classes, every
 * image in the decoded cache's order with its label, and each split's images.
 */
export interface ImageListing {
  readonly root: string;
  /** The class folders (Tiny-ImageNet: wnids) in label order. */
  readonly classes: readonly string[];
  /** The classes' names for people, in label order (folder names; Tiny-ImageNet's words). */
  readonly classNames: readonly string[];
  /** Every image of both splits, in the order the decoded cache holds them. */
  readonly files: readonly ImageFile[];
  /** The label of each of `files`. */
  readonly labels: Labels;
  /** Each split's images, as increasing indices into `files`. */
  readonly splits: Readonly<Record<DatasetSplit, Int32Array>>;
  /** What was left out and why (non-image files, folders not in `classes`): one line each. */
  readonly notes: readonly string[];
}

/** Files found under a folder: images (sorted by relative path) and what was skipped. */
export interface FolderFiles {
  readonly images: ImageFile[];
  readonly ignored: string[];
}

/** Whether a file name has an image extension. */
export function isImageName(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** Orders names by UTF-16 code units: the same on every machine, whatever its locale. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every image under `dir`, found recursively (links followed, each directory once; hidden
 * entries skipped), sorted by path relative to `root`. Files without an image extension, and
 * entries that are not regular files, are listed in `ignored`.
 */
export function findImages(dir: string, root: string): FolderFiles {
  const images: ImageFile[] = [];
  const ignored: string[] = [];
  const visited = new Set<string>();
  const walk = (directory: string): void => {
    const real = realpathSync(directory);
    if (visited.has(real)) return;
    visited.add(real);
    for (const name of readdirSync(directory).sort(byName)) {
      if (name.startsWith(".")) continue;
      const path = join(directory, name);
      const stats = statOrNull(path);
      if (stats?.isDirectory()) walk(path);
      else if (stats?.isFile() && isImageName(name)) {
        images.push({
          path,
          relative: relative(root, path).split("\\").join("/"),
          size: stats.size,
          mtimeMs: stats.mtimeMs,
        });
      } else ignored.push(path);
    }
  };
  walk(dir);
  images.sort((a, b) => byName(a.relative, b.relative));
  return { images, ignored };
}

/** The subdirectories of `dir` (links followed, hidden ones skipped), sorted by name. */
export function subdirectories(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith(".") && statOrNull(join(dir, name))?.isDirectory())
    .sort(byName);
}

/** The files (not directories, not hidden) directly inside `dir`. */
export function looseFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith(".") && !statOrNull(join(dir, name))?.isDirectory())
    .sort(byName)
    .map((name) => join(dir, name));
}

export function isDirectory(path: string): boolean {
  return statOrNull(path)?.isDirectory() ?? false;
}

export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** A directory that must exist, else missing-file naming it. */
export function requireDirectory(dir: string, what: string): void {
  const stats = statOrNull(dir);
  if (stats === null) throw new DatasetError(dir, "missing-file", `${what} not found`);
  if (!stats.isDirectory()) throw new DatasetError(dir, "bad-layout", `${what} is not a directory`);
}

/** One note for the files left out (with the first few named), or none. */
export function ignoredNote(ignored: readonly string[]): string[] {
  if (ignored.length === 0) return [];
  const shown = ignored.slice(0, 3).join(", ");
  const more = ignored.length > 3 ? `, and ${ignored.length - 3} more` : "";
  return [
    `ignored ${ignored.length} file${ignored.length === 1 ? "" : "s"} that ${ignored.length === 1 ? "is" : "are"} not a PNG, JPEG or WebP image (${IMAGE_EXTENSIONS.join(", ")}): ${shown}${more}`,
  ];
}
