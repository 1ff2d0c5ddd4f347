/*
 * Stream names of the weight plan (docs/generator.md, "Weight plan"). A layer's values come
 * from the stream named after the layer, whatever the strategy, so a layer's mask-strategy
 * values, MP's shared values and RP's prototype are all prefixes of one sequence.
 */

/** The stream of a layer's own N(0, 2 / fanIn) values. */
export function layerValueStream(layerName: string): string {
  return `layer:${layerName}`;
}

/** The stream of RP's "rand" shuffle; no layer stream can have this name. */
export const RP_ORDER_STREAM = "rp-order";

/** The stream of a random pruning mask: per layer, or one draw over all layers ("global"). */
export function pruningStream(layerName: string | null): string {
  return layerName === null ? "prune-global" : `prune:${layerName}`;
}
