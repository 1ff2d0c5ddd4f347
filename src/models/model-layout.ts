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
