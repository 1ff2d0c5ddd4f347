import { z } from "zod";
import { keep, noGrad, ones, type Tensor, tensor, tidy, topKMasks } from "../engine/index.js";
import { createGenerator } from "../random/index.js";
import { Module } from "./module.js";
import { type QuantizedTensor, quantizedWeight, quantizeTensor } from "./weight-quantizer.js";

/** How many of n weights a layer keeps for keep fraction k: exactly round(k * n). */
export function keptCount(size: number, keepFraction: number): number {
  return Math.round(keepFraction * size);
}

/**
 * Recomputes every stale mask under `module` in one engine call (masks are otherwise
 * recomputed layer by layer on first use). Trainers call it before each forward pass.
 */
export function refreshMasks(module: Module): void {
  MaskedWeight.refreshStale(
    module.namedModules().flatMap(([, child]) => (child instanceof MaskedWeight ? [child] : [])),
  );
}

export interface MaskedWeightConfig {
  shape: readonly number[];
  fanIn: number;
  /** The fixed values (masked mode) or initial values (dense, pruned mode), row-major. */
  values: Float32Array;
  mode: WeightMode;
  /** Seed and stream name of the score initialisation. */
  scoreSeed: number;
  scoreStream: string;
}

/**
 * The weight of a masked conv or linear layer. In masked mode it holds fixed values W
 * (a buffer) and trainable scores S, and yields W * M with M the top-k of |S|; the
 * gradient reaching M passes straight through to |S| and on through abs to S. In pruned
 * mode the values are trained and M is a fixed buffer (all ones until `prune` sets it). In
 * quantized and binary modes the values are trained and the layer computes with them
 * quantized per output channel, the gradient passing straight through (weight-quantizer.ts).
 */
export class MaskedWeight extends Module {
  readonly mode: WeightMode;
  readonly shape: readonly number[];
  readonly values: Tensor;
  readonly scores: Tensor | null;
  /** Pruned mode's fixed 0/1 mask (float32), else null. */
  readonly pruningMask: Tensor | null;
  /** The mask of the scores as they were at `#maskVersion` (their in-place change counter). */
  #mask: Tensor | null = null;
  #maskVersion = -1;

  constructor(config: MaskedWeightConfig) {
    super();
    const size = config.shape.reduce((a, b) => a * b, 1);
    if (config.values.length !== size) {
      throw new RangeError(
        `weight of shape [${config.shape}] needs ${size} values, got ${config.values.length}`,
      );
    }
    this.mode = config.mode;
    this.shape = config.shape;
    const values = tensor(config.values, config.shape);
    this.pruningMask = null;
    if (
      config.mode.kind === "dense" ||
      config.mode.kind === "quantized" ||
      config.mode.kind === "binary"
    ) {
      this.values = this.registerParameter("values", values);
      this.scores = null;
    } else if (config.mode.kind === "pruned") {
      this.values = this.registerParameter("values", values);
      this.scores = null;
      this.pruningMask = this.registerBuffer("mask", ones(config.shape));
    } else {
      this.values = this.registerBuffer("values", values);
      // Kaiming-uniform with a = sqrt(5): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
      const bound = 1 / Math.sqrt(config.fanIn);
      const initial = createGenerator(config.scoreSeed, config.scoreStream).fillUniform(
        new Float32Array(size),
        -bound,
        bound,
      );
      this.scores = this.registerParameter("scores", tensor(initial, config.shape));
    }
  }

  /** The current binary mask (float 0/1, a copy the caller owns), or null in dense mode. */
  mask(): Tensor | null {
    return (this.pruningMask ?? this.#currentMask())?.clone() ?? null;
  }

  /**
   * Pruned mode: fixes the mask (one 0/1 entry per weight, row-major) and sets the dropped
   * values to +0, where training keeps them (their gradient and weight decay are 0), so the
   * stored kept values and zeros are the weight exactly.
   */
  prune(keptFlags: Uint8Array): void {
    const mask = this.pruningMask;
    if (mask === null) throw new Error("only a pruned-mode weight can be pruned");
    if (keptFlags.length !== this.values.size) {
      throw new RangeError(`a mask of ${this.values.size} weights, got ${keptFlags.length}`);
    }
    const values = this.values.toArray<"float32">();
    const flags = new Float32Array(keptFlags.length);
    for (let i = 0; i < flags.length; i++) {
      flags[i] = keptFlags[i] === 0 ? 0 : 1;
      if (keptFlags[i] === 0) values[i] = 0;
    }
    tidy(() =>
      noGrad(() => {
        mask.copy_(tensor(flags, this.shape));
        this.values.copy_(tensor(values, this.shape));
      }),
    );
  }

  /**
   * Quantized and binary modes: the levels and per-channel scales the forward pass multiplies
   * (the caller owns both), which a `.pemn` file stores; null in other modes.
   */
  quantization(): QuantizedTensor | null {
    const { mode } = this;
    return mode.kind === "quantized" || mode.kind === "binary"
      ? quantizeTensor(this.values, mode)
      : null;
  }

  /** The weight the layer computes with. */
  effective(): Tensor {
    const { mode } = this;
    if (mode.kind === "quantized" || mode.kind === "binary") {
      return quantizedWeight(this.values, mode);
    }
    if (this.pruningMask !== null) return this.values.mul(this.pruningMask);
    const mask = this.#currentMask();
    if (mask === null || this.scores === null) return this.values;
    const ranked = this.scores.abs();
    // mask + (r - r.detach()) equals mask exactly (x - x = 0) and carries d/dr = 1.
    return this.values.mul(mask.add(ranked.sub(ranked.detach())));
  }

  /**
   * Brings the masks of many weights up to date in one engine call, which selects in
   * parallel across them (per layer, one call each: 3.6 ms against 1.6 ms for ConvMixer-256/8).
   */
  static refreshStale(weights: readonly MaskedWeight[]): void {
    const stale = weights.filter((weight) => weight.#isStale());
    if (stale.length === 0) return;
    const masks = tidy(() =>
      noGrad(() =>
        topKMasks(
          stale.map((weight) => (weight.scores as Tensor).abs()),
          stale.map((weight) => weight.#keptCount()),
        ),
      ),
    );
    for (const [i, weight] of stale.entries()) weight.#setMask(masks[i] as Tensor);
  }

  override dispose(): void {
    this.#dropMask();
    super.dispose();
  }

  protected override moved(): void {
    this.#dropMask();
  }

  #dropMask(): void {
    this.#mask?.dispose();
    this.#mask = null;
  }

  #isStale(): boolean {
    return (
      this.scores !== null && (this.#mask === null || this.#maskVersion !== this.scores.version)
    );
  }

  #keptCount(): number {
    return this.mode.kind === "masked"
      ? keptCount(this.values.size, this.mode.keepFraction)
      : this.values.size;
  }

  #setMask(mask: Tensor): void {
    this.#mask?.dispose();
    this.#mask = keep(mask);
    this.#maskVersion = (this.scores as Tensor).version;
  }

  #currentMask(): Tensor | null {
    if (this.scores === null) return null;
    if (this.#isStale()) MaskedWeight.refreshStale([this]);
    return this.#mask;
  }
}

/**
 * How a masked layer uses its weights: `masked` learns which fixed random values to keep
 * (edge-popup), `dense` trains the values themselves (the ordinary reference network),
 * `pruned` trains the values under a fixed 0/1 mask chosen once (the pruning baselines),
 * `quantized` (2 to 8 bits) and `binary` train the values and compute with them quantized
 * (the quantization baselines, weight-quantizer.ts).
 */
export const weightModeSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("masked"),
    /** Fraction of the layer's weights kept by the mask. */
    keepFraction: z.number().gt(0).max(1),
  }),
  z.object({ kind: z.literal("dense") }),
  z.object({ kind: z.literal("pruned") }),
  z.object({ kind: z.literal("quantized"), bits: z.number().int().min(2).max(8) }),
  z.object({ kind: z.literal("binary") }),
]);

export type WeightMode = z.infer<typeof weightModeSchema>;

export const DEFAULT_KEEP_FRACTION = 0.5;
