import { native } from "./native.js";
import type { Tensor } from "./tensor.js";
import { threadCountProblem } from "./thread-limit.js";

/** Intra-op threads libtorch uses (OpenMP). */
export function getThreads(): number {
  return native().getNumThreads();
}

/** Throws RangeError for a count outside 1..maxThreads() (src/engine/thread-limit.ts). */
export function setThreads(threads: number): void {
  const problem = threadCountProblem(threads);
  if (problem) throw new RangeError(`threads ${problem}, got ${threads}`);
  native().setNumThreads(threads);
}

/** Seeds libtorch's own generator (dropout, rand, randn). PEMN weights come from src/random. */
export function manualSeed(seed: number): void {
  native().manualSeed(seed);
}

/** Runs `fn` with autograd off (optimizer updates, evaluation). */
export function noGrad<R>(fn: () => R): R {
  const previous = native().setGradEnabled(false);
  try {
    return fn();
  } finally {
    native().setGradEnabled(previous);
  }
}

export function isGradEnabled(): boolean {
  return native().isGradEnabled();
}

/** Tensors alive in the addon (not yet disposed or collected): a leak detector. */
export function liveTensorCount(): number {
  return native().liveTensorCount();
}

export function cudaAvailable(): boolean {
  return native().cudaAvailable();
}

/**
 * Runs `fn` under autocast for `device`'s type: ops autocast lists (convolutions, matrix
 * products) compute in `dtype`, precision-sensitive ones (reductions, norms, losses) in
 * float32. Restores the previous state after.
 */
export function autocast<R>(device: string, dtype: "bfloat16" | "float16", fn: () => R): R {
  const type = device.startsWith("cuda") ? "cuda" : "cpu";
  const previous = native().setAutocast(type, true, dtype);
  try {
    return fn();
  } finally {
    // Leaving autocast also drops its cache of casted weights.
    if (!previous) native().setAutocast(type, false, dtype);
  }
}

/**
 * Gradient scaling (fp16), as torch.amp.GradScaler: divides every gradient by the scale in
 * place (`invScale` holds 1/scale) and sets `foundInf` to 1 where a gradient is not finite.
 */
export function ampUnscale_(grads: readonly Tensor[], foundInf: Tensor, invScale: Tensor): void {
  native().ampUnscale_(
    grads.map((grad) => grad.handle),
    foundInf.handle,
    invScale.handle,
  );
}

/** GradScaler's update on the device: back off after a non-finite step, grow after `interval` finite ones. */
export function ampUpdateScale_(
  scale: Tensor,
  growthTracker: Tensor,
  foundInf: Tensor,
  options: { growthFactor: number; backoffFactor: number; growthInterval: number },
): void {
  native().ampUpdateScale_(
    scale.handle,
    growthTracker.handle,
    foundInf.handle,
    options.growthFactor,
    options.backoffFactor,
    options.growthInterval,
  );
}
