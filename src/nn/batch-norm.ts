import { cat, F, full, noGrad, ones, type Tensor, zeros } from "../engine/index.js";
import { Layer } from "./module.js";

/** Every setting explicit: the defaults live with the networks (models' NORM_DEFAULTS). */
export interface BatchNormConfig {
  readonly channels: number;
  /** Learn gamma and beta, or normalise only. */
  readonly affine: boolean;
  readonly momentum: number;
  readonly eps: number;
}

/**
 * Sums a layer's statistics [sum over C, sum of squares over C, count] over every process
 * of a data-parallel job, differentiably (its backward sums the gradients likewise).
 */
export type StatisticsReducer = (localSums: Tensor) => Tensor;

/** Batch normalisation over dimension 1 ([N, C] or [N, C, H, W]), with running statistics for evaluation. */
export class BatchNorm extends Layer {
  /**
   * Set (by data-parallel training's sync-bn) to normalise training batches with the
   * statistics of the global batch instead of this process's share of it.
   */
  statisticsReducer: StatisticsReducer | null = null;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** Its settings, as an export reads them. */
  readonly config: BatchNormConfig;

  constructor(config: BatchNormConfig) {
    super();
    this.config = { ...config };
    const { affine } = config;
    this.weight = affine ? this.registerParameter("weight", ones([config.channels])) : null;
    this.bias = affine ? this.registerParameter("bias", zeros([config.channels])) : null;
    this.runningMean = this.registerBuffer("runningMean", zeros([config.channels]));
    this.runningVar = this.registerBuffer("runningVar", ones([config.channels]));
  }

  forward(input: Tensor): Tensor {
    if (this.training && this.statisticsReducer) return this.#synchronisedForward(input);
    return F.batchNorm(input, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: this.training,
      momentum: this.config.momentum,
      eps: this.config.eps,
    });
  }

  /** Training-mode batch norm with global statistics: E[x] and E[x^2] summed over ranks. */
  #synchronisedForward(input: Tensor): Tensor {
    const channels = input.shape[1] as number;
    // Every dimension but the channels' (so [N, C] inputs work too, as in F.batchNorm).
    const dims = input.shape.map((_, dim) => dim).filter((dim) => dim !== 1);
    const local = cat([
      input.sum(dims),
      input.square().sum(dims),
      full([1], input.size / channels).toDevice(input.device),
    ]);
    const global = (this.statisticsReducer as StatisticsReducer)(local);
    const count = global.slice(0, 2 * channels, 2 * channels + 1);
    const mean = global.slice(0, 0, channels).div(count);
    const variance = global
      .slice(0, channels, 2 * channels)
      .div(count)
      .sub(mean.square());
    noGrad(() => {
      const unbiased = variance.mul(count.div(count.sub(1)));
      this.runningMean.mul_(1 - this.config.momentum).add_(mean.detach(), this.config.momentum);
      this.runningVar.mul_(1 - this.config.momentum).add_(unbiased.detach(), this.config.momentum);
    });
    const shape = input.shape.map((length, dim) => (dim === 1 ? length : 1));
    let output = input.sub(mean.reshape(...shape)).mul(
      variance
        .add(this.config.eps)
        .rsqrt()
        .reshape(...shape),
    );
    if (this.weight) output = output.mul(this.weight.reshape(...shape));
    if (this.bias) output = output.add(this.bias.reshape(...shape));
    return output;
  }
}
