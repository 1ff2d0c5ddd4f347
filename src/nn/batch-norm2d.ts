import { F, ones, type Tensor, zeros } from "../engine/index.js";
import { Layer } from "./layer.js";

export interface BatchNormConfig {
  channels: number;
  /** Learn gamma and beta (the default) or normalise only. */
  affine?: boolean;
  momentum?: number;
  eps?: number;
}

/** Batch normalisation over channels, with running statistics for evaluation. */
export class BatchNorm2d extends Layer {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly #momentum: number;
  readonly #eps: number;

  constructor(config: BatchNormConfig) {
    super();
    const affine = config.affine ?? true;
    this.weight = affine ? this.registerParameter("weight", ones([config.channels])) : null;
    this.bias = affine ? this.registerParameter("bias", zeros([config.channels])) : null;
    this.runningMean = this.registerBuffer("runningMean", zeros([config.channels]));
    this.runningVar = this.registerBuffer("runningVar", ones([config.channels]));
    this.#momentum = config.momentum ?? 0.1;
    this.#eps = config.eps ?? 1e-5;
  }

  forward(input: Tensor): Tensor {
    return F.batchNorm(input, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: this.training,
      momentum: this.#momentum,
      eps: this.#eps,
    });
  }
}
