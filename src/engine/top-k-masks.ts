import { native } from "./native.js";
import { type Tensor, wrap } from "./tensor.js";

/**
 * For each float tensor, a 0/1 tensor of its shape and dtype marking its `counts[i]` largest
 * entries; entries equal to the threshold are taken in flat index order, so exactly
 * counts[i] are marked. One call for many tensors: on the CPU the addon selects by radix (no
 * sort) in parallel across them; on a GPU it sorts each stably on the device, which marks the
 * same entries. `method: "sort"` takes the device's way on the CPU too (tests compare them).
 * The masks carry no gradient.
 */
export function topKMasks(
  tensors: readonly Tensor[],
  counts: readonly number[],
  options: { method?: "auto" | "sort" } = {},
): Tensor[] {
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
      options.method ?? "auto",
    )
    .map(wrap);
}
