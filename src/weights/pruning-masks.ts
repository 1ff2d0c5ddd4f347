import { createGenerator } from "../random/index.js";
import { type PrunedPayload, prunedPayload } from "./pruning-storage.js";
import type { PrunedStrategy } from "./strategy.js";
import { pruningStream } from "./weight-streams.js";

/** A layer to prune: its name (which names its random stream) and its current values. */
export interface PruningLayer {
  readonly name: string;
  /** Row-major; magnitude ranks their absolute values, random only needs their count. */
  readonly values: Float32Array;
}

export interface PruningRequest {
  readonly strategy: PrunedStrategy;
  /** The run's seed: random masks are drawn from it. */
  readonly seed: number | bigint;
  readonly layers: readonly PruningLayer[];
}

export interface PruningSolution extends PrunedPayload {
  readonly targetCompression: number;
  /** 1 - kept / masked weights. */
  readonly sparsity: number;
  /** One 0/1 mask per layer (1 = kept), in the request's order. */
  readonly masks: readonly Uint8Array[];
}

/** Bisection steps of the layer scope's keep fraction: far below one weight of any layer. */
const KEEP_FRACTION_STEPS = 60;

/**
 * The masks of a pruned network whose stored cost (pruning-storage.ts, the bytes a `.pemn`
 * file holds for it) is the largest within the target compression ratio: as many weights are
 * kept as fit. Weights are kept in rank order: magnitude ranks by |value| (largest first,
 * ties to the lower index), random by a seeded permutation. Scope `layer` keeps the same
 * fraction round(f x d_l) of every layer; `global` ranks all weights together (one threshold
 * over all layers, or one random draw over all weights). Deterministic from seed and values.
 */
export function solvePruningMasks(request: PruningRequest): PruningSolution {
  const { strategy, layers } = request;
  const sizes = layers.map((layer) => layer.values.length);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total === 0) throw new RangeError("nothing to prune: the layers hold no weights");
  const flags = new Uint8Array(total);
  let offset = 0;
  const masks = sizes.map((size) => {
    offset += size;
    return flags.subarray(offset - size, offset);
  });
  const budgetBytes = (1 - strategy.compression) * 4 * total;
  const cost = () => {
    const payload = prunedPayload(masks, strategy.index);
    return payload.valueBytes + payload.indexBytes;
  };
  let keep: (amount: number) => void;
  let low = 0;
  let high: number;
  let isDone: () => boolean;
  if (strategy.scope === "global") {
    const ranking =
      strategy.criterion === "magnitude"
        ? magnitudeRanking(
            concatenate(
              layers.map((layer) => layer.values),
              total,
            ),
          )
        : createGenerator(request.seed, pruningStream(null)).permutation(total);
    keep = (count) => keepFirst(flags, ranking, count);
    high = total;
    isDone = () => high - low <= 1;
  } else {
    const rankings = layers.map((layer) =>
      strategy.criterion === "magnitude"
        ? magnitudeRanking(layer.values)
        : createGenerator(request.seed, pruningStream(layer.name)).permutation(layer.values.length),
    );
    keep = (fraction) =>
      rankings.forEach((ranking, index) => {
        keepFirst(masks[index] as Uint8Array, ranking, Math.round(fraction * ranking.length));
      });
    high = 1;
    let steps = 0;
    isDone = () => steps++ >= KEEP_FRACTION_STEPS;
  }
  keep(low);
  if (cost() > budgetBytes) {
    throw new RangeError(
      `compression ${strategy.compression} is out of reach with a ${describeIndex(strategy)} index: keeping no weight already costs ${cost()} bytes, the target allows ${budgetBytes}`,
    );
  }
  keep(high);
  if (cost() > budgetBytes) {
    while (!isDone()) {
      const middle = strategy.scope === "global" ? Math.floor((low + high) / 2) : (low + high) / 2;
      keep(middle);
      if (cost() <= budgetBytes) low = middle;
      else high = middle;
    }
    keep(low);
  }
  const payload = prunedPayload(masks, strategy.index);
  return {
    ...payload,
    targetCompression: strategy.compression,
    sparsity: 1 - payload.keptWeights / payload.maskedWeights,
    masks,
  };
}

/** Positions by decreasing |value|; equal magnitudes keep their order (lower index first). */
export function magnitudeRanking(values: Float32Array): Uint32Array {
  const magnitudes = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) magnitudes[i] = Math.abs(values[i] as number);
  const ranking = new Uint32Array(values.length);
  for (let i = 0; i < ranking.length; i++) ranking[i] = i;
  return ranking.sort((a, b) => (magnitudes[b] as number) - (magnitudes[a] as number) || a - b);
}

function keepFirst(mask: Uint8Array, ranking: Uint32Array, count: number): void {
  mask.fill(0);
  for (let i = 0; i < count; i++) mask[ranking[i] as number] = 1;
}

function concatenate(parts: readonly Float32Array[], total: number): Float32Array {
  const joined = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function describeIndex(strategy: PrunedStrategy): string {
  const { index } = strategy;
  return index.kind === "bitmap" ? "bitmap" : `${index.kind} ${index.bits}-bit`;
}
