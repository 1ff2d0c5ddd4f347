import { packMask } from "../artifact/format/index.js";
import { tensor, tidy, topKMasks } from "../engine/index.js";

/**
 * Each layer's mask by pemn's top-k rule (engine/top-k-masks.ts: the `kept[i]` largest |score|
 * entries, ties taken in flat index order), as a `.pemn` bitset. One layer at a time, so that
 * only one layer's tensors are held.
 */
export function supermaskMasks(
  layers: readonly { readonly shape: readonly number[]; readonly scores: Float32Array }[],
  kept: readonly number[],
): Uint8Array[] {
  return layers.map((layer, index) =>
    tidy(() => {
      const [mask] = topKMasks([tensor(layer.scores, layer.shape).abs()], [kept[index] as number]);
      return packMask(mask?.toArray<"float32">() ?? []);
    }),
  );
}
