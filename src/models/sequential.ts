import type { Tensor } from "../engine/index.js";
import { Layer } from "../nn/index.js";

/** Layers applied one after another, registered as "0", "1", ... (so paths read "blocks.3"). */
export class Sequential<L extends Layer = Layer> extends Layer {
  readonly layers: readonly L[];

  constructor(layers: readonly L[]) {
    super();
    this.layers = layers.map((layer, index) => this.registerModule(String(index), layer));
  }

  forward(input: Tensor): Tensor {
    return this.layers.reduce((x, layer) => layer.forward(x), input);
  }
}
