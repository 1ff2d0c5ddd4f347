import { native } from "./native.js";
import { type Tensor, wrap } from "./tensor.js";

/**
 * For each float tensor, a 0/1 tensor of its shape and dtype marking its `counts[i]` largest
 * entries; entries equal to the threshold are taken in flat index order, so exactly
 * counts[i] are marked. One call for many tensors: the addon selects (nth_element, not a
 * sort) in parallel across them. The masks carry no gradient.
 */
export function topKMasks(tensors: readonly Tensor[], counts: readonly number[]): Tensor[] {
  for (const [i, count] of counts.entries()) {
    const size = tensors[i]?.size ?? 0;
    if (!Number.isInteger(count) || count < 0 || count > size) {
      throw new RangeError(`cannot keep ${count} of ${size} entries`);
    }
  }
  return native()
    .topKMasks(
      tensors.map((t) => t.handle),
      [...counts],
    )
    .map(wrap);
}
