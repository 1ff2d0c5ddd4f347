import { maskByteLength } from "./mask-bits.js";
import { PemnFormatError } from "./pemn-format-error.js";

/*
 * A pruned layer's positions as relative indices of `bits` bits (Deep Compression's scheme,
 * docs/format.md "Relative index"): for each kept weight, in order, the number of dropped
 * weights since the previous kept one (or the layer's start), as an entry below 2^bits - 1;
 * a longer gap first takes filler entries of code 2^bits - 1, each skipping that many weights.
 * Entries are packed LSB first into a bitstream (bit k is bit k & 7 of byte k >> 3), the last
 * byte's unused bits zero. Dropped weights after the last kept one need no entry.
 */

/** Largest entry width: entries are read as JavaScript numbers, exact to 2^53. */
export const MAX_RELATIVE_INDEX_BITS = 32;

/** The relative index of a bitset over `weights` weights. */
export function encodeRelativeIndex(mask: Uint8Array, weights: number, bits: number): Uint8Array {
  const filler = 2 ** bits - 1;
  const entries: number[] = [];
  let gap = 0;
  for (let i = 0; i < weights; i++) {
    if ((((mask[i >>> 3] as number) >>> (i & 7)) & 1) === 0) {
      gap++;
      continue;
    }
    for (; gap >= filler; gap -= filler) entries.push(filler);
    entries.push(gap);
    gap = 0;
  }
  const out = new Uint8Array(Math.ceil((entries.length * bits) / 8));
  let position = 0;
  for (const entry of entries) {
    for (let bit = 0; bit < bits; bit++, position++) {
      if (Math.floor(entry / 2 ** bit) % 2 === 1) {
        out[position >>> 3] = (out[position >>> 3] as number) | (1 << (position & 7));
      }
    }
  }
  return out;
}

/**
 * The bitset a relative index stands for. It must place exactly `kept` weights inside the
 * layer, using every byte and no more, with zero padding bits; else "bad-mask".
 */
export function decodeRelativeIndex(
  bytes: Uint8Array,
  weights: number,
  bits: number,
  kept: number,
  layerName: string,
): Uint8Array {
  const bad = (detail: string): never => {
    throw new PemnFormatError("bad-mask", `relative index of layer "${layerName}" ${detail}`);
  };
  const filler = 2 ** bits - 1;
  const available = 8 * bytes.length;
  const mask = new Uint8Array(maskByteLength(weights));
  let position = 0;
  let weight = 0;
  for (let placed = 0; placed < kept; ) {
    if (position + bits > available) bad(`ends after ${placed} of its ${kept} kept weights`);
    let entry = 0;
    for (let bit = 0; bit < bits; bit++, position++) {
      entry += (((bytes[position >>> 3] as number) >>> (position & 7)) & 1) * 2 ** bit;
    }
    weight += entry;
    if (entry === filler) continue;
    if (weight >= weights) bad(`places a weight at ${weight}, past its ${weights} weights`);
    mask[weight >>> 3] = (mask[weight >>> 3] as number) | (1 << (weight & 7));
    weight++;
    placed++;
  }
  if (Math.ceil(position / 8) !== bytes.length) {
    bad(`has ${bytes.length - Math.ceil(position / 8)} bytes left over`);
  }
  if (position % 8 !== 0 && (bytes[bytes.length - 1] as number) >>> (position % 8) !== 0) {
    bad("sets padding bits");
  }
  return mask;
}
