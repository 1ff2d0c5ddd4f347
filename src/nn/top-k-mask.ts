import { type Tensor, topkMasks } from "../engine/index.js";

/** How many of n weights a layer keeps for keep fraction k: exactly round(k * n). */
export function keptCount(size: number, keepFraction: number): number {
  return Math.round(keepFraction * size);
}

/**
 * A float mask with ones at the `count` largest entries of `ranked` (any shape) and zeros
 * elsewhere; ties at the threshold go to the lowest flat indices, so exactly `count` are
 * kept. A selection, not a sort (engine's topkMasks).
 */
export function topKMask(ranked: Tensor, count: number): Tensor {
  const size = ranked.size;
  if (!Number.isInteger(count) || count < 0 || count > size) {
    throw new RangeError(`cannot keep ${count} of ${size} entries`);
  }
  return topkMasks([ranked], [count])[0] as Tensor;
}
