import { SafetensorsError } from "./safetensors-error.js";

/*
 * The safetensors format (huggingface/safetensors, docs/interop.md): an 8-byte little-endian
 * unsigned header length N, N bytes of UTF-8 JSON, then the tensors' bytes. The JSON maps each
 * tensor's name to { dtype, shape, data_offsets: [begin, end] } (offsets into the bytes after
 * the header) and may hold `__metadata__`, a map of strings to strings. Tensors are row-major,
 * little-endian, back to back in offset order from 0 with no gap, the last ending at the
 * file's end. Pure: runs in a browser too.
 */

/**
 * The specification's dtypes with their element bytes, in the reference implementation's
 * order (increasing alignment): its writer puts tensors of later dtypes first.
 */
export const SAFETENSORS_DTYPES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

const DTYPE_RANK = new Map(Object.keys(SAFETENSORS_DTYPES).map((dtype, index) => [dtype, index]));

/** The reference implementation refuses longer headers (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

/** The key of the string-to-string map in the header. */
export const METADATA_KEY = "__metadata__";

/** One tensor: its bytes as the file stores them (little-endian, row-major). */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export interface SafetensorsContents {
  /** `__metadata__`, or null when the header has none. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** In file (offset) order; each `data` a view into the bytes decoded, not a copy. */
  readonly tensors: readonly SafetensorsTensor[];
}

export function isSafetensorsDtype(text: string): text is SafetensorsDtype {
  return Object.hasOwn(SAFETENSORS_DTYPES, text);
}

/** Elements of a shape (1 for a scalar's []), or NaN past 2^53. */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dimension of shape) count *= dimension;
  return Number.isSafeInteger(count) ? count : Number.NaN;
}

/**
 * The file's bytes as chunks to write one after another (the tensors' own arrays, not
 * copies): as the reference writer lays them out, tensors sorted by dtype alignment (largest
 * first) then by name, so every tensor starts at a multiple of its element size, and the
 * header padded with spaces to a multiple of 8 bytes. `__metadata__` keys are written sorted.
 */
export function encodeSafetensors(
  tensors: readonly SafetensorsTensor[],
  metadata: Readonly<Record<string, string>> | null = null,
): Uint8Array[] {
  const names = new Set<string>();
  for (const tensor of tensors) {
    const fail = (detail: string): never => {
      throw new SafetensorsError("invalid-contents", detail, undefined, tensor.name);
    };
    if (tensor.name === METADATA_KEY) fail(`a tensor cannot be named "${METADATA_KEY}"`);
    if (names.has(tensor.name)) fail(`two tensors are named "${tensor.name}"`);
    names.add(tensor.name);
    if (!isSafetensorsDtype(tensor.dtype))
      fail(`"${tensor.name}" has unknown dtype ${tensor.dtype}`);
    if (!tensor.shape.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0)) {
      fail(`"${tensor.name}" has shape [${tensor.shape.join(", ")}]`);
    }
    const bytes = elementCount(tensor.shape) * SAFETENSORS_DTYPES[tensor.dtype];
    if (tensor.data.byteLength !== bytes) {
      fail(
        `"${tensor.name}" ${tensor.dtype} [${tensor.shape.join(", ")}] needs ${bytes} bytes, got ${tensor.data.byteLength}`,
      );
    }
  }
  const ordered = [...tensors].sort(
    (a, b) =>
      (DTYPE_RANK.get(b.dtype) as number) - (DTYPE_RANK.get(a.dtype) as number) ||
      compareCodePoints(a.name, b.name),
  );
  const header: Record<string, unknown> = {};
  if (metadata !== null) {
    const sorted: Record<string, string> = {};
    for (const key of Object.keys(metadata).sort(compareCodePoints)) {
      const value = metadata[key];
      if (typeof value !== "string") {
        throw new SafetensorsError("invalid-contents", `metadata "${key}" is not a string`);
      }
      sorted[key] = value;
    }
    header[METADATA_KEY] = sorted;
  }
  let offset = 0;
  for (const tensor of ordered) {
    header[tensor.name] = {
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      data_offsets: [offset, offset + tensor.data.byteLength],
    };
    offset += tensor.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SafetensorsError(
      "invalid-contents",
      `a header of ${headerLength} bytes, over the ${MAX_HEADER_BYTES} readers accept`,
    );
  }
  const prefix = new Uint8Array(8 + headerLength).fill(0x20, 8 + json.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerLength), true);
  prefix.set(json, 8);
  return [prefix, ...ordered.map((tensor) => tensor.data)];
}

/**
 * Reads a safetensors file's bytes, checking what the reference reader checks and a little
 * more: the header's length against the file, UTF-8 JSON starting with "{", every entry's
 * fields and dtype, `__metadata__` strings only, offsets contiguous from 0 with no gap or
 * overlap, each tensor's bytes equal to its elements times its dtype's size, and the last
 * tensor ending at the file's end. Nothing is allocated for the tensors: their `data` are
 * views into `bytes`. Throws SafetensorsError.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.byteLength < 8) {
    throw new SafetensorsError(
      "truncated",
      `${bytes.byteLength} bytes, fewer than the 8 of the header length`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const announced = view.getBigUint64(0, true);
  if (announced > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      "header-too-large",
      `the header announces ${announced} bytes, over the ${MAX_HEADER_BYTES} the format's readers accept`,
    );
  }
  const headerLength = Number(announced);
  if (8 + headerLength > bytes.byteLength) {
    throw new SafetensorsError(
      "truncated",
      `the header announces ${headerLength} bytes, the file has ${bytes.byteLength - 8} after the length`,
    );
  }
  const header = parseHeader(bytes.subarray(8, 8 + headerLength));
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.byteLength - dataStart;
  const entries = header.entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  const tensors = entries.map((entry): SafetensorsTensor => {
    const fail = (code: "bad-offsets" | "truncated", detail: string): never => {
      throw new SafetensorsError(code, detail, undefined, entry.name);
    };
    if (entry.end < entry.begin) {
      fail(
        "bad-offsets",
        `tensor "${entry.name}" ends (${entry.end}) before it begins (${entry.begin})`,
      );
    }
    if (entry.begin !== expected) {
      fail(
        "bad-offsets",
        entry.begin > expected
          ? `tensor "${entry.name}" begins at ${entry.begin}, leaving bytes ${expected} to ${entry.begin} to no tensor`
          : `tensor "${entry.name}" begins at ${entry.begin}, inside the tensor before it (which ends at ${expected})`,
      );
    }
    const size = elementCount(entry.shape) * SAFETENSORS_DTYPES[entry.dtype];
    if (entry.end - entry.begin !== size) {
      fail(
        "bad-offsets",
        `tensor "${entry.name}" is ${entry.dtype} [${entry.shape.join(", ")}], ${size} bytes, its offsets [${entry.begin}, ${entry.end}) hold ${entry.end - entry.begin}`,
      );
    }
    if (entry.end > dataBytes) {
      fail(
        "truncated",
        `tensor "${entry.name}" ends at byte ${entry.end} of the data, the file holds ${dataBytes}`,
      );
    }
    expected = entry.end;
    return {
      name: entry.name,
      dtype: entry.dtype,
      shape: entry.shape,
      data: bytes.subarray(dataStart + entry.begin, dataStart + entry.end),
    };
  });
  if (expected !== dataBytes) {
    throw new SafetensorsError(
      "trailing-data",
      `the tensors end at byte ${expected} of the data, ${dataBytes - expected} bytes follow`,
    );
  }
  return { metadata: header.metadata, tensors };
}

interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

function parseHeader(bytes: Uint8Array): {
  metadata: Record<string, string> | null;
  entries: HeaderEntry[];
} {
  const bad = (detail: string, tensor?: string): never => {
    throw new SafetensorsError("bad-header", detail, undefined, tensor);
  };
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    bad("the header is not valid UTF-8");
  }
  if (!text.startsWith("{")) bad(`the header does not start with "{"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    bad(`the header is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    bad("the header is not a JSON object");
  }
  let metadata: Record<string, string> | null = null;
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(value);
      continue;
    }
    const entry = value as Record<string, unknown>;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      bad(`tensor "${name}" is not an object`, name);
    }
    const extra = Object.keys(entry).filter(
      (key) => key !== "dtype" && key !== "shape" && key !== "data_offsets",
    );
    if (extra.length > 0) bad(`tensor "${name}" has unknown field "${extra[0]}"`, name);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== "string") bad(`tensor "${name}" has no dtype string`, name);
    if (!isSafetensorsDtype(dtype as string)) {
      throw new SafetensorsError(
        "bad-dtype",
        `tensor "${name}" has dtype ${JSON.stringify(dtype)}, not one of ${Object.keys(SAFETENSORS_DTYPES).join(", ")}`,
        undefined,
        name,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      bad(`tensor "${name}" has shape ${JSON.stringify(shape)}, not a list of integers >= 0`, name);
    }
    if (Number.isNaN(elementCount(shape as number[]))) {
      bad(
        `tensor "${name}" has shape [${(shape as number[]).join(", ")}]: too many elements`,
        name,
      );
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
      bad(
        `tensor "${name}" has data_offsets ${JSON.stringify(offsets)}, not [begin, end] integers >= 0`,
        name,
      );
    }
    const [begin, end] = offsets as [number, number];
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  return { metadata, entries };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SafetensorsError("bad-header", `"${METADATA_KEY}" is not an object of strings`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") {
      throw new SafetensorsError(
        "bad-header",
        `"${METADATA_KEY}" entry "${key}" is ${JSON.stringify(entry)}, not a string`,
      );
    }
    metadata[key] = entry;
  }
  return metadata;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Order by Unicode code points, which is UTF-8 byte order (Rust's String order). */
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i]?.codePointAt(0) as number) - (right[i]?.codePointAt(0) as number);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
