import { type Layer, MaskedConv2d, MaskedLinear, MaskedWeight, type Module } from "../nn/index.js";
import { ConvMixer } from "./convmixer.js";
import { MaskedLayerMaker, type ModelBuildOptions } from "./masked-layer-maker.js";
import { maskedLayout } from "./masked-layout.js";
import { Mlp } from "./mlp.js";
import type { ModelConfig } from "./model-schema.js";
import { Resnet } from "./resnet.js";
import { Vit } from "./vit.js";

/**
 * Builds a validated model config (see parseModelConfig) into a layer mapping
 * [N, channels, height, width] to [N, classes] logits, its masked layers holding the given
 * values in the given mode. The caller owns the model and disposes it.
 */
export function buildModel(config: ModelConfig, options: ModelBuildOptions): Layer {
  const layout = maskedLayout(config);
  const layers = new MaskedLayerMaker(layout, options);
  const model = construct(config, layers, options.scoreSeed);
  const built = maskedLayerNames(model);
  const expected = layout.map((layer) => layer.name);
  if (built.join("\n") !== expected.join("\n")) {
    model.dispose();
    throw new Error(
      `${config.name} built masked layers [${built}] but its layout lists [${expected}]`,
    );
  }
  return model;
}

function construct(config: ModelConfig, layers: MaskedLayerMaker, scoreSeed: number): Layer {
  switch (config.name) {
    case "convmixer":
      return new ConvMixer(config, layers);
    case "vit":
      return new Vit(config, layers, scoreSeed);
    case "resnet":
      return new Resnet(config, layers);
    case "mlp":
      return new Mlp(config, layers);
  }
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
