import type { WeightStrategy } from "../../weights/index.js";
import type { ValueReference } from "../format/index.js";

/** A layer's fixed values, row-major. */
export interface LayerValues {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface SharedValues {
  /** Each layer's slice of `storedValues`, in the order of the layers given. */
  readonly references: readonly ValueReference[];
  readonly storedValues: Float32Array;
  /**
   * The paper's strategy whose sharing the values show (mask, one-layer, mp, rp with its
   * order and a ratio that gives the prototype's length), for the file's header and
   * `pemn inspect`'s unique values; `mask` when the sharing follows none of them.
   */
  readonly strategy: WeightStrategy;
}

/**
 * Stores fixed values that came from elsewhere (PyTorch's generator) once per distinct run,
 * as `.pemn` stored references describe them: each layer takes the first `size` values of a
 * slice tiled end to end. Layers are taken largest first; each uses the first slice already
 * stored whose tiling gives its values bit for bit, else stores its own values up to their
 * shortest period repeated at least twice (so a tiled prototype is stored once, as random
 * vector padding makes it).
 * This finds the sharing of every strategy of the paper as the reference code builds it:
 * one-layer's copies, max-layer padding's prefixes, random vector padding's tiling.
 */
export function shareValues(layers: readonly LayerValues[]): SharedValues {
  const bits = layers.map(
    (layer) => new Uint32Array(layer.values.buffer, layer.values.byteOffset, layer.values.length),
  );
  const order = layers
    .map((_, index) => index)
    .sort((a, b) => (bits[b] as Uint32Array).length - (bits[a] as Uint32Array).length);
  const slices: { start: number; length: number; owner: number }[] = [];
  const parts: Uint32Array[] = [];
  let stored = 0;
  const chosen = new Array<number>(layers.length);
  for (const index of order) {
    const values = bits[index] as Uint32Array;
    let slice = parts.findIndex((part) => tiles(values, part));
    if (slice < 0) {
      const period = values.length === 0 ? 1 : shortestPeriod(values);
      const part = values.length === 0 ? Uint32Array.of(0) : values.slice(0, period);
      slices.push({ start: stored, length: part.length, owner: index });
      parts.push(part);
      stored += part.length;
      slice = slices.length - 1;
    }
    chosen[index] = slice;
  }
  const storedBits = new Uint32Array(stored);
  for (const [at, part] of parts.entries()) {
    storedBits.set(part, (slices[at] as { start: number }).start);
  }
  const references = chosen.map((at): ValueReference => {
    const { start, length } = slices[at] as { start: number; length: number };
    return { kind: "stored", start, length };
  });
  return {
    references,
    storedValues: new Float32Array(storedBits.buffer),
    strategy: strategyOf(layers, chosen, slices, storedBits),
  };
}

/** Whether `values` is `slice` repeated end to end (its last repeat cut short). */
function tiles(values: Uint32Array, slice: Uint32Array): boolean {
  const period = slice.length;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== slice[i % period]) return false;
  }
  return true;
}

/**
 * The least p such that values[i] = values[i - p] for every i >= p (Knuth-Morris-Pratt), when
 * the values repeat it at least twice; else their length. (A shuffled tiling of few distinct
 * values often ends as it starts: that is no prototype, and storing it whole is clearer.)
 */
function shortestPeriod(values: Uint32Array): number {
  const border = new Int32Array(values.length);
  for (let i = 1, k = 0; i < values.length; i++) {
    while (k > 0 && values[i] !== values[k]) k = border[k - 1] as number;
    if (values[i] === values[k]) k++;
    border[i] = k;
  }
  const period = values.length - (border[values.length - 1] as number);
  return 2 * period <= values.length ? period : values.length;
}

/** Ratios the paper and its code use, tried first so that the header says 1e-3, not 0.0009987. */
const COMMON_RATIOS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 0.5, 0.2, 0.05, 0.02, 5e-3, 2e-3] as const;

function strategyOf(
  layers: readonly LayerValues[],
  chosen: readonly number[],
  slices: readonly { start: number; length: number; owner: number }[],
  storedBits: Uint32Array,
): WeightStrategy {
  const sizes = layers.map((layer) => layer.values.length);
  const own = (index: number) => {
    const slice = slices[chosen[index] as number] as { owner: number; length: number };
    return slice.owner === index && slice.length === sizes[index];
  };
  if (layers.every((_, index) => own(index))) return { kind: "mask" };
  // one-layer: the first layer of each shape owns its values, later ones of its shape copy them.
  const firstOfShape = new Map<string, number>();
  layers.forEach((layer, index) => {
    const key = layer.shape.join("x");
    if (!firstOfShape.has(key)) firstOfShape.set(key, index);
  });
  const oneLayer = layers.every((layer, index) => {
    const first = firstOfShape.get(layer.shape.join("x")) as number;
    const slice = slices[chosen[index] as number] as { owner: number; length: number };
    return slice.owner === first && slice.length === sizes[first];
  });
  if (oneLayer && slices.length === firstOfShape.size) return { kind: "one-layer" };
  if (slices.length !== 1) return { kind: "mask" };
  // One slice for every layer: max-layer padding, or random vector padding.
  const largest = Math.max(...sizes);
  const slice = slices[0] as { length: number };
  if (slice.length < largest) {
    return { kind: "rp", ratio: ratioFor(slice.length, largest), order: "copy", rescale: "none" };
  }
  const distinct = new Set(storedBits).size;
  return distinct === largest
    ? { kind: "mp", rescale: "none" }
    : { kind: "rp", ratio: ratioFor(distinct, largest), order: "rand", rescale: "none" };
}

/** A ratio r with floor(largest * r) + 1 = prototype, the paper's prototype length. */
function ratioFor(prototype: number, largest: number): number {
  const fits = (ratio: number) => Math.floor(largest * ratio) + 1 === prototype;
  return COMMON_RATIOS.find(fits) ?? (prototype - 0.5) / largest;
}
