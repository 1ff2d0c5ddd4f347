import type { SweepSpecInput } from "../sweep-spec.js";
import { CONVMIXER_PEMN, CONVMIXER_TRAIN, CONVMIXER_TRAINED } from "./cifar-presets.js";
import { representationMethods, rpMethods, seedAxis, WHOLE_TRAINING_SET } from "./preset-parts.js";

/*
 * Tiny-ImageNet (200 classes, 64 x 64): the data is the user's extracted tiny-imagenet-200/
 * folder, relative to where pemn sweep runs (`--set data.source.dir=/path` points elsewhere).
 */

export const fig3Tiny: SweepSpecInput = {
  name: "fig3-tiny",
  title: "Representation (Fig. 3) on Tiny-ImageNet",
  description:
    "The paper's Fig. 3 strategies on Tiny-ImageNet (200 classes, 64x64, tested on its labelled val folder): ConvMixer-256/8 with kernel 5 and patch 4 (a 16x16 token grid, as patch 2 gives on CIFAR; the patch is our choice), the reference ConvMixer recipe (AdamW lr 0.05 for masks, 0.01 for dense values; batch 512, 100 epochs, the reference augmentation), dense, mask, one-layer, MP and RP at ratios 1e-1 to 1e-5, every training image used for training (no validation split: the last epoch is the model), keep fraction 0.5, 3 seeds. For a GPU machine: 100,000 images a epoch.",
  figure: "representation",
  base: {
    keepFraction: 0.5,
    data: {
      source: { name: "tiny-imagenet", dir: "tiny-imagenet-200" },
      validation: WHOLE_TRAINING_SET,
    },
    train: CONVMIXER_TRAIN,
  },
  axes: {
    backbone: [
      {
        label: "ConvMixer-256/8",
        config: { model: { name: "convmixer", dim: 256, depth: 8, kernel: 5, patch: 4 } },
      },
    ],
    method: [
      ...representationMethods(CONVMIXER_PEMN, CONVMIXER_TRAINED),
      ...rpMethods([1e-1, 1e-2, 1e-3, 1e-4, 1e-5], CONVMIXER_PEMN),
    ],
    seed: seedAxis(3),
  },
};
