import { type Tensor, zerosLike } from "../engine/index.js";
import { type NamedParameters, Optimizer, type SlotStore } from "./optimizer.js";
import type { AdamWConfig } from "./optimizer-config.js";

/**
 * torch.optim.AdamW (single-tensor path, amsgrad off):
 *   p *= 1 - lr * wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * PyTorch updates m with lerp_, which rounds differently in the last bit.
 */
export class AdamW extends Optimizer {
  readonly kind = "adamw";
  protected readonly slotNames = ["exp_avg", "exp_avg_sq"];

  constructor(
    parameters: NamedParameters,
    readonly config: AdamWConfig,
  ) {
    super(parameters, config.lr);
  }

  protected update(parameter: Tensor, grad: Tensor, state: SlotStore): void {
    const lr = this.learningRate;
    const { betas, eps, weightDecay } = this.config;
    const [beta1, beta2] = betas;
    const expAvg = state.get("exp_avg") ?? state.create("exp_avg", zerosLike(parameter));
    const expAvgSq = state.get("exp_avg_sq") ?? state.create("exp_avg_sq", zerosLike(parameter));
    parameter.mul_(1 - lr * weightDecay);
    expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    const biasCorrection1 = 1 - beta1 ** state.steps;
    const biasCorrection2 = 1 - beta2 ** state.steps;
    const denominator = expAvgSq.sqrt().div(Math.sqrt(biasCorrection2)).add_(eps);
    parameter.addcdiv_(expAvg, denominator, -lr / biasCorrection1);
  }
}
