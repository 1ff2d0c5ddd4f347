import { native } from "./native.js";

/** Intra-op threads libtorch uses (OpenMP). */
export function getThreads(): number {
  return native().getNumThreads();
}

export function setThreads(threads: number): void {
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
