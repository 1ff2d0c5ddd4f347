import { countKept, hasCleanPadding, maskByteLength } from "./mask-bits.js";
import { decodeMaskRange, encodeMaskRange } from "./mask-range-coder.js";
import type { PositionIndex } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";
import { decodeRelativeIndex, encodeRelativeIndex } from "./relative-index.js";

/**
 * How a mask's bytes are stored: the plain bitset, range-coded (see mask-range-coder.ts), or
 * (pruned layers) relative indices (relative-index.ts).
 */
export type MaskEncoding = "bits" | "range" | "relative";

/**
 * A mask as its layer's header entry records it. A bitset needs nothing more (its length
 * follows from the shape, its kept count from its bits); a range-coded mask needs its kept
 * count to decode and its length to be found.
 */
export type MaskRecord =
  | { readonly encoding: "bits" }
  | { readonly encoding: "range"; readonly kept: number; readonly byteLength: number }
  | {
      readonly encoding: "relative";
      readonly bits: number;
      readonly kept: number;
      readonly byteLength: number;
    };

/** The smaller of the two encodings of a bitset (the plain bitset on a tie). */
export function encodeMask(
  bits: Uint8Array,
  weights: number,
): { readonly record: MaskRecord; readonly bytes: Uint8Array } {
  const kept = countKept(bits);
  const ranged = encodeMaskRange(bits, weights, kept);
  return ranged.length < bits.length
    ? { record: { encoding: "range", kept, byteLength: ranged.length }, bytes: ranged }
    : { record: { encoding: "bits" }, bytes: bits };
}

/** A pruned layer's mask in the index its file asks for (no choice: the index is the point). */
export function encodePositions(
  bits: Uint8Array,
  weights: number,
  index: PositionIndex,
): { readonly record: MaskRecord; readonly bytes: Uint8Array } {
  if (index.kind === "bitmap") return { record: { encoding: "bits" }, bytes: bits };
  const bytes = encodeRelativeIndex(bits, weights, index.bits);
  return {
    record: {
      encoding: "relative",
      bits: index.bits,
      kept: countKept(bits),
      byteLength: bytes.length,
    },
    bytes,
  };
}

/** Bytes the mask takes in the masks section. */
export function maskRecordBytes(record: MaskRecord, weights: number): number {
  return record.encoding === "bits" ? maskByteLength(weights) : record.byteLength;
}

/**
 * The bitset stored as `bytes`, checked: a plain bitset must have zero padding bits, a
 * range-coded one must decode to exactly its recorded kept count.
 */
export function decodeMask(
  record: MaskRecord,
  bytes: Uint8Array,
  weights: number,
  layerName: string,
): Uint8Array {
  if (record.encoding === "bits") {
    if (!hasCleanPadding(bytes, weights)) {
      throw new PemnFormatError(
        "bad-mask",
        `mask of layer "${layerName}" sets bits past its ${weights} weights`,
      );
    }
    return bytes.slice();
  }
  if (record.encoding === "relative") {
    return decodeRelativeIndex(bytes, weights, record.bits, record.kept, layerName);
  }
  const bits = decodeMaskRange(bytes, weights, record.kept);
  const actual = countKept(bits);
  if (actual !== record.kept) {
    throw new PemnFormatError(
      "bad-mask",
      `mask of layer "${layerName}" keeps ${actual} weights, the header says ${record.kept}`,
    );
  }
  return bits;
}
