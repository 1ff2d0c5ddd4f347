import { noGrad, stack, type Tensor, tidy } from "../engine/index.js";

/**
 * torch.nn.utils.clip_grad_norm_: scales every gradient by min(1, maxNorm / (norm + 1e-6)),
 * norm being the L2 norm of all gradients together. Returns that norm (before clipping).
 */
export function clipGradNorm(parameters: readonly Tensor[], maxNorm: number): number {
  return tidy(() =>
    noGrad(() => {
      const grads = parameters.flatMap((parameter) => parameter.grad ?? []);
      if (grads.length === 0) return 0;
      const total = stack(grads.map((grad) => grad.norm())).norm();
      const scale = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
      for (const grad of grads) grad.mul_(scale);
      return total.item();
    }),
  );
}
