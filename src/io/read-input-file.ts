import { constants as bufferConstants } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** Reading a file failed or was refused; the message starts with the file, then the reason. */
export class InputFileError extends Error {
  override readonly name = "InputFileError";

  constructor(
    readonly file: string,
    /** Why, without the file: for callers that wrap it in their own error. */
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

const MIB = 2 ** 20;
/** Read in pieces of at most this: one piece for any ordinary file, bounded for a huge one. */
const CHUNK_BYTES = 256 * MIB;

/**
 * The most bytes each kind of input may hold. Read whole into memory, so a cap keeps a huge or
 * endless input from exhausting it; the large kinds are further checked against memory.
 */
export const INPUT_FILE_LIMITS = {
  /** Run configs and sweep specs: hand-written, a few KiB. */
  config: 4 * MIB,
  /** state.json, result.json, summary.json, lock files: small JSON pemn writes. */
  record: 4 * MIB,
  /** results.jsonl and invocations.jsonl: a line per run, many thousands of runs. */
  results: 256 * MIB,
} as const;

export type InputKind = keyof typeof INPUT_FILE_LIMITS;

/**
 * Reads a user's file whole, refusing what could never end or would not fit: only a regular
 * file (a directory, device, FIFO or socket is refused) of at most `maxBytes` bytes (a number,
 * or a kind of INPUT_FILE_LIMITS). A FIFO is opened non-blocking, so refusing it cannot hang
 * waiting for a writer. Errors are InputFileError naming the file; `code` is "ENOENT" when the
 * file does not exist.
 */
export function readInputFile(path: string, maxBytes: number | InputKind): Buffer {
  // No Buffer can be longer than MAX_LENGTH (4 GiB in Node 20): the cap never exceeds it.
  const limit = Math.min(
    typeof maxBytes === "number" ? maxBytes : INPUT_FILE_LIMITS[maxBytes],
    bufferConstants.MAX_LENGTH,
  );
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw systemError(path, error);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new InputFileError(path, "is a directory, not a file", "EISDIR");
    if (!stats.isFile()) {
      throw new InputFileError(
        path,
        `is not a regular file (a ${fileType(stats)}); only regular files are read`,
      );
    }
    if (stats.size > limit) throw tooLarge(path, limit, stats.size);
    // Read to the end, not to the size fstat gave: a file that grows meanwhile still stops at the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(
        Math.min(Math.max(stats.size - total, 64 * 1024), limit + 1 - total, CHUNK_BYTES),
      );
      if (chunk.length === 0) throw tooLarge(path, limit);
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        throw systemError(path, error);
      }
      if (read === 0) break;
      chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
      total += read;
      if (total > limit) throw tooLarge(path, limit);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** readInputFile as UTF-8 text. */
export function readInputText(path: string, maxBytes: number | InputKind): string {
  return readInputFile(path, maxBytes).toString("utf8");
}

/** The reason of an InputFileError, or the message of anything else. */
export function readFailureReason(error: unknown): string {
  return error instanceof InputFileError ? error.reason : (error as Error).message;
}

/** `size` undefined: the file grew past the cap while being read. */
function tooLarge(path: string, limit: number, size?: number): InputFileError {
  return new InputFileError(
    path,
    `is too large: ${size === undefined ? "more" : `${size} bytes`}, over the ${limit} bytes (${formatBytes(limit)}) this kind of file may hold`,
    "EFBIG",
  );
}

function systemError(path: string, error: unknown): InputFileError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT"
      ? "no such file"
      : code === "EISDIR"
        ? "is a directory, not a file"
        : code === "EACCES"
          ? "permission denied"
          : `cannot read (${(error as Error).message})`;
  return new InputFileError(path, reason, code);
}

function fileType(stats: import("node:fs").Stats): string {
  if (stats.isFIFO()) return "FIFO";
  if (stats.isCharacterDevice()) return "character device";
  if (stats.isBlockDevice()) return "block device";
  if (stats.isSocket()) return "socket";
  return "special file";
}

/** Bytes in the largest binary unit that keeps the figure at least 1. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
