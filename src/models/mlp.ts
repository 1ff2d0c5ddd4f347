import { F, type Tensor } from "../engine/index.js";
import { BatchNorm2d, Layer, type MaskedLinear } from "../nn/index.js";
import { assertInputShape } from "./input-shape-check.js";
import type { MaskedLayerMaker } from "./masked-layer-maker.js";
import type { MaskedLayerSpec } from "./masked-layer-spec.js";
import type { MlpConfig } from "./mlp-config.js";
import { mlpLayout } from "./mlp-layout.js";
import { Sequential } from "./sequential.js";

/** linear -> BN -> ReLU. BatchNorm2d normalises dim 1 of any input of rank >= 2, so on [N, features] it is BatchNorm1d. */
class HiddenLayer extends Layer {
  readonly linear: MaskedLinear;
  readonly norm: BatchNorm2d | null;

  constructor(layer: MaskedLayerSpec, config: MlpConfig, layers: MaskedLayerMaker) {
    super();
    this.linear = this.registerModule("linear", layers.linear(layer));
    this.norm = config.batchNorm
      ? this.registerModule(
          "norm",
          new BatchNorm2d({ channels: layer.shape[0] as number, affine: config.affineBatchNorm }),
        )
      : null;
  }

  forward(input: Tensor): Tensor {
    const linear = this.linear.forward(input);
    return F.relu(this.norm ? this.norm.forward(linear) : linear);
  }
}

/** Flattened input -> hidden layers -> classifier. */
export class Mlp extends Layer {
  readonly config: MlpConfig;
  readonly hidden: Sequential<HiddenLayer>;
  readonly classifier: MaskedLinear;

  constructor(config: MlpConfig, layers: MaskedLayerMaker) {
    super();
    this.config = config;
    const layout = mlpLayout(config);
    this.hidden = this.registerModule(
      "hidden",
      new Sequential(layout.hidden.map((layer) => new HiddenLayer(layer, config, layers))),
    );
    this.classifier = this.registerModule("classifier", layers.linear(layout.classifier));
  }

  forward(input: Tensor): Tensor {
    assertInputShape(input, this.config.input, "mlp");
    return this.classifier.forward(this.hidden.forward(input.flatten(1)));
  }
}
