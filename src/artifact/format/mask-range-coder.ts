import { ByteWriter } from "./byte-writer.js";
import { maskByteLength } from "./mask-bits.js";
import { PemnFormatError } from "./pemn-format-error.js";

/**
 * A binary range coder (LZMA's carry-propagating design) for masks, with one fixed probability
 * per layer derived from its kept count: a mask of n weights with m kept costs about
 * n * H(m / n) bits plus four bytes, instead of n bits. See docs/format.md, "Range-coded masks".
 */

const PROBABILITY_BITS = 16;
const PROBABILITY_ONE = 2 ** PROBABILITY_BITS;
/** The coder keeps its range in [2^24, 2^32): one byte moves out whenever it drops below. */
const RANGE_FLOOR = 2 ** 24;
const TWO_POW_32 = 2 ** 32;
/** Bytes the decoder reads before the first bit (the encoder's leading zero byte is dropped). */
const PRIMING_BYTES = 4;

/**
 * The probability of a kept weight, in units of 2^-16: round(m * 2^16 / n), clamped to
 * [1, 2^16 - 1]. Only for 0 < m < n (otherwise the count alone decides every bit).
 */
export function keptProbability(weights: number, kept: number): number {
  // Exact: the numerator stays below 2^53, and the quotient (at most 2^16 + 1/2) is never
  // within 2^-32 of the next integer, so floating-point division cannot round across it.
  const rounded = Math.floor((2 * kept * PROBABILITY_ONE + weights) / (2 * weights));
  return Math.min(PROBABILITY_ONE - 1, Math.max(1, rounded));
}

/** The range-coded stream of a mask bitset over `weights` weights with `kept` of them set. */
export function encodeMaskRange(bits: Uint8Array, weights: number, kept: number): Uint8Array {
  const out = new ByteWriter();
  if (kept === 0 || kept === weights) return out.finish();
  const dropProbability = PROBABILITY_ONE - keptProbability(weights, kept);
  let low = 0; // below 2^33: bit 32 is a carry into bytes not yet written
  let range = TWO_POW_32 - 1;
  // The byte below `low`, followed by `pendingBytes - 1` bytes of 0xff, all waiting for a carry.
  let cache = 0;
  let pendingBytes = 1;
  let leadingByte = true;
  const shiftLow = (): void => {
    if (low < 0xff000000 || low >= TWO_POW_32) {
      const carry = low >= TWO_POW_32 ? 1 : 0;
      let byte = cache;
      for (; pendingBytes > 0; pendingBytes--) {
        // The very first byte is always zero (the interval starts inside [0, 2^32)): not stored.
        if (leadingByte) leadingByte = false;
        else out.byte((byte + carry) & 0xff);
        byte = 0xff;
      }
      cache = Math.floor(low / RANGE_FLOOR) & 0xff;
    }
    pendingBytes++;
    low = (low % RANGE_FLOOR) * 256;
  };
  for (let i = 0; i < weights; i++) {
    const bound = Math.floor((range * dropProbability) / PROBABILITY_ONE);
    if ((((bits[i >>> 3] as number) >>> (i & 7)) & 1) === 0) {
      range = bound;
    } else {
      low += bound;
      range -= bound;
    }
    while (range < RANGE_FLOOR) {
      range *= 256;
      shiftLow();
    }
  }
  for (let i = 0; i <= PRIMING_BYTES; i++) shiftLow();
  return out.finish();
}

/**
 * The mask bitset coded in `stream`. Throws PemnFormatError("bad-mask") if the stream ends
 * early or holds bytes the decoder never reads; the caller checks the kept count.
 */
export function decodeMaskRange(stream: Uint8Array, weights: number, kept: number): Uint8Array {
  const bits = new Uint8Array(maskByteLength(weights));
  if (kept === 0 || kept === weights) {
    if (stream.length !== 0) {
      throw new PemnFormatError(
        "bad-mask",
        `a range-coded mask keeping ${kept} of ${weights} weights is empty, got ${stream.length} bytes`,
      );
    }
    if (kept === weights) fillKept(bits, weights);
    return bits;
  }
  if (stream.length < PRIMING_BYTES) {
    throw new PemnFormatError(
      "bad-mask",
      `range-coded mask of ${stream.length} bytes, needs at least 4`,
    );
  }
  const dropProbability = PROBABILITY_ONE - keptProbability(weights, kept);
  let code =
    (((stream[0] as number) << 24) |
      ((stream[1] as number) << 16) |
      ((stream[2] as number) << 8) |
      (stream[3] as number)) >>>
    0;
  let position = PRIMING_BYTES;
  let range = TWO_POW_32 - 1;
  for (let i = 0; i < weights; i++) {
    const bound = Math.floor((range * dropProbability) / PROBABILITY_ONE);
    if (code < bound) {
      range = bound;
    } else {
      code -= bound;
      range -= bound;
      bits[i >>> 3] = (bits[i >>> 3] as number) | (1 << (i & 7));
    }
    while (range < RANGE_FLOOR) {
      if (position === stream.length) {
        throw new PemnFormatError(
          "bad-mask",
          `range-coded mask ends after ${stream.length} bytes, at weight ${i} of ${weights}`,
        );
      }
      range *= 256;
      code = (code * 256 + (stream[position++] as number)) >>> 0;
    }
  }
  if (position !== stream.length) {
    throw new PemnFormatError(
      "bad-mask",
      `range-coded mask has ${stream.length - position} bytes after its last weight`,
    );
  }
  return bits;
}

function fillKept(bits: Uint8Array, weights: number): void {
  bits.fill(0xff);
  if (weights & 7) bits[bits.length - 1] = (1 << (weights & 7)) - 1;
}
