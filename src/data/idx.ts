import { DatasetError } from "./dataset-error.js";
import { gunzipIfCompressed } from "./gzip.js";

/** IDX magic numbers: two zero bytes, type 0x08 (unsigned byte), number of dimensions. */
const IDX_IMAGES_MAGIC = 0x00000803;
const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** count x height x width pixel values, row-major. */
  readonly pixels: Uint8Array;
}

/** Parses an idx3-ubyte image file (MNIST layout), gzip-compressed or not. */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const { dims, payload } = readIdx(bytes, file, IDX_IMAGES_MAGIC, 3, "images");
  const [count, height, width] = dims as [number, number, number];
  return { count, height, width, pixels: payload };
}

/** Parses an idx1-ubyte label file (MNIST layout), gzip-compressed or not. */
export function parseIdxLabels(bytes: Uint8Array, file: string): Uint8Array {
  return readIdx(bytes, file, IDX_LABELS_MAGIC, 1, "labels").payload;
}

function readIdx(
  compressedOrRaw: Uint8Array,
  file: string,
  expectedMagic: number,
  dimensionCount: number,
  content: string,
): { dims: number[]; payload: Uint8Array } {
  const bytes = gunzipIfCompressed(compressedOrRaw, file);
  const headerSize = 4 + 4 * dimensionCount;
  if (bytes.length < 4) {
    throw new DatasetError(
      file,
      "truncated",
      `only ${bytes.length} bytes, too short for an IDX magic number`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new DatasetError(
      file,
      "bad-magic",
      `bad magic number ${hex(magic)}, expected ${hex(expectedMagic)} (IDX unsigned-byte ${content})`,
    );
  }
  if (bytes.length < headerSize) {
    throw new DatasetError(
      file,
      "truncated",
      `only ${bytes.length} bytes, the IDX ${content} header needs ${headerSize}`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < dimensionCount; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((product, size) => product * size, 1);
  const actual = bytes.length - headerSize;
  if (actual < expected) {
    throw new DatasetError(
      file,
      "truncated",
      `truncated: header announces ${dims.join(" x ")} = ${expected} bytes of ${content}, file holds ${actual}`,
    );
  }
  if (actual > expected) {
    throw new DatasetError(
      file,
      "size-mismatch",
      `${actual - expected} unexpected bytes after the ${dims.join(" x ")} ${content} the header announces`,
    );
  }
  // A plain view, not a Buffer: Buffer.slice would alias where Uint8Array.slice copies.
  return { dims, payload: new Uint8Array(bytes.buffer, bytes.byteOffset + headerSize, expected) };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
