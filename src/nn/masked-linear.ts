import { F, type Tensor } from "../engine/index.js";
import type { WeightMode } from "./masked-weight.js";
import { MaskedWeight } from "./masked-weight.js";
import { Layer } from "./module.js";

export interface MaskedLinearConfig {
  inFeatures: number;
  outFeatures: number;
  mode: WeightMode;
  values: Float32Array;
  scoreSeed: number;
  scoreStream: string;
}

/** A bias-free linear layer (y = x W^T) whose weight is a MaskedWeight. */
export class MaskedLinear extends Layer {
  readonly weight: MaskedWeight;

  constructor(config: MaskedLinearConfig) {
    super();
    this.weight = this.registerModule(
      "weight",
      new MaskedWeight({
        shape: [config.outFeatures, config.inFeatures],
        fanIn: config.inFeatures,
        values: config.values,
        mode: config.mode,
        scoreSeed: config.scoreSeed,
        scoreStream: config.scoreStream,
      }),
    );
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight.effective());
  }
}
