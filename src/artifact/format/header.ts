import { ByteWriter } from "./byte-writer.js";
import {
  nameFromUtf8,
  nameToUtf8,
  readFrontCodedName,
  writeFrontCodedName,
} from "./front-coded-name.js";
import { decodeHeaderJson, encodeHeaderJson, type HeaderJson } from "./header-json.js";
import { HeaderReader } from "./header-reader.js";
import type { MaskRecord } from "./mask-encoding.js";
import {
  NORM_DTYPES,
  type NormDtype,
  type PositionIndex,
  type ValueRecord,
} from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { MAX_QUANTIZED_BITS, MIN_QUANTIZED_BITS } from "./quantized-values.js";
import { MAX_RELATIVE_INDEX_BITS } from "./relative-index.js";
import { checkTableNames } from "./table-names.js";
import { addMaskedWeights, checkedElementCount } from "./tensor-shape.js";

/** A masked layer as the header describes it; its mask bytes follow in the masks section. */
export interface LayerEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: ValueRecord;
  readonly mask: MaskRecord;
}

/** A norm tensor as the header describes it; its bytes follow in the norms section. */
export interface NormEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: NormDtype;
}

export interface PemnHeader extends HeaderJson {
  readonly layers: readonly LayerEntry[];
  readonly norms: readonly NormEntry[];
}

export interface DecodedHeader extends PemnHeader {
  /** Bytes of the norm table (count and entries), for sizing a file without norm tensors. */
  readonly normTableBytes: number;
}

/** A layer entry's flags byte: which optional fields follow; other bits must be zero. */
const STORED_VALUES_FLAG = 0b01;
const RANGE_CODED_FLAG = 0b10;
/**
 * Quantized values (u8 width, BF16_SCALES_BIT set for bfloat16 scales): its scales and levels
 * in the values section, after the floats.
 */
const QUANTIZED_VALUES_FLAG = 0b100;
/** In a quantized layer's width byte: its scales are bfloat16 (else float32). */
const BF16_SCALES_BIT = 0x80;
/** A pruned layer: kept values stored (start, length = kept count), dropped ones 0. */
const KEPT_VALUES_FLAG = 0b1_0000;
/** With KEPT_VALUES_FLAG: positions as relative indices (u8 width, varint byte length). */
const RELATIVE_INDEX_FLAG = 0b10_0000;
const KNOWN_FLAGS =
  STORED_VALUES_FLAG |
  RANGE_CODED_FLAG |
  QUANTIZED_VALUES_FLAG |
  KEPT_VALUES_FLAG |
  RELATIVE_INDEX_FLAG;
/** The norm entry's dtype byte; the position in the list is the code. */
const DTYPE_CODES = NORM_DTYPES;

export function encodeHeader(header: PemnHeader): Uint8Array {
  const out = new ByteWriter();
  const json = encodeHeaderJson(header);
  out.varint(json.length);
  out.bytes(json);
  out.varint(header.layers.length);
  let previous: Uint8Array = new Uint8Array(0);
  for (const layer of header.layers) {
    const name = nameToUtf8(layer.name);
    writeFrontCodedName(out, name, previous);
    previous = name;
    writeShape(out, layer.shape);
    const { values, mask } = layer;
    out.byte(
      (values.kind === "stored" ? STORED_VALUES_FLAG : 0) |
        (mask.encoding === "range" ? RANGE_CODED_FLAG : 0) |
        (values.kind === "quantized" ? QUANTIZED_VALUES_FLAG : 0) |
        (values.kind === "kept" ? KEPT_VALUES_FLAG : 0) |
        (mask.encoding === "relative" ? RELATIVE_INDEX_FLAG : 0),
    );
    if (values.kind === "stored" || values.kind === "kept") {
      out.varint(values.start);
      out.varint(values.length);
    }
    if (values.kind === "quantized") {
      out.byte(values.bits | (values.scaleDtype === "bf16" ? BF16_SCALES_BIT : 0));
    }
    if (mask.encoding === "range") {
      out.varint(mask.kept);
      out.varint(mask.byteLength);
    }
    if (mask.encoding === "relative") {
      out.byte(mask.bits);
      out.varint(mask.byteLength);
    }
  }
  out.varint(header.norms.length);
  previous = new Uint8Array(0);
  for (const norm of header.norms) {
    const name = nameToUtf8(norm.name);
    writeFrontCodedName(out, name, previous);
    previous = name;
    writeShape(out, norm.shape);
    out.byte(DTYPE_CODES.indexOf(norm.dtype));
  }
  return out.finish();
}

/**
 * The header section, checked on its own: syntax, flags, names, shapes, limits, kept counts.
 * Whether the other sections fit it is section-layout.ts's concern.
 */
export function decodeHeader(bytes: Uint8Array): DecodedHeader {
  const reader = new HeaderReader(bytes);
  const json = decodeHeaderJson(reader.bytes(reader.varint("JSON length"), "the JSON"));
  const layers: LayerEntry[] = [];
  const layerCount = reader.varint("layer count");
  let previous: Uint8Array = new Uint8Array(0);
  let maskedWeights = 0;
  for (let index = 0; index < layerCount; index++) {
    const what = `masked layer ${index}`;
    previous = readFrontCodedName(reader, previous, what);
    const name = nameFromUtf8(previous, what);
    const shape = readShape(reader, what);
    const weights = checkedElementCount(shape, `masked layer "${name}"`, "bad-header");
    maskedWeights = addMaskedWeights(maskedWeights, weights, name);
    const flags = reader.byte(`${what}: flags`);
    checkFlags(flags, what);
    const { values, mask } =
      flags & KEPT_VALUES_FLAG
        ? readPrunedLayer(reader, flags, what)
        : readMaskedLayer(reader, flags, what);
    if ((mask.encoding === "range" || mask.encoding === "relative") && mask.kept > weights) {
      throw new PemnFormatError(
        "bad-header",
        `masked layer "${name}" keeps ${mask.kept} of ${weights} weights`,
      );
    }
    layers.push({ name, shape, values, mask });
  }
  const norms: NormEntry[] = [];
  const normTableStart = reader.position;
  const normCount = reader.varint("norm tensor count");
  previous = new Uint8Array(0);
  for (let index = 0; index < normCount; index++) {
    const what = `norm tensor ${index}`;
    previous = readFrontCodedName(reader, previous, what);
    const name = nameFromUtf8(previous, what);
    const shape = readShape(reader, what);
    checkedElementCount(shape, `norm tensor "${name}"`, "bad-header");
    norms.push({ name, shape, dtype: readDtype(reader, what) });
  }
  if (reader.remaining !== 0) {
    throw new PemnFormatError("bad-header", `${reader.remaining} bytes after the norm table`);
  }
  checkTableNames(
    layers.map((layer) => layer.name),
    "masked layer table",
    "bad-header",
  );
  checkTableNames(
    norms.map((norm) => norm.name),
    "norm tensor table",
    "bad-header",
  );
  return { ...json, layers, norms, normTableBytes: reader.position - normTableStart };
}

function checkFlags(flags: number, what: string): void {
  const unknown = (flags & ~KNOWN_FLAGS) !== 0;
  const kept = (flags & KEPT_VALUES_FLAG) !== 0;
  // A pruned layer's values are its own kept ones, its positions a bitset or relative indices;
  // a quantized layer's values are its own levels, neither stored floats nor kept ones.
  const mixed =
    (kept && (flags & (STORED_VALUES_FLAG | RANGE_CODED_FLAG | QUANTIZED_VALUES_FLAG)) !== 0) ||
    (flags & (STORED_VALUES_FLAG | QUANTIZED_VALUES_FLAG)) ===
      (STORED_VALUES_FLAG | QUANTIZED_VALUES_FLAG);
  const relativeWithoutKept = !kept && (flags & RELATIVE_INDEX_FLAG) !== 0;
  if (unknown || mixed || relativeWithoutKept) {
    throw new PemnFormatError(
      "bad-header",
      `${what} has ${unknown ? "unknown" : "contradictory"} flags 0x${flags.toString(16)}`,
    );
  }
}

function readMaskedLayer(
  reader: HeaderReader,
  flags: number,
  what: string,
): { values: ValueRecord; mask: MaskRecord } {
  const values: ValueRecord =
    flags & STORED_VALUES_FLAG
      ? {
          kind: "stored",
          start: reader.varint(`${what}: stored values start`),
          length: reader.varint(`${what}: stored values length`),
        }
      : flags & QUANTIZED_VALUES_FLAG
        ? readQuantizedRecord(reader, what)
        : { kind: "seed" };
  const mask: MaskRecord =
    flags & RANGE_CODED_FLAG
      ? {
          encoding: "range",
          kept: reader.varint(`${what}: kept count`),
          byteLength: reader.varint(`${what}: mask length`),
        }
      : { encoding: "bits" };
  return { values, mask };
}

function readQuantizedRecord(reader: HeaderReader, what: string): ValueRecord {
  const byte = reader.byte(`${what}: quantized width`);
  const bits = byte & ~BF16_SCALES_BIT;
  if (bits < MIN_QUANTIZED_BITS || bits > MAX_QUANTIZED_BITS) {
    throw new PemnFormatError(
      "bad-header",
      `${what}: quantized width ${bits} is not in [${MIN_QUANTIZED_BITS}, ${MAX_QUANTIZED_BITS}]`,
    );
  }
  return { kind: "quantized", bits, scaleDtype: byte & BF16_SCALES_BIT ? "bf16" : "fp32" };
}

function readPrunedLayer(
  reader: HeaderReader,
  flags: number,
  what: string,
): { values: ValueRecord; mask: MaskRecord } {
  const start = reader.varint(`${what}: kept values start`);
  const length = reader.varint(`${what}: kept values length`);
  if (!(flags & RELATIVE_INDEX_FLAG)) {
    return {
      values: { kind: "kept", start, length, index: { kind: "bitmap" } },
      mask: { encoding: "bits" },
    };
  }
  const bits = reader.byte(`${what}: relative index width`);
  if (bits < 1 || bits > MAX_RELATIVE_INDEX_BITS) {
    throw new PemnFormatError(
      "bad-header",
      `${what}: relative index width ${bits} is not in [1, ${MAX_RELATIVE_INDEX_BITS}]`,
    );
  }
  const byteLength = reader.varint(`${what}: relative index length`);
  const index: PositionIndex = { kind: "relative", bits };
  return {
    values: { kind: "kept", start, length, index },
    mask: { encoding: "relative", bits, kept: length, byteLength },
  };
}

function writeShape(out: ByteWriter, shape: readonly number[]): void {
  out.byte(shape.length);
  for (const dimension of shape) out.varint(dimension);
}

function readShape(reader: HeaderReader, what: string): number[] {
  // At most 255 dimensions are read; checkedElementCount then enforces maxRank.
  const rank = reader.byte(`${what}: rank`);
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) shape.push(reader.varint(`${what}: dimension ${axis}`));
  return shape;
}

function readDtype(reader: HeaderReader, what: string): NormDtype {
  const code = reader.byte(`${what}: dtype`);
  const dtype = DTYPE_CODES[code];
  if (dtype === undefined) {
    throw new PemnFormatError("bad-header", `${what}: dtype has unknown code ${code}`);
  }
  return dtype;
}
