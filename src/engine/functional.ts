/** Neural-network operations on tensors, with PyTorch's argument conventions and defaults. */
import { native, type Reduction } from "./native.js";
import { type Tensor, wrap } from "./tensor.js";

type Pair = number | readonly [number, number];

function pair(value: Pair): number[] {
  return typeof value === "number" ? [value, value] : [value[0], value[1]];
}

/** y = x W^T (+ b) */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return wrap(native().linear(x.handle, weight.handle, bias?.handle ?? null));
}

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding per side, or "same" (stride 1 only) / "valid". */
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  /** groups = input channels makes a depthwise convolution. */
  groups?: number;
  bias?: Tensor | null;
}

/** 2-D convolution over NCHW input with an [out, in / groups, kh, kw] weight. */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = null } = options;
  const pads = typeof padding === "string" ? padding : pair(padding);
  return wrap(
    native().conv2d(
      x.handle,
      weight.handle,
      bias?.handle ?? null,
      pair(stride),
      pads,
      pair(dilation),
      groups,
    ),
  );
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Updated in place while training; used instead of batch statistics in evaluation. */
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  training: boolean;
  momentum?: number;
  eps?: number;
}

/** Batch normalisation over dim 1 (channels). */
export function batchNorm(x: Tensor, options: BatchNormOptions): Tensor {
  const { weight = null, bias = null, runningMean = null, runningVar = null } = options;
  return wrap(
    native().batchNorm(
      x.handle,
      weight?.handle ?? null,
      bias?.handle ?? null,
      runningMean?.handle ?? null,
      runningVar?.handle ?? null,
      options.training,
      options.momentum ?? 0.1,
      options.eps ?? 1e-5,
    ),
  );
}

/** Layer normalisation over the trailing `normalizedShape` dims. */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  {
    weight = null,
    bias = null,
    eps = 1e-5,
  }: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {},
): Tensor {
  return wrap(
    native().layerNorm(
      x.handle,
      [...normalizedShape],
      weight?.handle ?? null,
      bias?.handle ?? null,
      eps,
    ),
  );
}

export function relu(x: Tensor): Tensor {
  return wrap(native().relu(x.handle));
}

/** GELU, exact (erf) by default as torch.nn.GELU; "tanh" for the approximation. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (x.rank === 4 && !x.isContiguous() && x.isContiguous("channels_last")) {
    // libtorch 1.13's GELU is 5x slower on channels-last tensors (7.9 ms against 1.5 ms at
    // 64x256x16x16); elementwise, it can run on the same memory seen as a contiguous NHWC
    // tensor, and the result viewed back is channels-last again.
    const nhwc = x.permute(0, 2, 3, 1);
    try {
      return wrap(native().gelu(nhwc.handle, approximate)).permute(0, 3, 1, 2);
    } finally {
      nhwc.dispose();
    }
  }
  return wrap(native().gelu(x.handle, approximate));
}

export function softmax(x: Tensor, dim = -1): Tensor {
  return wrap(native().softmax(x.handle, dim));
}

export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return wrap(native().logSoftmax(x.handle, dim));
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  labelSmoothing?: number;
  ignoreIndex?: number;
  classWeights?: Tensor | null;
}

/** Cross-entropy of logits [N, C] against int64 class indices [N]. */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  const {
    reduction = "mean",
    labelSmoothing = 0,
    ignoreIndex = -100,
    classWeights = null,
  } = options;
  return wrap(
    native().crossEntropy(
      logits.handle,
      target.handle,
      classWeights?.handle ?? null,
      reduction,
      ignoreIndex,
      labelSmoothing,
    ),
  );
}

export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = "mean"): Tensor {
  return wrap(native().mseLoss(a.handle, b.handle, reduction));
}

/** Zeroes each element with probability p while training, scaling the rest by 1 / (1 - p). */
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  return wrap(native().dropout(x.handle, p, training));
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return wrap(native().adaptiveAvgPool2d(x.handle, pair(outputSize)));
}

export function avgPool2d(
  x: Tensor,
  kernel: Pair,
  stride: Pair = kernel,
  padding: Pair = 0,
): Tensor {
  return wrap(native().avgPool2d(x.handle, pair(kernel), pair(stride), pair(padding)));
}

export function maxPool2d(
  x: Tensor,
  kernel: Pair,
  stride: Pair = kernel,
  padding: Pair = 0,
): Tensor {
  return wrap(native().maxPool2d(x.handle, pair(kernel), pair(stride), pair(padding)));
}
