import type { ConvMixerConfig } from "./convmixer-config.js";
import {
  type BackboneLayout,
  convLayer,
  linearLayer,
  type MaskedLayerSpec,
} from "./masked-layer-spec.js";

export interface ConvMixerBlockLayout {
  readonly depthwise: MaskedLayerSpec;
  readonly pointwise: MaskedLayerSpec;
}

export interface ConvMixerLayout extends BackboneLayout {
  readonly patchEmbed: MaskedLayerSpec;
  readonly blocks: readonly ConvMixerBlockLayout[];
  readonly classifier: MaskedLayerSpec;
}

/** ConvMixer's masked layers: patch conv, per block a depthwise and a 1x1 conv, classifier. */
export function convMixerLayout(config: ConvMixerConfig): ConvMixerLayout {
  const { dim, kernel } = config;
  const patchEmbed = convLayer("patchEmbed", dim, config.input.channels, config.patch);
  const blocks = Array.from({ length: config.depth }, (_, index) => ({
    depthwise: convLayer(`blocks.${index}.depthwise`, dim, 1, kernel),
    pointwise: convLayer(`blocks.${index}.pointwise`, dim, dim, 1),
  }));
  const classifier = linearLayer("classifier", config.classes, dim);
  return {
    patchEmbed,
    blocks,
    classifier,
    layers: [
      patchEmbed,
      ...blocks.flatMap((block) => [block.depthwise, block.pointwise]),
      classifier,
    ],
  };
}
