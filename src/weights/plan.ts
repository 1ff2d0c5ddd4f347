import {
  createGenerator,
  GENERATOR_VERSION,
  type GeneratorVersion,
  normalizeSeed,
  portableSqrt,
} from "../random/index.js";
import { countWeights, type WeightCounts } from "./counts.js";
import {
  flattenedSize,
  type MaskedLayerSpec,
  maxLayerIndex,
  shapeKey,
  validateMaskedLayers,
} from "./layer-spec.js";
import { rpPrototypeLength } from "./prototype-length.js";
import type { Rescale, WeightStrategy } from "./strategy.js";
import { layerValueStream, RP_ORDER_STREAM } from "./weight-streams.js";

/**
 * Everything the values depend on. A `.pemn` file stores exactly this; planWeights turns it
 * into the same float32 values on every platform.
 */
export interface WeightPlanRequest {
  readonly strategy: WeightStrategy;
  readonly seed: number | bigint;
  readonly layers: readonly MaskedLayerSpec[];
}

/** Where a layer's values come from. */
export type ValueSource =
  /** Its own stream: N(0, 2 / fanIn) (dense, pruned, quantized, binary, mask, one-layer prototypes and unique shapes). */
  | { readonly kind: "own" }
  /** one-layer: the same values as the earlier layer of the same shape. */
  | { readonly kind: "copy"; readonly of: string }
  /** mp: the first d_l values of the largest layer's own values, times `scale`. */
  | { readonly kind: "max-layer-prefix"; readonly maxLayer: string; readonly scale: number }
  /** rp: the first d_l values of the (shuffled) tiling of the prototype, times `scale`. */
  | {
      readonly kind: "tiling-prefix";
      readonly maxLayer: string;
      readonly prototypeLength: number;
      readonly order: "copy" | "rand";
      readonly scale: number;
    };

export interface PlannedLayer extends MaskedLayerSpec {
  /** d_l, the length of `values`. */
  readonly size: number;
  /**
   * The layer's fixed values, flattened in row-major order. Layers that share values share
   * memory (views of one buffer), so treat them as read-only.
   */
  readonly values: Float32Array;
  readonly source: ValueSource;
}

export interface WeightPlan extends WeightCounts {
  readonly generator: GeneratorVersion;
  readonly seed: bigint;
  readonly strategy: WeightStrategy;
  readonly layers: readonly PlannedLayer[];
}

/** The Kaiming-normal (ReLU gain, fan-in mode) standard deviation, computed portably. */
function kaimingStd(fanIn: number): number {
  return portableSqrt(2 / fanIn);
}

/** The first `count` values of a layer's own stream: N(0, 2 / fanIn), as float32. */
function ownValues(seed: bigint, layer: MaskedLayerSpec, count: number): Float32Array {
  return createGenerator(seed, layerValueStream(layer.name)).fillNormal(
    new Float32Array(count),
    0,
    kaimingStd(layer.fanIn),
  );
}

/** A layer's values and their origin, in layer order. */
type LayerValues = { readonly values: Float32Array; readonly source: ValueSource };

function ownPerLayer(seed: bigint, specs: readonly MaskedLayerSpec[]): LayerValues[] {
  return specs.map((layer) => ({
    values: ownValues(seed, layer, flattenedSize(layer.shape)),
    source: { kind: "own" },
  }));
}

function onePerShape(seed: bigint, specs: readonly MaskedLayerSpec[]): LayerValues[] {
  const prototypes = new Map<string, { name: string; values: Float32Array }>();
  return specs.map((layer) => {
    const key = shapeKey(layer.shape);
    const prototype = prototypes.get(key);
    if (prototype !== undefined) {
      return { values: prototype.values.subarray(0), source: { kind: "copy", of: prototype.name } };
    }
    const values = ownValues(seed, layer, flattenedSize(layer.shape));
    prototypes.set(key, { name: layer.name, values });
    return { values, source: { kind: "own" } };
  });
}

/**
 * Layer l's slice of the shared vector: a view of its first d_l values or, rescaled to its own
 * fan-in, a copy with each value multiplied by sqrt(fanIn(m) / fanIn(l)), rounded once to float32.
 */
function slicesOf(
  shared: Float32Array,
  maxLayer: MaskedLayerSpec,
  rescale: Rescale,
  specs: readonly MaskedLayerSpec[],
  sourceFor: (scale: number) => ValueSource,
): LayerValues[] {
  return specs.map((layer) => {
    const size = flattenedSize(layer.shape);
    const scale = rescale === "fan-in" ? portableSqrt(maxLayer.fanIn / layer.fanIn) : 1;
    if (scale === 1) return { values: shared.subarray(0, size), source: sourceFor(scale) };
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (shared[i] as number) * scale;
    return { values, source: sourceFor(scale) };
  });
}

/** RP's vector of d_m values: the prototype repeated end to end, shuffled once for "rand". */
function tiling(
  seed: bigint,
  prototype: Float32Array,
  length: number,
  order: "copy" | "rand",
): Float32Array {
  const result = new Float32Array(length);
  const period = prototype.length;
  if (order === "copy") {
    for (let i = 0; i < length; i++) {
      result[i] = prototype[i % period] as number;
    }
  } else {
    const permutation = createGenerator(seed, RP_ORDER_STREAM).permutation(length);
    for (let i = 0; i < length; i++) {
      result[i] = prototype[(permutation[i] as number) % period] as number;
    }
  }
  return result;
}

function layerValues(
  strategy: WeightStrategy,
  seed: bigint,
  specs: readonly MaskedLayerSpec[],
): LayerValues[] {
  const maxLayer = specs[maxLayerIndex(specs)] as MaskedLayerSpec;
  const maxSize = flattenedSize(maxLayer.shape);
  switch (strategy.kind) {
    case "dense":
    case "mask":
    case "pruned":
    case "quantized":
    case "binary":
      return ownPerLayer(seed, specs);
    case "one-layer":
      return onePerShape(seed, specs);
    case "mp": {
      const shared = ownValues(seed, maxLayer, maxSize);
      return slicesOf(shared, maxLayer, strategy.rescale, specs, (scale) => ({
        kind: "max-layer-prefix",
        maxLayer: maxLayer.name,
        scale,
      }));
    }
    case "rp": {
      const prototypeLength = rpPrototypeLength(maxSize, strategy.ratio);
      // The prototype is the first u values of the largest layer's own stream.
      const prototype = ownValues(seed, maxLayer, prototypeLength);
      const shared = tiling(seed, prototype, maxSize, strategy.order);
      return slicesOf(shared, maxLayer, strategy.rescale, specs, (scale) => ({
        kind: "tiling-prefix",
        maxLayer: maxLayer.name,
        prototypeLength,
        order: strategy.order,
        scale,
      }));
    }
  }
}

/** Generates every masked layer's fixed values for (strategy, seed, layers). */
export function planWeights(request: WeightPlanRequest): WeightPlan {
  const { strategy } = request;
  const seed = normalizeSeed(request.seed);
  const specs = validateMaskedLayers(request.layers);
  const values = layerValues(strategy, seed, specs);
  const layers = specs.map((spec, index): PlannedLayer => {
    const layer = values[index] as LayerValues;
    return {
      name: spec.name,
      shape: spec.shape,
      fanIn: spec.fanIn,
      size: flattenedSize(spec.shape),
      values: layer.values,
      source: layer.source,
    };
  });
  return { generator: GENERATOR_VERSION, seed, strategy, layers, ...countWeights(strategy, specs) };
}
