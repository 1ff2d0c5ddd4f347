import { readContainer } from "./container.js";
import { PEMN_FORMAT_VERSION, PREAMBLE_BYTES, TRAILER_BYTES } from "./format-spec.js";
import { decodeHeader } from "./header.js";
import type { JsonObject } from "./json-value.js";
import { countKept } from "./mask-bits.js";
import type { MaskEncoding } from "./mask-encoding.js";
import type { DatasetRecord, GeneratorRecord, NormDtype, ValueRecord } from "./pemn-contents.js";
import { layOutSections } from "./section-layout.js";

const EMPTY_TABLE_BYTES = 1;

/** Byte cost of each part of a file; together they are its length. */
export interface PemnPartBytes {
  /** Magic, version, section table, closing checksum. */
  readonly framing: number;
  /** JSON (model, strategy, generator) and the layer and norm tables. */
  readonly header: number;
  /** Stored float32 values (0 when every layer is seeded), and quantized layers' scales and levels. */
  readonly values: number;
  readonly masks: number;
  /** Norm parameters and running statistics. */
  readonly norms: number;
}

export interface LayerDescription {
  readonly name: string;
  readonly shape: readonly number[];
  readonly weights: number;
  readonly kept: number;
  /** kept / weights: the fraction the mask actually keeps. */
  readonly keepFraction: number;
  readonly values: ValueRecord;
  /** A quantized layer's bytes in the values section (its scales and levels), else 0. */
  readonly valueBytes: number;
  readonly encoding: MaskEncoding;
  /** Where the mask's bytes start in the file. */
  readonly offset: number;
  readonly bytes: number;
  readonly bitsPerWeight: number;
}

export interface NormDescription {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: NormDtype;
  readonly offset: number;
  readonly bytes: number;
}

export interface PemnDescription {
  readonly formatVersion: number;
  readonly model: JsonObject;
  readonly strategy: JsonObject;
  readonly generator: GeneratorRecord;
  /** The training data's record, when the file has one. */
  readonly dataset?: DatasetRecord;
  readonly totalBytes: number;
  readonly parts: PemnPartBytes;
  /** The file's length without its norm tensors (their data and their header entries). */
  readonly bytesWithoutNorms: number;
  readonly maskedWeights: number;
  readonly storedValueCount: number;
  readonly normElements: number;
  /** Bits of the whole file per masked weight (NaN without masked layers). */
  readonly bitsPerMaskedWeight: number;
  /** Bits per masked weight of the file without its norm tensors. */
  readonly bitsPerMaskedWeightWithoutNorms: number;
  readonly layers: readonly LayerDescription[];
  readonly norms: readonly NormDescription[];
}

/**
 * What a `.pemn` file holds and what each part costs, for `pemn inspect`. Checks the file as
 * decodePemn does, except that masks are not decoded (or checked).
 */
export function describePemn(bytes: Uint8Array): PemnDescription {
  const sections = readContainer(bytes);
  const header = decodeHeader(sections.header.bytes);
  const layout = layOutSections(header, sections);
  const parts: PemnPartBytes = {
    framing: PREAMBLE_BYTES + TRAILER_BYTES,
    header: sections.header.bytes.length,
    values: sections.values.bytes.length,
    masks: sections.masks.bytes.length,
    norms: sections.norms.bytes.length,
  };
  const totalBytes = bytes.length;
  // Without norm tensors, the norm table shrinks to its count: one zero byte.
  const bytesWithoutNorms = totalBytes - parts.norms - header.normTableBytes + EMPTY_TABLE_BYTES;
  const maskedWeights = layout.layers.reduce((sum, layer) => sum + layer.elements, 0);
  const bitsPer = (byteCount: number): number =>
    maskedWeights === 0 ? Number.NaN : (8 * byteCount) / maskedWeights;
  return {
    formatVersion: PEMN_FORMAT_VERSION,
    model: header.model,
    strategy: header.strategy,
    generator: header.generator,
    ...(header.dataset === undefined ? {} : { dataset: header.dataset }),
    totalBytes,
    parts,
    bytesWithoutNorms,
    maskedWeights,
    storedValueCount: layout.storedValueCount,
    normElements: layout.norms.reduce((sum, norm) => sum + norm.elements, 0),
    bitsPerMaskedWeight: bitsPer(totalBytes),
    bitsPerMaskedWeightWithoutNorms: bitsPer(bytesWithoutNorms),
    layers: layout.layers.map(({ entry, elements, offset, bytes: maskBytes, values }) => {
      // A bitset records no count: its set bits are the count.
      const kept = entry.mask.encoding === "bits" ? countKept(maskBytes) : entry.mask.kept;
      return {
        name: entry.name,
        shape: entry.shape,
        weights: elements,
        kept,
        keepFraction: kept / elements,
        values: entry.values,
        valueBytes: values.bytes.length,
        encoding: entry.mask.encoding,
        offset,
        bytes: maskBytes.length,
        bitsPerWeight: (8 * maskBytes.length) / elements,
      };
    }),
    norms: layout.norms.map(({ entry, offset, bytes: normBytes }) => ({
      name: entry.name,
      shape: entry.shape,
      dtype: entry.dtype,
      offset,
      bytes: normBytes.length,
    })),
  };
}
