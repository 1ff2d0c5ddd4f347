import { readInputFile } from "../io/read-input-file.js";
import { type DecodedModel, decodeModelBytes } from "./decode-model.js";
import { MAX_PEMN_FILE_BYTES } from "./format/format-spec.js";
import {
  decodePemn,
  describePemn,
  encodePemn,
  type PemnContents,
  type PemnDescription,
  PemnFormatError,
} from "./format/index.js";
import { DEFAULT_INDEX_BITS, inspectPemn, type PemnInspection } from "./inspect-pemn.js";
import { checkPemnMemory, type PemnUse } from "./memory-needs.js";
import { PemnModelError } from "./pemn-model-error.js";
import { writeArtifact } from "./write-artifact.js";

/**
 * Encodes `contents` and replaces `path` atomically (temporary file, fsync, rename); returns
 * the file's length. A failed write throws ArtifactWriteError naming `path`.
 */
export function writePemnFile(path: string, contents: PemnContents): number {
  const bytes = encodePemn(contents);
  writeArtifact(path, bytes);
  return bytes.length;
}

/** Reads and decodes a `.pemn` file; a PemnFormatError names the file. */
export function readPemnFile(path: string): PemnContents {
  return withFileName(path, decodePemn);
}

/** Reads a `.pemn` file and describes what each part costs; a PemnFormatError names the file. */
export function describePemnFile(path: string): PemnDescription {
  return withFileName(path, describePemn);
}

/** What the machine can spare for a decoded model, measured by the caller (src/io/machine-memory.ts). */
export interface MemoryBudget {
  readonly use: PemnUse;
  readonly availableBytes: number;
}

/**
 * Reads a `.pemn` file into inference-ready weights (decodeModel); errors name the file. With
 * `budget`, a file declaring more weights than it allows is refused before decoding.
 */
export function readDecodedModel(path: string, budget?: MemoryBudget): DecodedModel {
  return withFileName(path, (bytes) => {
    if (budget) checkPemnMemory(bytes, budget.use, budget.availableBytes);
    return decodeModelBytes(bytes);
  });
}

/** Reads a `.pemn` file and inspects it (inspectPemn); errors name the file. */
export function inspectPemnFile(path: string, indexBits = DEFAULT_INDEX_BITS): PemnInspection {
  return withFileName(path, (bytes) => inspectPemn(bytes, indexBits));
}

function withFileName<T>(path: string, read: (bytes: Uint8Array) => T): T {
  // Only a regular file, at most the longest the format can describe (InputFileError names it).
  const bytes: Uint8Array = readInputFile(path, MAX_PEMN_FILE_BYTES);
  return attributeToFile(path, () => read(bytes));
}

/** Runs `work` on what came from `path`; the .pemn errors it throws then name the file. */
export function attributeToFile<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof PemnFormatError) throw new PemnFormatError(error.code, error.detail, path);
    if (error instanceof PemnModelError) throw new PemnModelError(error.code, error.detail, path);
    throw error;
  }
}
