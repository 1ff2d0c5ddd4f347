import { flattenedSize, type MaskedLayerSpec } from "../weights/layer-spec.js";
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
} from "./network.js";

export type Shape = readonly number[];

/** What a network declares, by module path, in the order it first uses it. */
export type LayerDeclaration =
  | { readonly kind: "conv"; readonly spec: MaskedLayerSpec; readonly options: ConvOptions }
  | { readonly kind: "linear"; readonly spec: MaskedLayerSpec }
  | {
      readonly kind: "batchNorm";
      readonly name: string;
      readonly features: number;
      readonly affine: boolean;
      readonly eps: number;
      readonly momentum: number;
    }
  | {
      readonly kind: "layerNorm";
      readonly name: string;
      readonly features: number;
      readonly eps: number;
    }
  | {
      readonly kind: "parameter";
      readonly name: string;
      readonly shape: Shape;
      readonly init: ParameterInit;
    }
  | {
      readonly kind: "constant";
      readonly name: string;
      readonly shape: Shape;
      readonly values: Float32Array;
    };

export const declarationName = (declaration: LayerDeclaration): string =>
  declaration.kind === "conv" || declaration.kind === "linear"
    ? declaration.spec.name
    : declaration.name;

/**
 * The pure builder: runs a network on shapes, checking each operation's input, and records
 * what it declares. The weight plan, the `.pemn` decoder and the engine's module tree read it;
 * the ONNX builder computes its shapes with it.
 */
export class ShapeBuilder extends ComposingBuilder<Shape> implements NetworkBuilder<Shape> {
  readonly declarations: LayerDeclaration[] = [];
  /** Multiply-accumulates of one image's forward pass, in convs, linears and matmuls. */
  macs = 0;
  readonly #names = new Set<string>();
  readonly #path: string[] = [];

  shape(x: Shape): Shape {
    return x;
  }

  /** `name` under the current scopes, e.g. "blocks.3.depthwise". */
  qualified(name: string): string {
    return [...this.#path, name].join(".");
  }

  scope<T>(name: string, body: () => T): T {
    this.#path.push(name);
    try {
      return body();
    } finally {
      this.#path.pop();
    }
  }

  conv(x: Shape, name: string, options: ConvOptions): Shape {
    const [batch, channels, height, width] = this.#image(x, "conv", name);
    const groups = options.groups ?? 1;
    const { outChannels, kernel } = options;
    if (channels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(
        `conv "${this.qualified(name)}": ${groups} groups do not divide ${channels} in and ${outChannels} out channels`,
      );
    }
    const padding = convPadding(options);
    const stride = options.stride ?? 1;
    const side = (length: number) => Math.floor((length + 2 * padding - kernel) / stride) + 1;
    if (side(height) < 1 || side(width) < 1) {
      throw new RangeError(
        `conv "${this.qualified(name)}": kernel ${kernel} does not fit the ${height}x${width} input`,
      );
    }
    const inPerGroup = channels / groups;
    this.macs += side(height) * side(width) * outChannels * inPerGroup * kernel * kernel;
    this.#declare({
      kind: "conv",
      spec: {
        name: this.qualified(name),
        shape: [outChannels, inPerGroup, kernel, kernel],
        fanIn: inPerGroup * kernel * kernel,
      },
      options,
    });
    return [batch, outChannels, side(height), side(width)];
  }

  linear(x: Shape, name: string, outFeatures: number): Shape {
    const inFeatures = x[x.length - 1] as number;
    this.macs += perImage(x.slice(0, -1)) * inFeatures * outFeatures;
    this.#declare({
      kind: "linear",
      spec: { name: this.qualified(name), shape: [outFeatures, inFeatures], fanIn: inFeatures },
    });
    return [...x.slice(0, -1), outFeatures];
  }

  batchNorm(x: Shape, name: string, options: BatchNormOptions): Shape {
    if (x.length < 2) throw new RangeError(`batchNorm "${this.qualified(name)}" needs [N, C, ...]`);
    this.#declare({
      kind: "batchNorm",
      name: this.qualified(name),
      features: x[1] as number,
      affine: options.affine,
      eps: options.eps ?? NORM_DEFAULTS.eps,
      momentum: options.momentum ?? NORM_DEFAULTS.momentum,
    });
    return x;
  }

  layerNorm(x: Shape, name: string, options: LayerNormOptions = {}): Shape {
    this.#declare({
      kind: "layerNorm",
      name: this.qualified(name),
      features: x[x.length - 1] as number,
      eps: options.eps ?? NORM_DEFAULTS.eps,
    });
    return x;
  }

  parameter(name: string, shape: Shape, init: ParameterInit): Shape {
    this.#declare({ kind: "parameter", name: this.qualified(name), shape, init });
    return shape;
  }

  constant(name: string, shape: Shape, values: () => Float32Array): Shape {
    const computed = values();
    if (computed.length !== flattenedSize(shape)) {
      throw new RangeError(
        `constant "${this.qualified(name)}" of [${shape}] got ${computed.length} values`,
      );
    }
    this.#declare({ kind: "constant", name: this.qualified(name), shape, values: computed });
    return shape;
  }

  add(a: Shape, b: Shape): Shape {
    return broadcast(a, b);
  }

  scale(x: Shape): Shape {
    return x;
  }

  relu(x: Shape): Shape {
    return x;
  }

  gelu(x: Shape): Shape {
    return x;
  }

  softmax(x: Shape, axis: number): Shape {
    axisOf(x, axis);
    return x;
  }

  matmul(a: Shape, b: Shape): Shape {
    const [rows, inner] = a.slice(-2) as [number, number];
    const [innerB, columns] = b.slice(-2) as [number, number];
    if (a.length < 2 || b.length < 2 || inner !== innerB) {
      throw new RangeError(`matmul of [${a}] and [${b}]: inner dimensions differ`);
    }
    const leading = broadcast(a.slice(0, -2), b.slice(0, -2));
    this.macs += perImage(leading) * rows * inner * columns;
    return [...leading, rows, columns];
  }

  mean(x: Shape, axes: readonly number[]): Shape {
    const dropped = new Set(axes.map((axis) => axisOf(x, axis)));
    return x.filter((_, index) => !dropped.has(index));
  }

  maxPool(x: Shape, kernel: number, stride = kernel, padding = 0): Shape {
    const [batch, channels, height, width] = this.#image(x, "maxPool", "");
    // PyTorch refuses more: a window could then lie wholly in the padding.
    if (padding > kernel / 2) {
      throw new RangeError(
        `maxPool ${kernel}x${kernel}: padding ${padding} is over half the kernel`,
      );
    }
    const side = (length: number) => Math.floor((length + 2 * padding - kernel) / stride) + 1;
    if (side(height) < 1 || side(width) < 1) {
      throw new RangeError(`maxPool ${kernel}x${kernel} does not fit the ${height}x${width} input`);
    }
    return [batch, channels, side(height), side(width)];
  }

  flatten(x: Shape, startDim: number): Shape {
    return [...x.slice(0, startDim), flattenedSize(x.slice(startDim))];
  }

  reshape(x: Shape, shape: Shape): Shape {
    const known = (dims: Shape) => flattenedSize(dims.filter((length) => length !== BATCH));
    if (known(x) !== known(shape)) throw new RangeError(`cannot reshape [${x}] to [${shape}]`);
    return shape;
  }

  permute(x: Shape, dims: readonly number[]): Shape {
    if ([...dims].sort().join() !== x.map((_, index) => index).join()) {
      throw new RangeError(`permute of [${x}] by [${dims}]: not a permutation`);
    }
    return dims.map((dim) => x[dim] as number);
  }

  transpose(x: Shape, a: number, b: number): Shape {
    const out = [...x];
    [out[axisOf(x, a)], out[axisOf(x, b)]] = [x[axisOf(x, b)] as number, x[axisOf(x, a)] as number];
    return out;
  }

  select(x: Shape, dim: number, index: number): Shape {
    const axis = axisOf(x, dim);
    if (index < 0 || index >= (x[axis] as number)) {
      throw new RangeError(`select ${index} of dimension ${dim} of [${x}]`);
    }
    return x.filter((_, i) => i !== axis);
  }

  subsample(x: Shape, stride: number): Shape {
    const [batch, channels, height, width] = this.#image(x, "subsample", "");
    return [batch, channels, Math.ceil(height / stride), Math.ceil(width / stride)];
  }

  padChannels(x: Shape, before: number, after: number): Shape {
    const [batch, channels, height, width] = this.#image(x, "padChannels", "");
    return [batch, channels + before + after, height, width];
  }

  #declare(declaration: LayerDeclaration): void {
    const name = declarationName(declaration);
    if (this.#names.has(name)) throw new Error(`the network declares "${name}" twice`);
    this.#names.add(name);
    this.declarations.push(declaration);
  }

  /** [N, C, H, W], named in the error when it is not. */
  #image(x: Shape, op: string, name: string): [number, number, number, number] {
    if (x.length !== 4) {
      throw new RangeError(
        `${op}${name ? ` "${this.qualified(name)}"` : ""} needs an [N, C, H, W] input, got [${x}]`,
      );
    }
    return [...x] as [number, number, number, number];
  }
}

/** The elements of `dims` for one image: the batch dimension left out. */
function perImage(dims: Shape): number {
  return flattenedSize(dims.filter((length) => length !== BATCH));
}

function axisOf(x: Shape, axis: number): number {
  const resolved = axis < 0 ? x.length + axis : axis;
  if (resolved < 0 || resolved >= x.length) throw new RangeError(`axis ${axis} of [${x}]`);
  return resolved;
}

/** NumPy broadcasting of two shapes (BATCH broadcasts like any length). */
function broadcast(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, index) => {
    const x = a[a.length - rank + index] ?? 1;
    const y = b[b.length - rank + index] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new RangeError(`cannot broadcast [${a}] with [${b}]`);
    return x === 1 ? y : x;
  });
}
