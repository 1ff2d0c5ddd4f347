import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { faultPoint } from "./fault-injection.js";
import { isTemporaryName, temporaryName } from "./temporary-name.js";

/** Writing a file failed; the message starts with the file and carries the system's code. */
export class OutputFileError extends Error {
  override readonly name = "OutputFileError";

  constructor(
    readonly file: string,
    message: string,
    readonly code?: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/**
 * Replaces `path` with `chunks` so that a crash at any moment leaves either the old file or
 * the new one, never a torn one: write a temporary file in the same directory, fsync it,
 * rename it over `path` (atomic on POSIX), then fsync the directory so the rename persists.
 *
 * Only regular files are written: an existing device, FIFO, socket or directory at `path`
 * is refused (renaming over /dev/null would replace it). A symlink is followed to the
 * regular file it names, which is replaced while the link stays; a dangling link is refused.
 */
export function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): void {
  const target = regularFileTarget(path);
  const directory = dirname(target);
  // A random part and exclusive creation: two writers of one path never share a temp file.
  const temporary = join(directory, temporaryName(basename(target)));
  faultPoint("write", basename(target));
  try {
    const fd = openSync(temporary, "wx");
    try {
      try {
        for (const chunk of chunks) writeFully(fd, chunk);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      faultPoint("rename", basename(target));
      renameSync(temporary, target);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    syncDirectory(directory);
  } catch (error) {
    throw namingFile(path, error);
  }
}

/**
 * writeFileAtomic for contents made piece by piece (too large to hold at once): `produce`
 * calls `write` with each piece in order; the file appears, whole, only once it resolves.
 * If it throws, the temporary file is removed and `path` left as it was.
 */
export async function writeFileAtomicFrom(
  path: string,
  produce: (write: (chunk: Uint8Array) => void) => Promise<void>,
): Promise<void> {
  const target = regularFileTarget(path);
  const directory = dirname(target);
  const temporary = join(directory, temporaryName(basename(target)));
  faultPoint("write", basename(target));
  let fd: number;
  try {
    fd = openSync(temporary, "wx");
  } catch (error) {
    throw namingFile(path, error);
  }
  let open = true;
  try {
    await produce((chunk) => {
      try {
        writeFully(fd, chunk);
      } catch (error) {
        throw namingFile(path, error);
      }
    });
    try {
      fsyncSync(fd);
      closeSync(fd);
      open = false;
      faultPoint("rename", basename(target));
      renameSync(temporary, target);
    } catch (error) {
      throw namingFile(path, error);
    }
  } catch (error) {
    if (open) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(directory);
}

/** Appends `text` to `path` and flushes it to disk. */
export function appendFileDurable(path: string, text: string): void {
  regularFileTarget(path);
  faultPoint("append", basename(path));
  try {
    const fd = openSync(path, "a");
    try {
      writeFully(fd, Buffer.from(text, "utf8"));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw namingFile(path, error);
  }
}

/**
 * Creates `path` and its missing parents; failures name it with the system's real reason.
 * (Node 20's recursive mkdir reports ENOENT for any failure, EROFS included: the missing
 * directories are then created one by one to learn the real one.)
 */
export function makeDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw namingFile(path, error, "create");
    const missing: string[] = [];
    for (let current = resolve(path); !existsSync(current); current = dirname(current)) {
      missing.unshift(current);
    }
    try {
      for (const directory of missing) mkdirSync(directory);
    } catch (real) {
      throw namingFile(path, real, "create");
    }
    throw namingFile(path, error, "create");
  }
}

/**
 * Deletes the temporary files that writes killed before their rename left in `directory`.
 * Only for a directory the caller owns exclusively (a run under its lock): a live writer's
 * temporary file would be deleted too. Returns their names.
 */
export function removeStaleTemporaries(directory: string): string[] {
  const stale = readdirSync(directory).filter(isTemporaryName);
  for (const name of stale) rmSync(join(directory, name), { force: true });
  return stale;
}

/** The regular file a write to `path` replaces (symlinks followed), or `path` if it is new. */
function regularFileTarget(path: string): string {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return path;
    throw namingFile(path, error);
  }
  let target = path;
  if (stats.isSymbolicLink()) {
    try {
      target = realpathSync(path);
      stats = statSync(target);
    } catch {
      throw new OutputFileError(path, "is a symlink to nothing: pemn writes only regular files");
    }
  }
  if (!stats.isFile()) {
    throw new OutputFileError(
      path,
      `is ${fileKind(stats)}, not a regular file: pemn writes only regular files`,
    );
  }
  return target;
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  return "not a file";
}

/** A system error as an OutputFileError that names `path` (ENOSPC, EROFS, EACCES, ...). */
function namingFile(path: string, error: unknown, action: "write" | "create" = "write"): Error {
  if (error instanceof OutputFileError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return error as Error;
  const reason: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EROFS: "the file system is read-only",
    EACCES: "permission denied",
    ENOENT: action === "write" ? "its directory does not exist" : "a parent is missing",
    EDQUOT: "disk quota exceeded",
  };
  return new OutputFileError(
    path,
    `${action === "write" ? "cannot write" : "cannot create the directory"} (${code}: ${reason[code] ?? (error as Error).message})`,
    code,
  );
}

function writeFully(fd: number, chunk: Uint8Array): void {
  let written = 0;
  while (written < chunk.byteLength) {
    written += writeSync(fd, chunk, written, chunk.byteLength - written);
  }
}

function syncDirectory(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, "r");
  } catch {
    return; // Windows cannot open a directory; its rename is durable without this.
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
