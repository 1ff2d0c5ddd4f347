import {
  type BackboneLayout,
  convLayer,
  linearLayer,
  type MaskedLayerSpec,
} from "./masked-layer-spec.js";
import type { VitConfig } from "./vit-config.js";

export interface VitBlockLayout {
  readonly qkv: MaskedLayerSpec;
  readonly proj: MaskedLayerSpec;
  readonly fc1: MaskedLayerSpec;
  readonly fc2: MaskedLayerSpec;
}

export interface VitLayout extends BackboneLayout {
  readonly patchEmbed: MaskedLayerSpec;
  /** The patch grid: tokens = rows x columns. */
  readonly rows: number;
  readonly columns: number;
  readonly blocks: readonly VitBlockLayout[];
  readonly classifier: MaskedLayerSpec;
}

/** ViT's masked layers: patch conv, per block qkv, proj, fc1, fc2, classifier. */
export function vitLayout(config: VitConfig): VitLayout {
  const { dim } = config;
  const hidden = dim * config.mlpRatio;
  const patchEmbed = convLayer("patchEmbed", dim, config.input.channels, config.patch);
  const blocks = Array.from({ length: config.depth }, (_, index) => ({
    qkv: linearLayer(`blocks.${index}.attention.qkv`, 3 * dim, dim),
    proj: linearLayer(`blocks.${index}.attention.proj`, dim, dim),
    fc1: linearLayer(`blocks.${index}.mlp.fc1`, hidden, dim),
    fc2: linearLayer(`blocks.${index}.mlp.fc2`, dim, hidden),
  }));
  const classifier = linearLayer("classifier", config.classes, dim);
  return {
    patchEmbed,
    rows: config.input.height / config.patch,
    columns: config.input.width / config.patch,
    blocks,
    classifier,
    layers: [
      patchEmbed,
      ...blocks.flatMap((block) => [block.qkv, block.proj, block.fc1, block.fc2]),
      classifier,
    ],
  };
}
