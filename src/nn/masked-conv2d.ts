import { F, type Tensor } from "../engine/index.js";
import type { WeightMode } from "./masked-weight.js";
import { MaskedWeight } from "./masked-weight.js";
import { Layer } from "./module.js";

export interface MaskedConv2dConfig {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  padding?: number | "same";
  /** inChannels = groups = outChannels makes a depthwise convolution. */
  groups?: number;
  mode: WeightMode;
  values: Float32Array;
  scoreSeed: number;
  scoreStream: string;
}

/** A bias-free convolution whose weight is a MaskedWeight. */
export class MaskedConv2d extends Layer {
  readonly weight: MaskedWeight;
  readonly #stride: number;
  readonly #padding: number | "same";
  readonly #groups: number;

  constructor(config: MaskedConv2dConfig) {
    super();
    const groups = config.groups ?? 1;
    if (config.inChannels % groups !== 0 || config.outChannels % groups !== 0) {
      throw new RangeError(
        `channels ${config.inChannels} -> ${config.outChannels} are not divisible by groups ${groups}`,
      );
    }
    const shape = [config.outChannels, config.inChannels / groups, config.kernel, config.kernel];
    this.weight = this.registerModule(
      "weight",
      new MaskedWeight({
        shape,
        fanIn: (config.inChannels / groups) * config.kernel * config.kernel,
        values: config.values,
        mode: config.mode,
        scoreSeed: config.scoreSeed,
        scoreStream: config.scoreStream,
      }),
    );
    this.#stride = config.stride ?? 1;
    this.#padding = config.padding ?? 0;
    this.#groups = groups;
  }

  forward(input: Tensor): Tensor {
    // A channels-last input takes oneDNN's fast NHWC kernels only with an NHWC weight too.
    const weight = this.weight.effective();
    const nhwc = input.isContiguous("channels_last") && !input.isContiguous();
    return F.conv2d(input, nhwc ? weight.contiguous("channels_last") : weight, {
      stride: this.#stride,
      padding: this.#padding,
      groups: this.#groups,
    });
  }
}
