import {
  flattenedSize,
  type MaskedLayerSpec,
  maxLayerIndex,
  shapeKey,
  validateMaskedLayers,
} from "./layer-spec.js";
import { rpPrototypeLength } from "./prototype-length.js";
import type { WeightStrategy } from "./strategy.js";

export interface WeightCounts {
  /** Sum of d_l over the masked layers: the weights a mask covers, one bit each. */
  readonly maskedWeights: number;
  /** Distinct stored values the strategy needs (what PEMN's storage figure counts). */
  readonly uniqueValues: number;
}

/** The figures of a plan, without generating any values. */
export function countWeights(
  strategy: WeightStrategy,
  maskedLayers: readonly MaskedLayerSpec[],
): WeightCounts {
  const layers = validateMaskedLayers(maskedLayers);
  const sizes = layers.map((layer) => flattenedSize(layer.shape));
  const maskedWeights = sizes.reduce((sum, size) => sum + size, 0);
  const largest = sizes[maxLayerIndex(layers)] as number;
  switch (strategy.kind) {
    case "dense":
    case "mask":
    // A pruned network's values are trained, like dense ones; what it keeps is its mask's.
    case "pruned":
    // Quantized baselines store every weight too, in fewer bits (their file says how many).
    case "quantized":
    case "binary":
      return { maskedWeights, uniqueValues: maskedWeights };
    case "one-layer": {
      // Equal shapes have equal sizes, so one entry per shape counts each prototype once.
      const sizeByShape = new Map<string, number>();
      layers.forEach((layer, index) => {
        sizeByShape.set(shapeKey(layer.shape), sizes[index] as number);
      });
      let uniqueValues = 0;
      for (const size of sizeByShape.values()) uniqueValues += size;
      return { maskedWeights, uniqueValues };
    }
    case "mp":
      return { maskedWeights, uniqueValues: largest };
    case "rp":
      return { maskedWeights, uniqueValues: rpPrototypeLength(largest, strategy.ratio) };
  }
}
