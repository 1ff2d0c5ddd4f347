import { type Tensor, tensor } from "../engine/index.js";
import { createGenerator } from "../random/index.js";
import { Module } from "./module.js";
import { keptCount, topKMask } from "./top-k-mask.js";
import type { WeightMode } from "./weight-mode.js";

export interface MaskedWeightConfig {
  shape: readonly number[];
  fanIn: number;
  /** The fixed values (masked mode) or initial values (dense mode), row-major. */
  values: Float32Array;
  mode: WeightMode;
  /** Seed and stream name of the score initialisation. */
  scoreSeed: number;
  scoreStream: string;
}

/**
 * The weight of a masked conv or linear layer. In masked mode it holds fixed values W
 * (a buffer) and trainable scores S, and yields W * M with M the top-k of |S|; the
 * gradient reaching M passes straight through to |S| and on through abs to S.
 */
export class MaskedWeight extends Module {
  readonly mode: WeightMode;
  readonly shape: readonly number[];
  readonly values: Tensor;
  readonly scores: Tensor | null;

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
    if (config.mode.kind === "dense") {
      this.values = this.registerParameter("values", values);
      this.scores = null;
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

  /** The current binary mask (float 0/1), or null in dense mode. */
  mask(): Tensor | null {
    if (this.mode.kind === "dense" || !this.scores) return null;
    return topKMask(this.scores.abs(), keptCount(this.values.size, this.mode.keepFraction));
  }

  /** The weight the layer computes with. */
  effective(): Tensor {
    if (this.mode.kind === "dense" || !this.scores) return this.values;
    const ranked = this.scores.abs();
    const mask = topKMask(ranked, keptCount(this.values.size, this.mode.keepFraction));
    // mask + (r - r.detach()) equals mask exactly (x - x = 0) and carries d/dr = 1.
    return this.values.mul(mask.add(ranked.sub(ranked.detach())));
  }
}
