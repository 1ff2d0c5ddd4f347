import {
  type BackboneLayout,
  convLayer,
  linearLayer,
  type MaskedLayerSpec,
} from "./masked-layer-spec.js";
import type { ResnetConfig } from "./resnet-config.js";

/** Channels of the three stages; each stage after the first halves height and width. */
export const RESNET_STAGE_WIDTHS = [16, 32, 64] as const;

export interface ResnetBlockLayout {
  /** 3x3, stride `stride`, in -> out channels (its shape gives both). */
  readonly conv1: MaskedLayerSpec;
  /** 3x3, stride 1, out -> out channels. */
  readonly conv2: MaskedLayerSpec;
  readonly stride: number;
  /** Option B's 1x1 conv where the shape changes; null for identity or option A. */
  readonly projection: MaskedLayerSpec | null;
}

export interface ResnetLayout extends BackboneLayout {
  readonly stem: MaskedLayerSpec;
  readonly stages: readonly (readonly ResnetBlockLayout[])[];
  readonly classifier: MaskedLayerSpec;
}

/** CIFAR ResNet's masked layers: stem conv, per block two 3x3 convs (+ option B 1x1), classifier. */
export function resnetLayout(config: ResnetConfig): ResnetLayout {
  const blocksPerStage = (config.depth - 2) / 6;
  const stem = convLayer("stem", RESNET_STAGE_WIDTHS[0], config.input.channels, 3);
  let channels: number = RESNET_STAGE_WIDTHS[0];
  const stages = RESNET_STAGE_WIDTHS.map((width, stage) =>
    Array.from({ length: blocksPerStage }, (_, index) => {
      const prefix = `stages.${stage}.${index}`;
      const stride = stage > 0 && index === 0 ? 2 : 1;
      const reshapes = stride !== 1 || channels !== width;
      const block = {
        conv1: convLayer(`${prefix}.conv1`, width, channels, 3),
        conv2: convLayer(`${prefix}.conv2`, width, width, 3),
        stride,
        projection:
          reshapes && config.shortcut === "B"
            ? convLayer(`${prefix}.shortcut.conv`, width, channels, 1)
            : null,
      };
      channels = width;
      return block;
    }),
  );
  const classifier = linearLayer("classifier", config.classes, channels);
  return {
    stem,
    stages,
    classifier,
    layers: [
      stem,
      ...stages
        .flat()
        .flatMap((block) => [
          block.conv1,
          block.conv2,
          ...(block.projection ? [block.projection] : []),
        ]),
      classifier,
    ],
  };
}
