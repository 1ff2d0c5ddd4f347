import { availableMemoryBytes } from "../../io/machine-memory.js";
import { formatBytes, InputFileError, readInputFile } from "../../io/read-input-file.js";
import { MAX_PEMN_FILE_BYTES } from "../format/format-spec.js";
import { decodePemn } from "../format/index.js";
import { checkPemnMemory } from "../memory-needs.js";
import { attributeToFile } from "../pemn-file.js";
import { writeArtifact } from "../write-artifact.js";
import { pemnToSafetensors, type SafetensorsForm } from "./export-safetensors.js";
import { SafetensorsError } from "./safetensors-error.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContents,
  type SafetensorsTensor,
} from "./safetensors-format.js";

/**
 * Encodes the tensors and replaces `path` atomically (temporary file, fsync, rename); returns
 * the file's length. A failed write throws ArtifactWriteError naming `path`.
 */
export function writeSafetensorsFile(
  path: string,
  tensors: readonly SafetensorsTensor[],
  metadata: Readonly<Record<string, string>> | null = null,
): number {
  const chunks = encodeSafetensors(tensors, metadata);
  writeArtifact(path, chunks);
  return chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
}

/**
 * Reads a safetensors file whose reader will hold `copies` copies of it (the bytes, and what it
 * decodes them to); errors (InputFileError, SafetensorsError) name the file. The tensors'
 * data are views into the bytes read.
 */
export function readSafetensorsFile(path: string, copies: number): SafetensorsContents {
  const bytes = readBoundedInput(path, copies);
  return withSafetensorsFile(path, () => decodeSafetensors(bytes));
}

/**
 * A file's bytes, refused before it is read when larger than the memory available
 * (PEMN_MAX_MEMORY, or 80% of what the system reports) divided by the `copies` of it its
 * reader will hold. Errors are InputFileError naming the file.
 */
export function readBoundedInput(path: string, copies: number): Uint8Array {
  const available = availableMemoryBytes();
  try {
    return readInputFile(path, Math.floor(available / copies));
  } catch (error) {
    if (error instanceof InputFileError && error.code === "EFBIG") {
      throw new InputFileError(
        path,
        `${error.reason}: it and ${copies - 1} decoded cop${copies === 2 ? "y" : "ies"} must fit the ${formatBytes(available)} of memory available (PEMN_MAX_MEMORY)`,
        error.code,
      );
    }
    throw error;
  }
}

/** Runs `work` on what came from `path`; the SafetensorsErrors it throws then name the file. */
export function withSafetensorsFile<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof SafetensorsError && error.file === undefined) {
      throw new SafetensorsError(error.code, error.detail, path, error.tensor);
    }
    throw error;
  }
}

/**
 * Writes a `.pemn` file's model as safetensors (pemnToSafetensors) atomically; returns the
 * file's length and tensor count. A file declaring more weights than memory allows is refused
 * before decoding; every error names the file it concerns.
 */
export function exportSafetensorsFile(
  pemnFile: string,
  outFile: string,
  form: SafetensorsForm,
): { bytes: number; tensors: number } {
  const bytes: Uint8Array = readInputFile(pemnFile, MAX_PEMN_FILE_BYTES);
  const { tensors, metadata } = attributeToFile(pemnFile, () => {
    checkPemnMemory(bytes, "convert", availableMemoryBytes());
    return pemnToSafetensors(decodePemn(bytes), form);
  });
  return { bytes: writeSafetensorsFile(outFile, tensors, metadata), tensors: tensors.length };
}
