import { type MemoryFormat, type Tensor, tensor } from "../engine/index.js";
import {
  BatchNorm,
  Layer,
  LayerNorm,
  MaskedConv2d,
  MaskedLinear,
  Module,
  type WeightMode,
} from "../nn/index.js";
import { createGenerator } from "../random/index.js";
import { flattenedSize, type MaskedLayerSpec } from "../weights/layer-spec.js";
import type { Backbone } from "./backbone.js";
import { EngineBuilder } from "./engine-builder.js";
import { modelLayout } from "./model-layout.js";
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
