import {
  foreachAdd_,
  foreachAddcdiv_,
  foreachAddcmul_,
  foreachAddScalars_,
  foreachDiv_,
  foreachMul_,
  foreachSqrt,
  type Tensor,
  zerosLike,
} from "../engine/index.js";
import {
  type NamedParameters,
  Optimizer,
  type ParameterUpdate,
  type SlotStore,
} from "./optimizer.js";
import type { AdamWConfig } from "./optimizer-config.js";

/**
 * torch.optim.AdamW (amsgrad off), as its foreach path computes it:
 *   p *= 1 - lr * wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * Every parameter at once: a few launches per step on a GPU instead of a few per parameter;
 * on the CPU the same arithmetic as one tensor at a time. PyTorch updates m with lerp_,
 * which rounds differently in the last bit.
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
    this.updateAll([{ parameter, grad, state }]);
  }

  protected override updateAll(updates: readonly ParameterUpdate[]): void {
    if (updates.length === 0) return;
    const lr = this.learningRate;
    const { betas, eps, weightDecay } = this.config;
    const [beta1, beta2] = betas;
    const parameters = updates.map((update) => update.parameter);
    const grads = updates.map((update) => update.grad);
    const slot = (name: string) =>
      updates.map(
        ({ parameter, state }) => state.get(name) ?? state.create(name, zerosLike(parameter)),
      );
    const expAvgs = slot("exp_avg");
    const expAvgSqs = slot("exp_avg_sq");
    const each = (value: number) => updates.map(() => value);
    // Steps differ between parameters only when some had no gradient at some step.
    const steps = updates.map((update) => update.state.steps);
    foreachMul_(parameters, each(1 - lr * weightDecay));
    foreachMul_(expAvgs, each(beta1));
    foreachAdd_(expAvgs, grads, 1 - beta1);
    foreachMul_(expAvgSqs, each(beta2));
    foreachAddcmul_(expAvgSqs, grads, grads, each(1 - beta2));
    const denominators = foreachSqrt(expAvgSqs);
    foreachDiv_(
      denominators,
      steps.map((step) => Math.sqrt(1 - beta2 ** step)),
    );
    foreachAddScalars_(denominators, each(eps));
    foreachAddcdiv_(
      parameters,
      expAvgs,
      denominators,
      steps.map((step) => -lr / (1 - beta1 ** step)),
    );
  }
}
