import { MaskedConv2d, MaskedLinear, MaskedWeight, type Module } from "../nn/index.js";

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
