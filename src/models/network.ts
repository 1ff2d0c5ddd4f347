/**
 * The operations a backbone's network is written against, once. Three builders implement
 * them: the pure layout (./network-layout.ts: names, shapes, fan-ins, norms), the engine's
 * modules (./engine-network.ts: training and evaluation) and the ONNX graph
 * (../onnx/onnx-network.ts). A value `V` is whatever the builder computes with (a shape, a
 * tensor, a graph value). Layer names are module paths: `scope` and `sequence` prefix them,
 * so a conv "depthwise" in block 3 of "blocks" is "blocks.3.depthwise".
 *
 * Shapes include the batch as dimension 0. Builders that have no batch (the layout, ONNX's
 * dynamic one) hold BATCH there, so a network passes the batch through (`reshape` may name it)
 * but never computes with it.
 */
export interface NetworkBuilder<V> {
  /** The value's shape, BATCH (-1) where the builder does not know the batch. */
  shape(x: V): readonly number[];
  /** Runs `body` with every layer it makes named under `name`. */
  scope<T>(name: string, body: () => T): T;
  /**
   * `steps` applied in turn to `input`. The engine releases each intermediate result once
   * the next step has used it, so a chain of large activations costs what one step does.
   */
  chain(input: V, ...steps: readonly ((x: V) => V)[]): V;
  /** `count` blocks applied in turn, named `name.0`, `name.1`, ... */
  sequence(name: string, input: V, count: number, block: (x: V, index: number) => V): V;

  /** A masked, bias-free convolution over [N, C, H, W]. */
  conv(x: V, name: string, options: ConvOptions): V;
  /** A masked, bias-free linear layer over the last dimension, of any rank. */
  linear(x: V, name: string, outFeatures: number): V;
  /** Batch normalisation over dimension 1 ([N, C, ...]), with running statistics. */
  batchNorm(x: V, name: string, options: BatchNormOptions): V;
  /** Layer normalisation over the last dimension, with learned gamma and beta. */
  layerNorm(x: V, name: string, options?: LayerNormOptions): V;
  /** A trained tensor outside the masked layers (stored in a `.pemn` beside the norms). */
  parameter(name: string, shape: readonly number[], init: ParameterInit): V;
  /** A fixed tensor the config determines (recomputed, never stored); `values` runs once. */
  constant(name: string, shape: readonly number[], values: () => Float32Array): V;

  add(a: V, b: V): V;
  /** x times a scalar. */
  scale(x: V, factor: number): V;
  relu(x: V): V;
  /** The exact GELU, x / 2 (1 + erf(x / sqrt 2)). */
  gelu(x: V): V;
  softmax(x: V, axis: number): V;
  /** Batched matrix product over the last two dimensions. */
  matmul(a: V, b: V): V;
  /** The mean over `axes`, which are dropped. */
  mean(x: V, axes: readonly number[]): V;
  /**
   * Max pooling over H and W, square windows (stride defaults to the kernel); `padding`
   * pixels on every side never win the max (PyTorch's MaxPool2d, ONNX's MaxPool pads).
   */
  maxPool(x: V, kernel: number, stride?: number, padding?: number): V;
  /** Dimensions from `startDim` on flattened into one. */
  flatten(x: V, startDim: number): V;
  reshape(x: V, shape: readonly number[]): V;
  permute(x: V, dims: readonly number[]): V;
  transpose(x: V, a: number, b: number): V;
  /** The slice at `index` of dimension `dim`, which is dropped. */
  select(x: V, dim: number, index: number): V;
  /** Every `stride`-th pixel of H and W of [N, C, H, W]. */
  subsample(x: V, stride: number): V;
  /** Zero channels added before and after the existing ones of [N, C, H, W]. */
  padChannels(x: V, before: number, after: number): V;
}

/**
 * `chain` and `sequence` for builders that release nothing (the layout, ONNX): plain
 * composition and nested scopes. The engine's builder has its own, which frees as it goes.
 */
export abstract class ComposingBuilder<V> {
  abstract scope<T>(name: string, body: () => T): T;

  chain(input: V, ...steps: readonly ((x: V) => V)[]): V {
    return steps.reduce((x, step) => step(x), input);
  }

  sequence(name: string, input: V, count: number, block: (x: V, index: number) => V): V {
    return this.scope(name, () => {
      let x = input;
      for (let index = 0; index < count; index++) {
        const current = x;
        x = this.scope(String(index), () => block(current, index));
      }
      return x;
    });
  }
}

/** Where builders without a batch hold it in a shape. */
export const BATCH = -1;

export interface ConvOptions {
  readonly outChannels: number;
  /** Square kernel side. */
  readonly kernel: number;
  readonly stride?: number;
  /** Zero padding on every side; "same" keeps H and W (odd kernels, stride 1). */
  readonly padding?: number | "same";
  readonly groups?: number;
}

/** The one place of the norms' defaults (PyTorch's), read by every builder. */
export const NORM_DEFAULTS = { eps: 1e-5, momentum: 0.1 } as const;

export interface BatchNormOptions {
  /** Learn gamma and beta, or only normalise. */
  readonly affine: boolean;
  readonly eps?: number;
  readonly momentum?: number;
}

export interface LayerNormOptions {
  readonly eps?: number;
}

/** How a trained tensor starts: normal(0, std) from the score seed, stream its name. */
export interface ParameterInit {
  readonly kind: "normal";
  readonly std: number;
}

/** A conv's padding on every side: "same" for an odd kernel is (kernel - 1) / 2. */
export function convPadding(options: ConvOptions): number {
  if (options.padding !== "same") return options.padding ?? 0;
  if (options.kernel % 2 === 0 || (options.stride ?? 1) !== 1) {
    throw new RangeError(
      `"same" padding needs an odd kernel and stride 1, got kernel ${options.kernel}, stride ${options.stride ?? 1}`,
    );
  }
  return (options.kernel - 1) / 2;
}
