import { flattenedSize, type MaskedLayerSpec } from "../weights/layer-spec.js";
import { BATCH } from "./network.js";
import { type LayerDeclaration, ShapeBuilder } from "./network-layout.js";
import { backboneOf, type ModelConfig } from "./registry.js";

/** A model's network as the pure builder sees it. */
export interface ModelLayout {
  /** Every layer, norm and tensor the network declares, in the order it first uses them. */
  readonly declarations: readonly LayerDeclaration[];
  /** The masked layers in definition order, as the weight strategies number them. */
  readonly maskedLayers: readonly MaskedLayerSpec[];
  /** Multiply-accumulates of one image's forward pass (convs, linears, matmuls). */
  readonly forwardMacs: number;
}

/** Runs the config's network on shapes (pure: the `.pemn` decoder calls it in a browser). */
export function modelLayout(config: ModelConfig): ModelLayout {
  const builder = new ShapeBuilder();
  const { channels, height, width } = config.input;
  const output = backboneOf(config).network(builder, [BATCH, channels, height, width], config);
  if (output.join() !== [BATCH, config.classes].join()) {
    throw new Error(`${config.name}'s network gives [${output}], not [N, ${config.classes}]`);
  }
  const maskedLayers = builder.declarations.flatMap((declaration) =>
    declaration.kind === "conv" || declaration.kind === "linear" ? [declaration.spec] : [],
  );
  return { declarations: builder.declarations, maskedLayers, forwardMacs: builder.macs };
}

/**
 * Whether a norm layer follows every masked layer but the classifier (the last, whose output
 * is the logits) before the next masked layer, in the order the network first uses them. Then
 * a norm undoes each layer's output scale, and the strategies that share one layer's values
 * need no rescaling; without, small values tiled into layers of small fan-in make the signal
 * vanish layer by layer.
 */
export function normalisesEveryMaskedLayer(layout: ModelLayout): boolean {
  let unnormalised = false;
  for (const declaration of layout.declarations) {
    if (declaration.kind === "conv" || declaration.kind === "linear") {
      if (unnormalised) return false;
      unnormalised = true;
    } else if (declaration.kind === "batchNorm" || declaration.kind === "layerNorm") {
      unnormalised = false;
    }
  }
  return true;
}

/**
 * mp's and rp's rescaling when a config does not say: "none" (the paper's, and the official
 * code's) where norms follow every masked layer, "fan-in" elsewhere.
 */
export function defaultRescale(layout: ModelLayout): "none" | "fan-in" {
  return normalisesEveryMaskedLayer(layout) ? "none" : "fan-in";
}

/** The model's masked layers in definition order (modelLayout's). */
export function maskedLayout(config: ModelConfig): readonly MaskedLayerSpec[] {
  return modelLayout(config).maskedLayers;
}

/** Whether the model normalises with BatchNorm, which needs at least two images per training batch. */
export function usesBatchNorm(config: ModelConfig): boolean {
  return modelLayout(config).declarations.some((declaration) => declaration.kind === "batchNorm");
}

/** Number of masked weights in a layout: one mask bit each. */
export function maskedWeightCount(layers: readonly MaskedLayerSpec[]): number {
  return layers.reduce((sum, layer) => sum + flattenedSize(layer.shape), 0);
}
