import { onesLike, type Tensor, tidy, zerosLike } from "../engine/index.js";

/** How many of n weights a layer keeps for keep fraction k: exactly round(k * n). */
export function keptCount(size: number, keepFraction: number): number {
  return Math.round(keepFraction * size);
}

/**
 * A float mask with ones at the `count` largest entries of `ranked` (any shape) and zeros
 * elsewhere. Selection, not a sort: the threshold is the smallest of an unsorted top-k
 * (measured 0.55 ms for 65,536 scores, against 1.0 ms for kthvalue and 6 ms for a sort).
 * Among entries equal to the threshold the lowest flat indices win, so ties are broken
 * deterministically and exactly `count` entries are kept.
 */
export function topKMask(ranked: Tensor, count: number): Tensor {
  const size = ranked.size;
  if (!Number.isInteger(count) || count < 0 || count > size) {
    throw new RangeError(`cannot keep ${count} of ${size} entries`);
  }
  return tidy(() => {
    if (count === 0) return zerosLike(ranked.detach());
    if (count === size) return onesLike(ranked.detach());
    const flat = ranked.detach().reshape(-1);
    const threshold = flat.topk(count, { sorted: false }).values.min();
    const atLeast = flat.ge(threshold);
    const surplus = atLeast.countNonzero().item() - count;
    if (surplus === 0) return atLeast.to(ranked.dtype).reshape(...ranked.shape);
    // Ties at the threshold: keep everything above it, then the first tied entries.
    const above = flat.gt(threshold);
    const atThreshold = flat.eq(threshold);
    const tiesWanted = count - above.countNonzero().item();
    const chosenTies = atThreshold.mul(atThreshold.cumsum(0, "int64").le(tiesWanted));
    return above
      .add(chosenTies)
      .to(ranked.dtype)
      .reshape(...ranked.shape);
  });
}
