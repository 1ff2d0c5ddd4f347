import { flattenedSize, type MaskedLayerSpec } from "../weights/layer-spec.js";

/*
 * Masked layers as the weight strategies and the .pemn format see them: { name, shape, fanIn }
 * (the weight plan's own type). Here `name` is the dotted module path of the layer in the
 * built model, e.g. "blocks.3.pointwise". Pure data: layouts are listed without the engine,
 * so they also run in a browser.
 */
export type { MaskedLayerSpec };

/** A square conv's weight [out, in / groups, k, k]; fan-in in / groups x k x k. */
export function convLayer(
  name: string,
  outChannels: number,
  inChannelsPerGroup: number,
  kernel: number,
): MaskedLayerSpec {
  return {
    name,
    shape: [outChannels, inChannelsPerGroup, kernel, kernel],
    fanIn: inChannelsPerGroup * kernel * kernel,
  };
}

/** A linear layer's weight [out, in]; fan-in in. */
export function linearLayer(
  name: string,
  outFeatures: number,
  inFeatures: number,
): MaskedLayerSpec {
  return { name, shape: [outFeatures, inFeatures], fanIn: inFeatures };
}

/** Number of masked weights in a layout: one mask bit each. */
export function maskedWeightCount(layers: readonly MaskedLayerSpec[]): number {
  return layers.reduce((sum, layer) => sum + flattenedSize(layer.shape), 0);
}

/** What every backbone's layout function returns: its masked layers in definition order. */
export interface BackboneLayout {
  readonly layers: readonly MaskedLayerSpec[];
}
