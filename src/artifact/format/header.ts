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
import type { NormDtype, ValueReference } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { checkTableNames } from "./table-names.js";
import { addMaskedWeights, checkedElementCount } from "./tensor-shape.js";

/** A masked layer as the header describes it; its mask bytes follow in the masks section. */
export interface LayerEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: ValueReference;
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
/** The norm entry's dtype byte; the position in the list is the code. */
const DTYPE_CODES = ["fp32", "fp16"] as const satisfies readonly NormDtype[];

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
        (mask.encoding === "range" ? RANGE_CODED_FLAG : 0),
    );
    if (values.kind === "stored") {
      out.varint(values.start);
      out.varint(values.length);
    }
    if (mask.encoding === "range") {
      out.varint(mask.kept);
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
    if ((flags & ~(STORED_VALUES_FLAG | RANGE_CODED_FLAG)) !== 0) {
      throw new PemnFormatError("bad-header", `${what} has unknown flags 0x${flags.toString(16)}`);
    }
    const values: ValueReference =
      flags & STORED_VALUES_FLAG
        ? {
            kind: "stored",
            start: reader.varint(`${what}: stored values start`),
            length: reader.varint(`${what}: stored values length`),
          }
        : { kind: "seed" };
    const mask: MaskRecord =
      flags & RANGE_CODED_FLAG
        ? {
            encoding: "range",
            kept: reader.varint(`${what}: kept count`),
            byteLength: reader.varint(`${what}: mask length`),
          }
        : { encoding: "bits" };
    if (mask.encoding === "range" && mask.kept > weights) {
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
