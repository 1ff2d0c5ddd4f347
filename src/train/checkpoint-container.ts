import { z } from "zod";
import { crc32 } from "../checksum/crc32.js";
import { parseConfig } from "../config/parse-config.js";
import { DTYPE_BYTES, type DType, type EngineTypedArray } from "../engine/dtype.js";
import { CheckpointError } from "./checkpoint-error.js";

/**
 * The checkpoint container (docs/training.md, "Checkpoint format"):
 *   bytes 0-7    "PEMNCKPT"
 *   bytes 8-11   format version, uint32 little-endian
 *   bytes 12-15  header length H, uint32 little-endian
 *   bytes 16-19  CRC-32 of the header bytes, uint32 little-endian (version 2)
 *   bytes 20-23  zero
 *   24..24+H     header: UTF-8 JSON, padded with spaces so the data starts 8-byte aligned
 *   then         data: each tensor's raw little-endian elements at its offset (8-byte aligned)
 * The header lists every tensor (name, dtype, shape, offset, bytes, crc32 of its bytes), the
 * data length, and any other fields the caller stores (`meta`). Version 1 had no checksums;
 * it is refused.
 */
export const CHECKPOINT_MAGIC = "PEMNCKPT";
export const CHECKPOINT_FORMAT_VERSION = 2;

const PREFIX_BYTES = 24;
const ALIGNMENT = 8;

/**
 * Most tensors a checkpoint may list: a model's state and its optimizer's slots (a deep ViT or
 * ResNet has a few thousand). Each entry costs objects and a typed array however small, so
 * listing hundreds of thousands would cost GBs from a file of MBs.
 */
export const MAX_CHECKPOINT_TENSORS = 65_536;

const ARRAY_TYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
} as const;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A tensor's elements in row-major order, away from the engine. */
export interface TensorData {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: EngineTypedArray;
}

export interface CheckpointContents {
  /** Any JSON the caller keeps beside the tensors. */
  readonly meta: unknown;
  readonly tensors: ReadonlyMap<string, TensorData>;
}

const count = z.number().int().min(0);

const headerSchema = z.strictObject({
  meta: z.unknown(),
  dataBytes: count,
  tensors: z.array(
    z.strictObject({
      name: z.string().min(1),
      dtype: z.enum(Object.keys(DTYPE_BYTES) as [DType, ...DType[]]),
      shape: z.array(count),
      offset: count,
      bytes: count,
      crc32: count.max(0xffffffff),
    }),
  ),
});

type TensorRecord = z.infer<typeof headerSchema>["tensors"][number];

/** The file's bytes, as chunks to write one after another. */
export function encodeCheckpoint(contents: CheckpointContents): Uint8Array[] {
  const records: TensorRecord[] = [];
  const payloads: Uint8Array[] = [];
  let dataBytes = 0;
  for (const [name, tensor] of contents.tensors) {
    const bytes = littleEndianBytes(tensor.data);
    const expected = elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    if (bytes.byteLength !== expected) {
      throw new RangeError(
        `checkpoint tensor "${name}": ${bytes.byteLength} bytes of data for ${tensor.dtype} [${tensor.shape}]`,
      );
    }
    const offset = alignUp(dataBytes);
    records.push({
      name,
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      offset,
      bytes: expected,
      crc32: crc32(bytes),
    });
    payloads.push(new Uint8Array(offset - dataBytes), bytes);
    dataBytes = offset + expected;
  }
  const json = JSON.stringify({ meta: contents.meta, dataBytes, tensors: records });
  const unpadded = Buffer.byteLength(json, "utf8");
  const header = Buffer.from(json.padEnd(json.length + alignUp(unpadded) - unpadded, " "), "utf8");
  const prefix = new Uint8Array(PREFIX_BYTES);
  const view = new DataView(prefix.buffer);
  prefix.set(new TextEncoder().encode(CHECKPOINT_MAGIC));
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, header.byteLength, true);
  view.setUint32(16, crc32(header), true);
  return [prefix, header, ...payloads];
}

/** Reads a checkpoint's bytes; every inconsistency throws a CheckpointError naming `file`. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): CheckpointContents {
  const fail = (message: string): never => {
    throw new CheckpointError(file, message);
  };
  if (bytes.byteLength < PREFIX_BYTES)
    fail(`${bytes.byteLength} bytes is too short for a checkpoint`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== CHECKPOINT_MAGIC)
    fail(`not a pemn checkpoint (it starts with ${JSON.stringify(magic)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version === 1) {
    fail(
      "checkpoint format version 1 carries no checksums and is not read by this pemn (it reads version 2): train the run again",
    );
  }
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    fail(
      `checkpoint format version ${version} is not supported (this pemn reads version ${CHECKPOINT_FORMAT_VERSION})`,
    );
  }
  const dataStart = PREFIX_BYTES + view.getUint32(12, true);
  if (dataStart > bytes.byteLength) fail("truncated: the header runs past the end of the file");
  if (crc32(bytes.subarray(PREFIX_BYTES, dataStart)) !== view.getUint32(16, true)) {
    fail("the header's checksum does not match: the file is damaged");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, dataStart)));
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  const {
    meta,
    dataBytes,
    tensors: records,
  } = parseConfig(headerSchema, parsed, "header", (message) => new CheckpointError(file, message));
  const actualData = bytes.byteLength - dataStart;
  if (actualData !== dataBytes) {
    fail(
      actualData < dataBytes
        ? `truncated: the header announces ${dataBytes} data bytes, the file holds ${actualData}`
        : `${actualData - dataBytes} unexpected bytes after the data`,
    );
  }
  if (records.length > MAX_CHECKPOINT_TENSORS) {
    fail(
      `lists ${records.length} tensors, more than a model and its optimizer have (at most ${MAX_CHECKPOINT_TENSORS})`,
    );
  }
  checkDisjoint(records, fail);
  const tensors = new Map<string, TensorData>();
  for (const record of records) {
    if (tensors.has(record.name)) fail(`tensor "${record.name}" appears twice`);
    const expected = elementCount(record.shape) * DTYPE_BYTES[record.dtype];
    if (record.bytes !== expected) {
      fail(
        `tensor "${record.name}": ${record.bytes} bytes for ${record.dtype} [${record.shape}], expected ${expected}`,
      );
    }
    if (record.offset % ALIGNMENT !== 0 || record.offset + record.bytes > dataBytes) {
      fail(
        `tensor "${record.name}": bytes ${record.offset}..${record.offset + record.bytes} lie outside the data`,
      );
    }
    const start = dataStart + record.offset;
    if (crc32(bytes.subarray(start, start + record.bytes)) !== record.crc32) {
      fail(`tensor "${record.name}": its checksum does not match: the file is damaged`);
    }
    tensors.set(record.name, {
      dtype: record.dtype,
      shape: record.shape,
      // A copy (Buffer#slice would be a view): its own buffer, aligned for the typed array.
      data: fromLittleEndian(
        new Uint8Array(bytes.subarray(start, start + record.bytes)),
        record.dtype,
      ),
    });
  }
  return { meta, tensors };
}

/**
 * Each tensor owns its bytes: entries that overlap or share bytes would each be copied, so the
 * decoded tensors could outgrow the file without bound. Disjoint, in-bounds entries (checked
 * before anything is allocated) total at most the file's data bytes.
 */
function checkDisjoint(records: readonly TensorRecord[], fail: (message: string) => never): void {
  const ordered = records.filter((record) => record.bytes > 0).sort((a, b) => a.offset - b.offset);
  for (let index = 1; index < ordered.length; index++) {
    const previous = ordered[index - 1] as TensorRecord;
    const current = ordered[index] as TensorRecord;
    if (current.offset < previous.offset + previous.bytes) {
      fail(
        `tensors "${previous.name}" (bytes ${previous.offset}..${previous.offset + previous.bytes}) and "${current.name}" (from ${current.offset}) share bytes: each tensor must own its own`,
      );
    }
  }
}

/** The first non-finite element of a float tensor in `tensors`, or null if all are finite. */
export function firstNonFinite(
  tensors: ReadonlyMap<string, TensorData>,
): { name: string; index: number; value: number } | null {
  for (const [name, tensor] of tensors) {
    if (tensor.dtype !== "float32" && tensor.dtype !== "float64") continue;
    const data = tensor.data as Float32Array | Float64Array;
    for (let index = 0; index < data.length; index++) {
      const value = data[index] as number;
      if (!Number.isFinite(value)) return { name, index, value };
    }
  }
  return null;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, length) => product * length, 1);
}

function alignUp(offset: number): number {
  return Math.ceil(offset / ALIGNMENT) * ALIGNMENT;
}

function littleEndianBytes(array: EngineTypedArray): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return HOST_LITTLE_ENDIAN ? bytes : swapBytes(bytes.slice(), array.BYTES_PER_ELEMENT);
}

/** `bytes` must own its whole buffer, which the typed array then views. */
function fromLittleEndian(bytes: Uint8Array<ArrayBuffer>, dtype: DType): EngineTypedArray {
  if (!HOST_LITTLE_ENDIAN) swapBytes(bytes, DTYPE_BYTES[dtype]);
  return new ARRAY_TYPES[dtype](bytes.buffer);
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  if (width === 1) return bytes;
  for (let start = 0; start < bytes.length; start += width) {
    bytes.subarray(start, start + width).reverse();
  }
  return bytes;
}
