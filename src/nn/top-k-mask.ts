import { onesLike, type Tensor, tidy, zerosLike } from "../engine/index.js";

/** How many of n weights a layer keeps for keep fraction k: exactly round(k * n). */
export function keptCount(size: number, keepFraction: number): number {
  return Math.round(keepFraction * size);
}

/**
 * A float mask with ones at the `count` largest entries of `ranked` (any shape) and zeros
 * elsewhere. Selection, not a sort: the threshold comes from kthvalue, and among entries
 * equal to the threshold the lowest flat indices win, so ties are broken deterministically.
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
    // The count-th largest value is the (size - count + 1)-th smallest.
    const threshold = flat.kthvalue(size - count + 1).values;
    const above = flat.gt(threshold);
    const missing = count - above.countNonzero().item();
    const atThreshold = flat.eq(threshold);
    const chosenTies = atThreshold.mul(atThreshold.cumsum(0, "int64").le(missing));
    return above
      .add(chosenTies)
      .to(ranked.dtype)
      .reshape(...ranked.shape);
  });
}
