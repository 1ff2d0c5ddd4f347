import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Replaces `path` with `chunks` so that a crash at any moment leaves either the old file or
 * the new one, never a torn one: write a temporary file in the same directory, fsync it,
 * rename it over `path` (atomic on POSIX), then fsync the directory so the rename persists.
 */
export function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): void {
  const directory = dirname(path);
  // A random suffix and exclusive creation: two writers of one path never share a temp file.
  const temporary = join(
    directory,
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  const fd = openSync(temporary, "wx");
  try {
    try {
      for (const chunk of chunks) writeFully(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(directory);
}

/** Appends `text` to `path` and flushes it to disk. */
export function appendFileDurable(path: string, text: string): void {
  const fd = openSync(path, "a");
  try {
    writeFully(fd, Buffer.from(text, "utf8"));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
