import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../io/atomic-write.js";
import {
  decodePemn,
  describePemn,
  encodePemn,
  type PemnContents,
  type PemnDescription,
  PemnFormatError,
} from "./format/index.js";

/** Encodes `contents` and replaces `path` atomically (temporary file, fsync, rename). */
export function writePemnFile(path: string, contents: PemnContents): void {
  writeFileAtomic(path, [encodePemn(contents)]);
}

/** Reads and decodes a `.pemn` file; a PemnFormatError names the file. */
export function readPemnFile(path: string): PemnContents {
  return withFileName(path, decodePemn);
}

/** Reads a `.pemn` file and describes what each part costs; a PemnFormatError names the file. */
export function describePemnFile(path: string): PemnDescription {
  return withFileName(path, describePemn);
}

function withFileName<T>(path: string, read: (bytes: Uint8Array) => T): T {
  const bytes = readFileSync(path);
  try {
    return read(bytes);
  } catch (error) {
    if (error instanceof PemnFormatError) throw new PemnFormatError(error.code, error.detail, path);
    throw error;
  }
}
