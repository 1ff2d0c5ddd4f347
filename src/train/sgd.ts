import type { Tensor } from "../engine/index.js";
import { type NamedParameters, Optimizer, type SlotStore } from "./optimizer.js";
import type { SgdConfig } from "./optimizer-config.js";

/**
 * torch.optim.SGD with dampening 0:
 *   d = g + wd p;  b = d on the first step, else momentum b + d;
 *   d = d + momentum b (Nesterov) or b;  p -= lr d
 * The gradient itself is left untouched.
 */
export class Sgd extends Optimizer {
  readonly kind = "sgd";
  protected readonly slotNames = ["momentum_buffer"];

  constructor(
    parameters: NamedParameters,
    readonly config: SgdConfig,
  ) {
    super(parameters, config.lr);
  }

  protected update(parameter: Tensor, grad: Tensor, state: SlotStore): void {
    const { momentum, nesterov, weightDecay } = this.config;
    let direction = weightDecay === 0 ? grad : grad.clone().add_(parameter, weightDecay);
    if (momentum !== 0) {
      const existing = state.get("momentum_buffer");
      const buffer = existing
        ? existing.mul_(momentum).add_(direction)
        : state.create("momentum_buffer", direction.clone());
      direction = nesterov ? direction.clone().add_(buffer, momentum) : buffer;
    }
    parameter.add_(direction, -this.learningRate);
  }
}
