import { F, ones, type Tensor, zeros } from "../engine/index.js";
import { Layer } from "./module.js";

/** Layer normalisation over the last dim, learned like BatchNorm's affine parameters. */
export class LayerNorm extends Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly features: number;
  readonly eps: number;

  constructor(features: number, eps: number) {
    super();
    this.weight = this.registerParameter("weight", ones([features]));
    this.bias = this.registerParameter("bias", zeros([features]));
    this.features = features;
    this.eps = eps;
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, [this.features], {
      weight: this.weight,
      bias: this.bias,
      eps: this.eps,
    });
  }
}
