import type { PlannedLayer, WeightPlan } from "../weights/index.js";

/** A stored slice: the first `length` fixed values of layer `owner`. */
export interface StoredSlice {
  readonly owner: string;
  readonly length: number;
}

/**
 * For each layer of the plan, the shortest slice whose tiling (storedLayerValues) gives its
 * values, so that layers sharing values share one slice: one-layer copies take the first
 * layer of their shape; MP and RP with order "rand" take the largest layer (its values are
 * the shared vector every layer takes a prefix of); RP with order "copy" takes the largest
 * layer's first u values (the prototype). Layers rescaled to their own fan-in have values of
 * their own, and so does every layer of `mask` and `dense`.
 */
export function storedSlices(plan: WeightPlan): StoredSlice[] {
  const sizes = new Map(plan.layers.map((layer) => [layer.name, layer.size]));
  return plan.layers.map((layer) => storedSlice(layer, (name) => sizes.get(name) as number));
}

function storedSlice(layer: PlannedLayer, sizeOf: (name: string) => number): StoredSlice {
  const own = { owner: layer.name, length: layer.size };
  const { source } = layer;
  switch (source.kind) {
    case "own":
      return own;
    case "copy":
      return { owner: source.of, length: layer.size };
    case "max-layer-prefix":
      return source.scale === 1 ? { owner: source.maxLayer, length: sizeOf(source.maxLayer) } : own;
    case "tiling-prefix":
      if (source.scale !== 1) return own;
      return {
        owner: source.maxLayer,
        length: source.order === "copy" ? source.prototypeLength : sizeOf(source.maxLayer),
      };
  }
}
