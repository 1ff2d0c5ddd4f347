import type { DecodedModel, DecodedTensor } from "../artifact/decode-model.js";
import { RUNNING_MEAN, RUNNING_VAR, runningStatisticName } from "../artifact/format/norm-names.js";
import { rejectUnknownTensors, requireStoredTensor } from "../artifact/stored-tensors.js";
import {
  BATCH,
  type BatchNormOptions,
  ComposingBuilder,
  type ConvOptions,
  convPadding,
  type LayerNormOptions,
  type NetworkBuilder,
  NORM_DEFAULTS,
  type ParameterInit,
  type Shape,
  ShapeBuilder,
} from "../models/pure.js";
import { floatAttribute, intAttribute, intsAttribute, type OnnxGraph } from "./onnx-graph.js";

/** A value of the graph under construction: its name and its shape (BATCH for the batch). */
export interface OnnxValue {
  readonly name: string;
  readonly shape: Shape;
}

/** Past any dimension: Slice clamps its ends to the dimension. */
const TO_THE_END = 2 ** 31 - 1;

/**
 * The network's operations as ONNX nodes (opset 17) over a decoded model's tensors: masked
 * layers with their effective weights W * M (the masks folded in), norms in evaluation mode
 * with their stored tensors and the options the network gives them. Shapes and layer names
 * come from the pure builder, so they are the layout's.
 */
export class OnnxBuilder extends ComposingBuilder<OnnxValue> implements NetworkBuilder<OnnxValue> {
  readonly #shapes = new ShapeBuilder();
  readonly #used = new Set<string>();

  constructor(
    readonly graph: OnnxGraph,
    readonly decoded: DecodedModel,
  ) {
    super();
  }

  shape(x: OnnxValue): Shape {
    return x.shape;
  }

  scope<T>(name: string, body: () => T): T {
    return this.#shapes.scope(name, body);
  }

  conv(x: OnnxValue, name: string, options: ConvOptions): OnnxValue {
    const shape = this.#shapes.conv(x.shape, name, options);
    const layer = this.#shapes.qualified(name);
    const weight = this.#maskedWeight(layer);
    const padding = convPadding(options);
    const kernel = weight.shape.slice(2);
    return this.#node(
      "Conv",
      [x.name, this.graph.float32(`${layer}.weight`, weight.shape, weight.values)],
      shape,
      {
        kernel_shape: intsAttribute(kernel),
        strides: intsAttribute(kernel.map(() => options.stride ?? 1)),
        pads: intsAttribute([padding, padding, padding, padding]),
        group: intAttribute(options.groups ?? 1),
      },
    );
  }

  /** y = x W^T over the last dimension of any rank, W^T stored as [in, out]. */
  linear(x: OnnxValue, name: string, outFeatures: number): OnnxValue {
    const shape = this.#shapes.linear(x.shape, name, outFeatures);
    const layer = this.#shapes.qualified(name);
    const weight = this.#maskedWeight(layer);
    const [out, inFeatures] = weight.shape as [number, number];
    const transposed = new Float32Array(weight.values.length);
    for (let row = 0; row < out; row++) {
      for (let column = 0; column < inFeatures; column++) {
        transposed[column * out + row] = weight.values[row * inFeatures + column] as number;
      }
    }
    const weightName = this.graph.float32(`${layer}.weight`, [inFeatures, out], transposed);
    return this.#node("MatMul", [x.name, weightName], shape);
  }

  /** From the running statistics and, when affine, the stored weight and bias. */
  batchNorm(x: OnnxValue, name: string, options: BatchNormOptions): OnnxValue {
    const shape = this.#shapes.batchNorm(x.shape, name, options);
    const norm = this.#shapes.qualified(name);
    const channels = x.shape[1] as number;
    const parameter = (part: string, fallback: number) =>
      options.affine
        ? this.#stored(`${norm}.${part}`, [channels]).values
        : new Float32Array(channels).fill(fallback);
    const inputs = [
      ["weight", parameter("weight", 1)],
      ["bias", parameter("bias", 0)],
      ["runningMean", this.#stored(runningStatisticName(norm, RUNNING_MEAN), [channels]).values],
      ["runningVar", this.#stored(runningStatisticName(norm, RUNNING_VAR), [channels]).values],
    ] as const;
    return this.#node(
      "BatchNormalization",
      [
        x.name,
        ...inputs.map(([part, values]) =>
          this.graph.float32(`${norm}.${part}`, [channels], values),
        ),
      ],
      shape,
      { epsilon: floatAttribute(options.eps ?? NORM_DEFAULTS.eps) },
    );
  }

  layerNorm(x: OnnxValue, name: string, options: LayerNormOptions = {}): OnnxValue {
    const shape = this.#shapes.layerNorm(x.shape, name, options);
    const norm = this.#shapes.qualified(name);
    const features = x.shape[x.shape.length - 1] as number;
    const [weight, bias] = ["weight", "bias"].map((part) =>
      this.graph.float32(
        `${norm}.${part}`,
        [features],
        this.#stored(`${norm}.${part}`, [features]).values,
      ),
    );
    return this.#node("LayerNormalization", [x.name, weight as string, bias as string], shape, {
      axis: intAttribute(-1),
      epsilon: floatAttribute(options.eps ?? NORM_DEFAULTS.eps),
    });
  }

  parameter(name: string, shape: Shape, init: ParameterInit): OnnxValue {
    this.#shapes.parameter(name, shape, init);
    const qualified = this.#shapes.qualified(name);
    const stored = this.#stored(qualified, shape);
    return { name: this.graph.float32(qualified, shape, stored.values), shape };
  }

  constant(name: string, shape: Shape, values: () => Float32Array): OnnxValue {
    const computed = values();
    this.#shapes.constant(name, shape, () => computed);
    return { name: this.graph.float32(this.#shapes.qualified(name), shape, computed), shape };
  }

  add(a: OnnxValue, b: OnnxValue): OnnxValue {
    return this.#node("Add", [a.name, b.name], this.#shapes.add(a.shape, b.shape));
  }

  scale(x: OnnxValue, factor: number): OnnxValue {
    return this.#node("Mul", [x.name, this.graph.scalar(factor)], x.shape);
  }

  relu(x: OnnxValue): OnnxValue {
    return this.#node("Relu", [x.name], x.shape);
  }

  /** Exact GELU, x / 2 (1 + erf(x / sqrt 2)), as the engine's (ONNX has Gelu only from opset 20). */
  gelu(x: OnnxValue): OnnxValue {
    const { graph } = this;
    const erf = graph.node("Erf", [graph.node("Mul", [x.name, graph.scalar(Math.SQRT1_2)])]);
    const onePlus = graph.node("Add", [erf, graph.scalar(1)]);
    const half = graph.node("Mul", [x.name, graph.scalar(0.5)]);
    return this.#node("Mul", [half, onePlus], x.shape);
  }

  softmax(x: OnnxValue, axis: number): OnnxValue {
    return this.#node("Softmax", [x.name], this.#shapes.softmax(x.shape, axis), {
      axis: intAttribute(axis),
    });
  }

  matmul(a: OnnxValue, b: OnnxValue): OnnxValue {
    return this.#node("MatMul", [a.name, b.name], this.#shapes.matmul(a.shape, b.shape));
  }

  mean(x: OnnxValue, axes: readonly number[]): OnnxValue {
    return this.#node("ReduceMean", [x.name], this.#shapes.mean(x.shape, axes), {
      axes: intsAttribute(axes),
      keepdims: intAttribute(0),
    });
  }

  maxPool(x: OnnxValue, kernel: number, stride = kernel, padding = 0): OnnxValue {
    const shape = this.#shapes.maxPool(x.shape, kernel, stride, padding);
    return this.#node("MaxPool", [x.name], shape, {
      kernel_shape: intsAttribute([kernel, kernel]),
      strides: intsAttribute([stride, stride]),
      pads: intsAttribute([padding, padding, padding, padding]),
    });
  }

  flatten(x: OnnxValue, startDim: number): OnnxValue {
    return this.reshape(x, this.#shapes.flatten(x.shape, startDim));
  }

  /** The batch stays dynamic: 0 (copy) where it keeps its place, else -1 (infer). */
  reshape(x: OnnxValue, shape: Shape): OnnxValue {
    const target = shape.map((length, index) =>
      length !== BATCH ? length : x.shape[index] === BATCH ? 0 : -1,
    );
    return this.#node(
      "Reshape",
      [x.name, this.graph.int64(target)],
      this.#shapes.reshape(x.shape, shape),
    );
  }

  permute(x: OnnxValue, dims: readonly number[]): OnnxValue {
    return this.#node("Transpose", [x.name], this.#shapes.permute(x.shape, dims), {
      perm: intsAttribute(dims),
    });
  }

  transpose(x: OnnxValue, a: number, b: number): OnnxValue {
    const perm = x.shape.map((_, index) => index);
    const [first, second] = [a, b].map((axis) => (axis < 0 ? x.shape.length + axis : axis)) as [
      number,
      number,
    ];
    [perm[first], perm[second]] = [second, first];
    return this.permute(x, perm);
  }

  select(x: OnnxValue, dim: number, index: number): OnnxValue {
    return this.#node(
      "Gather",
      [x.name, this.graph.int64([index], [])],
      this.#shapes.select(x.shape, dim, index),
      { axis: intAttribute(dim) },
    );
  }

  subsample(x: OnnxValue, stride: number): OnnxValue {
    const { graph } = this;
    return this.#node(
      "Slice",
      [
        x.name,
        graph.int64([0, 0]),
        graph.int64([TO_THE_END, TO_THE_END]),
        graph.int64([2, 3]),
        graph.int64([stride, stride]),
      ],
      this.#shapes.subsample(x.shape, stride),
    );
  }

  padChannels(x: OnnxValue, before: number, after: number): OnnxValue {
    return this.#node(
      "Pad",
      [x.name, this.graph.int64([0, before, 0, 0, 0, after, 0, 0])],
      this.#shapes.padChannels(x.shape, before, after),
    );
  }

  /** PemnModelError if the file holds a stored tensor the network never asked for. */
  checkAllStoredTensorsUsed(): void {
    rejectUnknownTensors(this.decoded, this.#used);
  }

  #node(
    op: string,
    inputs: readonly string[],
    shape: Shape,
    attributes?: Parameters<OnnxGraph["node"]>[2],
  ): OnnxValue {
    return { name: this.graph.node(op, inputs, attributes), shape };
  }

  /** A stored tensor by its state name, checked to be in `shape` (requireStoredTensor). */
  #stored(name: string, shape: Shape): DecodedTensor {
    this.#used.add(name);
    return requireStoredTensor(this.decoded, name, shape);
  }

  #maskedWeight(layer: string): DecodedTensor {
    const weight = this.decoded.maskedWeights.get(layer);
    if (!weight) throw new Error(`the decoded model has no masked layer "${layer}"`);
    return weight;
  }
}
