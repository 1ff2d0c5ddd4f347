/**
 * Masks as bitsets: bit i is weight i of the layer's row-major flat order, stored in byte
 * i >> 3 at bit i & 7 (LSB first); 1 = kept. Bits past the last weight are zero.
 */

const POPULATION_COUNT = (() => {
  const table = new Uint8Array(256);
  for (let byte = 1; byte < 256; byte++) table[byte] = (byte & 1) + (table[byte >>> 1] as number);
  return table;
})();

/** Bytes of the bitset of a mask over `weights` weights. */
export function maskByteLength(weights: number): number {
  return Math.ceil(weights / 8);
}

/** The bitset of a 0/1 (or boolean) mask: any truthy or nonzero entry is a kept weight. */
export function packMask(flags: ArrayLike<number | boolean>): Uint8Array {
  const bits = new Uint8Array(maskByteLength(flags.length));
  for (let i = 0; i < flags.length; i++) {
    if (flags[i]) bits[i >>> 3] = (bits[i >>> 3] as number) | (1 << (i & 7));
  }
  return bits;
}

/** The mask as one byte per weight, 1 for kept, 0 for dropped. */
export function unpackMask(bits: Uint8Array, weights: number): Uint8Array {
  const flags = new Uint8Array(weights);
  for (let i = 0; i < weights; i++) flags[i] = ((bits[i >>> 3] as number) >>> (i & 7)) & 1;
  return flags;
}

/** Number of kept weights (set bits). */
export function countKept(bits: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < bits.length; i++) count += POPULATION_COUNT[bits[i] as number] as number;
  return count;
}

/** Whether the bits past the last of `weights` weights (in the final byte) are all zero. */
export function hasCleanPadding(bits: Uint8Array, weights: number): boolean {
  const used = weights & 7;
  if (used === 0 || bits.length === 0) return true;
  return (bits[bits.length - 1] as number) >>> used === 0;
}
