import { F, type MemoryFormat, type Tensor, tensor, tidy } from "../engine/index.js";
import {
  BatchNorm,
  Layer,
  LayerNorm,
  MaskedConv2d,
  MaskedLinear,
  MaskedWeight,
  Module,
  type WeightMode,
} from "../nn/index.js";
import { createGenerator } from "../random/index.js";
import { flattenedSize, type MaskedLayerSpec } from "../weights/layer-spec.js";
import type { Backbone } from "./backbone.js";
import { modelLayout } from "./model-layout.js";
import type {
  BatchNormOptions,
  ConvOptions,
  LayerNormOptions,
  NetworkBuilder,
  ParameterInit,
} from "./network.js";
import { declarationName, type LayerDeclaration } from "./network-layout.js";
import { backboneOf, type ModelConfig } from "./registry.js";

/** Each masked layer's fixed (or, dense, initial) values, by layer name or computed from its spec. */
export type LayerValues =
  | ReadonlyMap<string, Float32Array>
  | ((layer: MaskedLayerSpec) => Float32Array);

export interface ModelBuildOptions {
  /** One mode for every masked layer, or each layer's own (per-layer keep fractions). */
  mode: WeightMode | ((layer: MaskedLayerSpec) => WeightMode);
  values: LayerValues;
  /**
   * Seed of the trained tensors' initialisation. Streams: each masked layer's scores use the
   * layer's name; a trained tensor outside them (a learned ViT position embedding) its own.
   */
  scoreSeed: number;
}

/**
 * Builds a validated model config (see parseModelConfig) into a layer mapping
 * [N, channels, height, width] to [N, classes] logits, its masked layers holding the given
 * values in the given mode. The caller owns the model and disposes it.
 */
export function buildModel(config: ModelConfig, options: ModelBuildOptions): Layer {
  return new NetworkModel(config, options);
}

/**
 * A backbone's network on the engine: the modules its layout declares, registered under their
 * paths in the order the network first uses them, and a forward pass that runs the network
 * over them.
 */
class NetworkModel extends Layer {
  readonly config: ModelConfig;
  readonly #backbone: Backbone<never>;
  readonly #modules = new Map<string, Module>();
  readonly #tensors = new Map<string, Tensor>();

  constructor(config: ModelConfig, options: ModelBuildOptions) {
    super();
    this.config = config;
    this.#backbone = backboneOf(config) as unknown as Backbone<never>;
    const { declarations, maskedLayers } = modelLayout(config);
    // Every value is checked before any tensor exists, so a bad plan fails without leaking.
    const values = resolveValues(maskedLayers, options.values);
    const scopes = new Map<string, ModuleScope>();
    const owner = (path: string): Registrar => {
      const dot = path.lastIndexOf(".");
      if (dot < 0) return this.#registrar();
      const parent = path.slice(0, dot);
      let scope = scopes.get(parent);
      if (!scope) {
        scope = owner(parent).module(parent.slice(parent.lastIndexOf(".") + 1), new ModuleScope());
        scopes.set(parent, scope);
      }
      return scope.registrar();
    };
    try {
      for (const declaration of declarations) {
        const path = declarationName(declaration);
        const local = path.slice(path.lastIndexOf(".") + 1);
        const registrar = owner(path);
        if (declaration.kind === "parameter" || declaration.kind === "constant") {
          const made = makeTensor(declaration, options.scoreSeed);
          this.#tensors.set(
            path,
            declaration.kind === "parameter"
              ? registrar.parameter(local, made)
              : registrar.buffer(local, made),
          );
        } else {
          this.#modules.set(
            path,
            registrar.module(local, makeModule(declaration, values, options)),
          );
        }
      }
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  override get inputMemoryFormat(): MemoryFormat {
    return this.#backbone.channelsLast ? "channels_last" : "contiguous";
  }

  forward(input: Tensor): Tensor {
    const { channels, height, width } = this.config.input;
    const [, inputChannels, inputHeight, inputWidth] = input.shape;
    if (
      input.rank !== 4 ||
      inputChannels !== channels ||
      inputHeight !== height ||
      inputWidth !== width
    ) {
      // Named here rather than deep in libtorch.
      throw new RangeError(
        `${this.config.name} expects input [N, ${channels}, ${height}, ${width}], got [${input.shape}]`,
      );
    }
    return this.#backbone.network(
      new EngineBuilder(this.#modules, this.#tensors),
      input,
      this.config as never,
    );
  }

  #registrar(): Registrar {
    return {
      module: (name, module) => this.registerModule(name, module),
      parameter: (name, made) => this.registerParameter(name, made),
      buffer: (name, made) => this.registerBuffer(name, made),
    };
  }
}

interface Registrar {
  module<M extends Module>(name: string, module: M): M;
  parameter(name: string, made: Tensor): Tensor;
  buffer(name: string, made: Tensor): Tensor;
}

/** A named group of modules ("blocks", "blocks.3"): it only holds what is under its path. */
class ModuleScope extends Module {
  registrar(): Registrar {
    return {
      module: (name, module) => this.registerModule(name, module),
      parameter: (name, made) => this.registerParameter(name, made),
      buffer: (name, made) => this.registerBuffer(name, made),
    };
  }
}

function makeModule(
  declaration: Exclude<LayerDeclaration, { kind: "parameter" | "constant" }>,
  values: ReadonlyMap<string, Float32Array>,
  options: ModelBuildOptions,
): Module {
  switch (declaration.kind) {
    case "conv": {
      const { spec } = declaration;
      const [outChannels, inChannelsPerGroup, kernel] = spec.shape as [number, number, number];
      const groups = declaration.options.groups ?? 1;
      return new MaskedConv2d({
        inChannels: inChannelsPerGroup * groups,
        outChannels,
        kernel,
        stride: declaration.options.stride ?? 1,
        padding: declaration.options.padding ?? 0,
        groups,
        ...maskedWeightOptions(spec, values, options),
      });
    }
    case "linear": {
      const [outFeatures, inFeatures] = declaration.spec.shape as [number, number];
      return new MaskedLinear({
        inFeatures,
        outFeatures,
        ...maskedWeightOptions(declaration.spec, values, options),
      });
    }
    case "batchNorm":
      return new BatchNorm({
        channels: declaration.features,
        affine: declaration.affine,
        eps: declaration.eps,
        momentum: declaration.momentum,
      });
    case "layerNorm":
      return new LayerNorm(declaration.features, declaration.eps);
  }
}

function maskedWeightOptions(
  spec: MaskedLayerSpec,
  values: ReadonlyMap<string, Float32Array>,
  options: ModelBuildOptions,
) {
  const { mode, scoreSeed } = options;
  return {
    mode: typeof mode === "function" ? mode(spec) : mode,
    values: values.get(spec.name) as Float32Array,
    scoreSeed,
    scoreStream: spec.name,
  };
}

function makeTensor(
  declaration: Extract<LayerDeclaration, { kind: "parameter" | "constant" }>,
  scoreSeed: number,
): Tensor {
  const { name, shape } = declaration;
  const values =
    declaration.kind === "constant"
      ? declaration.values
      : createGenerator(scoreSeed, name).fillNormal(
          new Float32Array(flattenedSize(shape)),
          0,
          declaration.init.std,
        );
  return tensor(values, shape);
}

/** The network's operations on tensors, over the model's modules (looked up by path). */
class EngineBuilder implements NetworkBuilder<Tensor> {
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

  maxPool(x: Tensor, kernel: number, stride = kernel): Tensor {
    return F.maxPool2d(x, kernel, stride);
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

function resolveValues(
  layout: readonly MaskedLayerSpec[],
  values: LayerValues,
): Map<string, Float32Array> {
  const resolved = new Map<string, Float32Array>();
  for (const layer of layout) {
    const layerValues = typeof values === "function" ? values(layer) : values.get(layer.name);
    if (!layerValues) throw new RangeError(`no values for masked layer "${layer.name}"`);
    const size = flattenedSize(layer.shape);
    if (layerValues.length !== size) {
      throw new RangeError(
        `masked layer "${layer.name}" of shape [${layer.shape}] needs ${size} values, got ${layerValues.length}`,
      );
    }
    resolved.set(layer.name, layerValues);
  }
  if (typeof values !== "function") {
    const unknown = [...values.keys()].filter((name) => !resolved.has(name));
    if (unknown.length > 0) {
      throw new RangeError(`values given for layers the model lacks: ${unknown.join(", ")}`);
    }
  }
  return resolved;
}

/** Module paths of a model's masked conv and linear layers, in registration order. */
export function maskedLayerNames(model: Module): string[] {
  return model
    .namedModules()
    .filter(([, module]) => module instanceof MaskedConv2d || module instanceof MaskedLinear)
    .map(([name]) => name);
}

/** The model's masked weights (module "<layer>.weight"), in the order of `layout`. */
export function maskedWeightsOf(
  model: Module,
  layout: readonly { readonly name: string }[],
): MaskedWeight[] {
  const modules = new Map(model.namedModules());
  return layout.map((layer) => {
    const weight = modules.get(`${layer.name}.weight`);
    if (!(weight instanceof MaskedWeight)) {
      throw new Error(`the model has no masked layer "${layer.name}" its layout lists`);
    }
    return weight;
  });
}
