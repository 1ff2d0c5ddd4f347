import { MaskedConv2d, MaskedLinear, type WeightMode } from "../nn/index.js";
import { flattenedSize } from "../weights/layer-spec.js";
import type { MaskedLayerSpec } from "./masked-layer-spec.js";

/** Each masked layer's fixed (or, dense, initial) values, by layer name or computed from its spec. */
export type LayerValues =
  | ReadonlyMap<string, Float32Array>
  | ((layer: MaskedLayerSpec) => Float32Array);

export interface ModelBuildOptions {
  /** One mode for every masked layer, or each layer's own (per-layer keep fractions). */
  mode: WeightMode | ((layer: MaskedLayerSpec) => WeightMode);
  values: LayerValues;
  /**
   * Seed of the trained tensors' initialisation. Streams: each masked layer's scores use the
   * layer's name; a learned ViT position embedding uses "positionEmbedding".
   */
  scoreSeed: number;
}

/** How a conv applies its weight; the weight's shape comes from the layout. */
export interface ConvGeometry {
  stride?: number;
  padding?: number | "same";
  groups?: number;
}

/**
 * Makes the masked layers a builder asks for, each from its layout spec. All values are
 * checked against the layout before any tensor exists, so a bad plan fails without leaking.
 */
export class MaskedLayerMaker {
  readonly #options: ModelBuildOptions;
  readonly #values: ReadonlyMap<string, Float32Array>;

  constructor(layout: readonly MaskedLayerSpec[], options: ModelBuildOptions) {
    this.#options = options;
    this.#values = resolveValues(layout, options.values);
  }

  conv(layer: MaskedLayerSpec, geometry: ConvGeometry = {}): MaskedConv2d {
    const [outChannels, inChannelsPerGroup, kernel] = layer.shape as [number, number, number];
    return new MaskedConv2d({
      inChannels: inChannelsPerGroup * (geometry.groups ?? 1),
      outChannels,
      kernel,
      ...geometry,
      ...this.#weight(layer),
    });
  }

  linear(layer: MaskedLayerSpec): MaskedLinear {
    const [outFeatures, inFeatures] = layer.shape as [number, number];
    return new MaskedLinear({ inFeatures, outFeatures, ...this.#weight(layer) });
  }

  #weight(layer: MaskedLayerSpec) {
    const values = this.#values.get(layer.name);
    if (!values) throw new Error(`the builder asked for "${layer.name}", which the layout lacks`);
    const { mode, scoreSeed } = this.#options;
    return {
      mode: typeof mode === "function" ? mode(layer) : mode,
      values,
      scoreSeed,
      scoreStream: layer.name,
    };
  }
}

function resolveValues(
  layout: readonly MaskedLayerSpec[],
  values: LayerValues,
): Map<string, Float32Array> {
  const resolved = new Map<string, Float32Array>();
  for (const layer of layout) {
    const layerValues = typeof values === "function" ? values(layer) : values.get(layer.name);
    if (!layerValues) throw new RangeError(`no values for masked layer "${layer.name}"`);
    const size = flattenedSize(layer.shape);
    if (layerValues.length !== size) {
      throw new RangeError(
        `masked layer "${layer.name}" of shape [${layer.shape}] needs ${size} values, got ${layerValues.length}`,
      );
    }
    resolved.set(layer.name, layerValues);
  }
  if (typeof values !== "function") {
    const unknown = [...values.keys()].filter((name) => !resolved.has(name));
    if (unknown.length > 0) {
      throw new RangeError(`values given for layers the model lacks: ${unknown.join(", ")}`);
    }
  }
  return resolved;
}
