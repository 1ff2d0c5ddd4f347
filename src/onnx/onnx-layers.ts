import type { DecodedModel, DecodedTensor } from "../artifact/decode-model.js";
import { rejectUnknownTensors, requireStoredTensor } from "../artifact/stored-tensors.js";
import type { MaskedLayerSpec } from "../models/pure.js";
import { floatAttribute, intAttribute, intsAttribute, type OnnxGraph } from "./onnx-graph.js";

/** The epsilon of pemn's BatchNorm2d and LayerNorm, which every backbone keeps. */
const NORM_EPSILON = 1e-5;

export interface ConvOptions {
  readonly stride?: number;
  /** Zero padding on every side. */
  readonly padding?: number;
  readonly groups?: number;
}

/**
 * The layers of pemn's backbones as ONNX nodes, over a decoded model's tensors: masked layers
 * with their effective weights W * M (the masks folded in), norms with their stored tensors.
 * Each method takes and returns value names.
 */
export class OnnxLayers {
  readonly #used = new Set<string>();

  constructor(
    readonly graph: OnnxGraph,
    readonly decoded: DecodedModel,
  ) {}

  /** A bias-free convolution with a masked layer's weight [out, in / groups, k, k]. */
  conv(input: string, layer: MaskedLayerSpec, options: ConvOptions = {}): string {
    const weight = this.#maskedWeight(layer);
    const padding = options.padding ?? 0;
    const kernel = weight.shape.slice(2);
    return this.graph.node(
      "Conv",
      [input, this.graph.float32(`${layer.name}.weight`, weight.shape, weight.values)],
      {
        kernel_shape: intsAttribute(kernel),
        strides: intsAttribute(kernel.map(() => options.stride ?? 1)),
        pads: intsAttribute([padding, padding, padding, padding]),
        group: intAttribute(options.groups ?? 1),
      },
    );
  }

  /** y = x W^T over the last dimension of any rank, W^T stored as [in, out]. */
  linear(input: string, layer: MaskedLayerSpec): string {
    const weight = this.#maskedWeight(layer);
    const [outFeatures, inFeatures] = weight.shape as [number, number];
    const transposed = new Float32Array(weight.values.length);
    for (let out = 0; out < outFeatures; out++) {
      for (let inner = 0; inner < inFeatures; inner++) {
        transposed[inner * outFeatures + out] = weight.values[out * inFeatures + inner] as number;
      }
    }
    const name = this.graph.float32(`${layer.name}.weight`, [inFeatures, outFeatures], transposed);
    return this.graph.node("MatMul", [input, name]);
  }

  /**
   * BatchNorm2d `name` over `channels` in evaluation mode (dimension 1), from its running
   * statistics and, when the model's BatchNorms are affine, its weight and bias.
   */
  batchNorm(input: string, name: string, channels: number): string {
    const { model } = this.decoded;
    const affine = "affineBatchNorm" in model && model.affineBatchNorm;
    const parameter = (part: string, fallback: number) =>
      affine
        ? this.storedTensor(`${name}.${part}`, [channels]).values
        : new Float32Array(channels).fill(fallback);
    const inputs = [
      ["weight", parameter("weight", 1)],
      ["bias", parameter("bias", 0)],
      ["runningMean", this.storedTensor(`${name}.runningMean`, [channels]).values],
      ["runningVar", this.storedTensor(`${name}.runningVar`, [channels]).values],
    ] as const;
    return this.graph.node(
      "BatchNormalization",
      [
        input,
        ...inputs.map(([part, values]) =>
          this.graph.float32(`${name}.${part}`, [channels], values),
        ),
      ],
      { epsilon: floatAttribute(NORM_EPSILON) },
    );
  }

  /** LayerNorm `name` over the last dimension, of `features`. */
  layerNorm(input: string, name: string, features: number): string {
    const [weight, bias] = ["weight", "bias"].map((part) =>
      this.graph.float32(
        `${name}.${part}`,
        [features],
        this.storedTensor(`${name}.${part}`, [features]).values,
      ),
    );
    return this.graph.node("LayerNormalization", [input, weight as string, bias as string], {
      axis: intAttribute(-1),
      epsilon: floatAttribute(NORM_EPSILON),
    });
  }

  /** Exact GELU, x / 2 (1 + erf(x / sqrt 2)), as the engine's (ONNX has Gelu only from opset 20). */
  gelu(input: string): string {
    const erf = this.graph.node("Erf", [
      this.graph.node("Mul", [input, this.graph.scalar(Math.SQRT1_2)]),
    ]);
    const onePlus = this.graph.node("Add", [erf, this.graph.scalar(1)]);
    return this.graph.node("Mul", [
      this.graph.node("Mul", [input, this.graph.scalar(0.5)]),
      onePlus,
    ]);
  }

  relu(input: string): string {
    return this.graph.node("Relu", [input]);
  }

  add(a: string, b: string): string {
    return this.graph.node("Add", [a, b]);
  }

  /** The mean over `axes`, which are dropped. */
  mean(input: string, axes: readonly number[]): string {
    return this.graph.node("ReduceMean", [input], {
      axes: intsAttribute(axes),
      keepdims: intAttribute(0),
    });
  }

  /** A stored tensor by its state name, checked to be in `shape` (requireStoredTensor). */
  storedTensor(name: string, shape: readonly number[]): DecodedTensor {
    this.#used.add(name);
    return requireStoredTensor(this.decoded, name, shape);
  }

  /** PemnModelError if the file holds a stored tensor the graph never asked for. */
  checkAllStoredTensorsUsed(): void {
    rejectUnknownTensors(this.decoded, this.#used);
  }

  #maskedWeight(layer: MaskedLayerSpec): DecodedTensor {
    return this.decoded.maskedWeights.get(layer.name) as DecodedTensor;
  }
}
