import { gunzipSync } from "node:zlib";
import { DatasetError } from "./dataset-error.js";

/** The most a dataset file may inflate to (Fashion-MNIST's largest is 47 MB). */
export const MAX_INFLATED_BYTES = 2 ** 30;

/**
 * Inflates gzip data (recognised by its magic bytes 1f 8b); other bytes pass through
 * unchanged. zlib stops as soon as the output would pass the size the gzip trailer declares
 * (ISIZE) or `maxBytes`, whichever is smaller: a gzip bomb costs no more than that.
 */
export function gunzipIfCompressed(
  bytes: Uint8Array,
  file: string,
  maxBytes = MAX_INFLATED_BYTES,
): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const fail = (message: string): never => {
    throw new DatasetError(file, "bad-gzip", message);
  };
  if (bytes.length < 18) fail("corrupt gzip data (too short)");
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    bytes.length - 4,
    true,
  );
  const limit = Math.min(declared, maxBytes);
  let inflated: Buffer | undefined;
  try {
    // One byte of slack: output past the limit is an error, not a silent truncation.
    inflated = gunzipSync(bytes, { maxOutputLength: limit + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") {
      fail(`corrupt gzip data (${(error as Error).message})`);
    }
    fail(
      limit === declared
        ? `gzip data inflates past the ${declared} bytes it declares`
        : `gzip data inflates past the ${maxBytes} bytes a dataset file may hold`,
    );
  }
  const output = inflated as Buffer;
  if (output.byteLength !== declared) {
    fail(`gzip data inflates to ${output.byteLength} bytes, not the ${declared} it declares`);
  }
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}
