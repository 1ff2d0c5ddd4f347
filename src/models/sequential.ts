import type { Tensor } from "../engine/index.js";
import { Layer, pipe } from "../nn/index.js";

/** Layers applied one after another, registered as "0", "1", ... (so paths read "blocks.3"). */
export class Sequential<L extends Layer = Layer> extends Layer {
  readonly layers: readonly L[];

  constructor(layers: readonly L[]) {
    super();
    this.layers = layers.map((layer, index) => this.registerModule(String(index), layer));
  }

  /**
   * Each intermediate output is released once the next layer has used it (ResNet-32's
   * training-step peak fell from 606 to 505 MB).
   */
  forward(input: Tensor): Tensor {
    return pipe(input, ...this.layers.map((layer) => (x: Tensor) => layer.forward(x)));
  }
}
