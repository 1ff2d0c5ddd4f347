import { gunzipSync } from "node:zlib";
import { DatasetError } from "./dataset-error.js";

/** Inflates gzip data (recognised by its magic bytes 1f 8b); other bytes pass through unchanged. */
export function gunzipIfCompressed(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const inflated = gunzipSync(bytes);
    return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  } catch (error) {
    throw new DatasetError(file, "bad-gzip", `corrupt gzip data (${(error as Error).message})`);
  }
}
