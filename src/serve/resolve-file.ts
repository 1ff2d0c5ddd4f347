import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";

/** A regular file found for a request: its path relative to the root's real path, and size. */
export interface ResolvedFile {
  /** Segments from the real root to the real file, e.g. ["models", "a.pemn"]. */
  readonly segments: readonly string[];
  readonly size: number;
}

// sirv's order (its toAssume with extensions html, htm): "/a" tries a, a/index, a.html, ...
const EXTENSIONS = ["", ".html", ".htm"];

/**
 * The file a request path names under `realRoot` (already a real path), or undefined for 404.
 * Refused: a path that is not absolute, malformed percent-encoding, an encoded "/" or NUL,
 * any segment starting with "." (dotfiles, and so "." and ".."), and anything whose real
 * path is outside the root, is itself a dotfile there, or is not a regular file (a FIFO
 * would block the read forever). Candidates are tried in sirv's order, directories skipped.
 */
export async function resolveFile(
  realRoot: string,
  pathname: string,
): Promise<ResolvedFile | undefined> {
  if (!pathname.startsWith("/")) return undefined;
  const segments: string[] = [];
  for (const raw of pathname.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "") continue;
    if (!isServableSegment(segment)) return undefined;
    segments.push(segment);
  }
  for (const extension of EXTENSIONS) {
    const candidates = [];
    if (segments.length > 0) candidates.push(appendExtension(segments, extension));
    candidates.push([...segments, `index${extension}`]);
    for (const candidate of candidates) {
      const found = await regularFileUnder(realRoot, candidate);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function isServableSegment(segment: string): boolean {
  return !segment.startsWith(".") && !segment.includes("/") && !segment.includes("\0");
}

function appendExtension(segments: readonly string[], extension: string): string[] {
  const copy = [...segments];
  copy[copy.length - 1] += extension;
  return copy;
}

async function regularFileUnder(
  realRoot: string,
  segments: readonly string[],
): Promise<ResolvedFile | undefined> {
  let real: string;
  try {
    real = await realpath(join(realRoot, ...segments));
  } catch {
    return undefined; // missing, a dangling link, a loop, a name too long
  }
  const inside = relative(realRoot, real);
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return undefined;
  }
  const realSegments = inside.split(sep);
  if (!realSegments.every(isServableSegment)) return undefined;
  const stats = await stat(real).catch(() => undefined);
  if (stats === undefined || !stats.isFile()) return undefined;
  return { segments: realSegments, size: stats.size };
}
