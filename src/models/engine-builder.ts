import { F, type Tensor, tidy } from "../engine/index.js";
import { Layer, type Module } from "../nn/index.js";
import type {
  BatchNormOptions,
  ConvOptions,
  LayerNormOptions,
  NetworkBuilder,
  ParameterInit,
} from "./network.js";

/** The network's operations on tensors, over the model's modules (looked up by path). */
export class EngineBuilder implements NetworkBuilder<Tensor> {
  readonly #path: string[] = [];

  constructor(
    readonly modules: ReadonlyMap<string, Module>,
    readonly tensors: ReadonlyMap<string, Tensor>,
  ) {}

  shape(x: Tensor): readonly number[] {
    return x.shape;
  }

  /** Whatever a scope computes on the way is released when it ends (tidy). */
  scope<T>(name: string, body: () => T): T {
    this.#path.push(name);
    try {
      return tidy(body);
    } finally {
      this.#path.pop();
    }
  }

  /**
   * Each step in its own scope, each intermediate released once the next step used it:
   * without it, evaluation kept every intermediate of a block alive and ran a ConvMixer at
   * half PyTorch's speed (autograd still keeps what backward needs).
   */
  chain(input: Tensor, ...steps: readonly ((x: Tensor) => Tensor)[]): Tensor {
    let x = input;
    for (const step of steps) {
      const current = x;
      x = tidy(() => step(current));
      if (current !== input && current !== x) current.dispose();
    }
    return x;
  }

  /**
   * Each block's input is released once the next block has used it (ResNet-32's
   * training-step peak fell from 606 to 505 MB when the models did this).
   */
  sequence(
    name: string,
    input: Tensor,
    count: number,
    block: (x: Tensor, index: number) => Tensor,
  ) {
    return this.scope(name, () => {
      let x = input;
      for (let index = 0; index < count; index++) {
        const current = x;
        x = this.scope(String(index), () => block(current, index));
        if (current !== input && current !== x) current.dispose();
      }
      return x;
    });
  }

  conv(x: Tensor, name: string, _options: ConvOptions): Tensor {
    return this.#layer(name).forward(x);
  }

  linear(x: Tensor, name: string): Tensor {
    return this.#layer(name).forward(x);
  }

  batchNorm(x: Tensor, name: string, _options: BatchNormOptions): Tensor {
    return this.#layer(name).forward(x);
  }

  layerNorm(x: Tensor, name: string, _options?: LayerNormOptions): Tensor {
    return this.#layer(name).forward(x);
  }

  parameter(name: string, _shape: readonly number[], _init: ParameterInit): Tensor {
    return this.#tensor(name);
  }

  constant(name: string): Tensor {
    return this.#tensor(name);
  }

  add(a: Tensor, b: Tensor): Tensor {
    return a.add(b);
  }

  scale(x: Tensor, factor: number): Tensor {
    return x.mul(factor);
  }

  relu(x: Tensor): Tensor {
    return F.relu(x);
  }

  gelu(x: Tensor): Tensor {
    return F.gelu(x);
  }

  softmax(x: Tensor, axis: number): Tensor {
    return F.softmax(x, axis);
  }

  matmul(a: Tensor, b: Tensor): Tensor {
    return a.matmul(b);
  }

  mean(x: Tensor, axes: readonly number[]): Tensor {
    return x.mean([...axes]);
  }

  maxPool(x: Tensor, kernel: number, stride = kernel, padding = 0): Tensor {
    return F.maxPool2d(x, kernel, stride, padding);
  }

  flatten(x: Tensor, startDim: number): Tensor {
    return x.flatten(startDim);
  }

  reshape(x: Tensor, shape: readonly number[]): Tensor {
    return x.reshape(...shape);
  }

  permute(x: Tensor, dims: readonly number[]): Tensor {
    return x.permute(...dims);
  }

  transpose(x: Tensor, a: number, b: number): Tensor {
    return x.transpose(a, b);
  }

  select(x: Tensor, dim: number, index: number): Tensor {
    return x.select(dim, index);
  }

  subsample(x: Tensor, stride: number): Tensor {
    const [, , height, width] = x.shape as [number, number, number, number];
    return x.slice(2, 0, height, stride).slice(3, 0, width, stride);
  }

  padChannels(x: Tensor, before: number, after: number): Tensor {
    return x.pad([0, 0, 0, 0, before, after]);
  }

  #qualified(name: string): string {
    return [...this.#path, name].join(".");
  }

  #layer(name: string): Layer {
    const module = this.modules.get(this.#qualified(name));
    if (!(module instanceof Layer)) {
      throw new Error(`the network uses "${this.#qualified(name)}", which its layout lacks`);
    }
    return module;
  }

  #tensor(name: string): Tensor {
    const found = this.tensors.get(this.#qualified(name));
    if (!found) {
      throw new Error(`the network uses "${this.#qualified(name)}", which its layout lacks`);
    }
    return found;
  }
}
