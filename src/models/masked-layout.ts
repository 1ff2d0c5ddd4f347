import { convMixerLayout } from "./convmixer-layout.js";
import type { MaskedLayerSpec } from "./masked-layer-spec.js";
import { mlpLayout } from "./mlp-layout.js";
import type { ModelConfig } from "./model-schema.js";
import { resnetLayout } from "./resnet-layout.js";
import { vitLayout } from "./vit-layout.js";

/**
 * The model's masked layers in definition order, as the weight strategies number them.
 * Pure: the .pemn decoder calls it in a browser to know which values each layer gets.
 */
export function maskedLayout(config: ModelConfig): readonly MaskedLayerSpec[] {
  switch (config.name) {
    case "convmixer":
      return convMixerLayout(config).layers;
    case "vit":
      return vitLayout(config).layers;
    case "resnet":
      return resnetLayout(config).layers;
    case "mlp":
      return mlpLayout(config).layers;
  }
}
