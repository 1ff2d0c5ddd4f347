import { gunzipSync } from "node:zlib";
import { DatasetError } from "./dataset-error.js";

/** The most a dataset file may inflate to (Fashion-MNIST's largest is 47 MB). */
export const MAX_INFLATED_BYTES = 2 ** 30;

/**
 * Inflates gzip data (recognised by its magic bytes 1f 8b); other bytes pass through
 * unchanged. The output is bounded before inflating: by the size the gzip trailer declares
 * (ISIZE), which must be at most `maxBytes`, and zlib stops as soon as the data would inflate
 * past it, so a gzip bomb costs no more than the declared size.
 */
export function gunzipIfCompressed(
  bytes: Uint8Array,
  file: string,
  maxBytes = MAX_INFLATED_BYTES,
): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  if (bytes.length < 18) throw new DatasetError(file, "bad-gzip", "corrupt gzip data (too short)");
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    bytes.length - 4,
    true,
  );
  if (declared > maxBytes) {
    throw new DatasetError(
      file,
      "bad-gzip",
      `gzip data declares ${declared} inflated bytes, more than the ${maxBytes} a dataset file may hold`,
    );
  }
  let inflated: Buffer;
  try {
    // One byte of slack: inflating past the declared size is an error, not a truncation.
    inflated = gunzipSync(bytes, { maxOutputLength: Math.max(1, declared + 1) });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
    throw new DatasetError(
      file,
      "bad-gzip",
      tooLarge
        ? `gzip data inflates past the ${declared} bytes it declares`
        : `corrupt gzip data (${(error as Error).message})`,
    );
  }
  if (inflated.byteLength !== declared) {
    throw new DatasetError(
      file,
      "bad-gzip",
      `gzip data inflates to ${inflated.byteLength} bytes, not the ${declared} it declares`,
    );
  }
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
}
