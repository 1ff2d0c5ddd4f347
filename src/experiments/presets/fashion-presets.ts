import type { SweepSpecInput } from "../sweep-spec.js";
import {
  compressionAxis,
  denseMethod,
  mpMethod,
  PAPER_COMPRESSIONS,
  pruningMethods,
  representationMethods,
  rpMethods,
  seedAxis,
} from "./preset-parts.js";

/*
 * The paper's figures scaled down to Fashion-MNIST on 2 cores. The sizes (training subset,
 * epochs) were chosen with the time model of estimate-run.ts; docs/experiments.md has them.
 */

/** The quick start's recipe (configs/quickstart.yaml); fig4 trains every method with it. */
const PEMN_ADAMW = { kind: "adamw", lr: 0.01, weightDecay: 0.005 };
/** fig3's dense values: the same optimizer and schedule at a tenth of the rate. */
const TRAINED_ADAMW = { kind: "adamw", lr: 0.001, weightDecay: 0.005 };

/** Fashion-MNIST: a training subset, 1,000 validation images, the full 10,000 test images. */
const fashionData = (trainLimit: number) => ({
  source: { name: "fashion-mnist" },
  validation: { size: { count: 1000 } },
  trainLimit,
});

const FIG3_TRAIN_IMAGES = 8000;
const FIG3_EPOCHS = 3;

export const fig3Fashion: SweepSpecInput = {
  name: "fig3-fashion",
  title: "Representation (Fig. 3) on Fashion-MNIST",
  description: `The paper's Fig. 3 (CIFAR-10, ConvMixer and ViT of dim 256/512, depth 6/8, 100 epochs) scaled down to fit about 30 minutes on 2 cores: ConvMixer-128/4 (kernel 5, patch 4) and ViT-64/4 (patch 4, 4 heads) on Fashion-MNIST, ${FIG3_TRAIN_IMAGES.toLocaleString("en-US")} training images, ${FIG3_EPOCHS} epochs, no augmentation, test on the full 10,000 test images. PEMN strategies train masks with AdamW lr 0.01 (the quick start's recipe); dense trains the values with AdamW lr 0.001; keep fraction 0.5.`,
  figure: "representation",
  base: {
    keepFraction: 0.5,
    data: fashionData(FIG3_TRAIN_IMAGES),
    train: { epochs: FIG3_EPOCHS, batchSize: 128, schedule: { kind: "piecewise-linear" } },
  },
  axes: {
    backbone: [
      {
        label: "ConvMixer-128/4",
        config: { model: { name: "convmixer", dim: 128, depth: 4, kernel: 5, patch: 4 } },
      },
      {
        label: "ViT-64/4",
        config: { model: { name: "vit", dim: 64, depth: 4, patch: 4, heads: 4 } },
      },
    ],
    method: [
      ...representationMethods(PEMN_ADAMW, TRAINED_ADAMW),
      ...rpMethods([1e-1, 1e-2, 1e-3, 1e-4, 1e-5], PEMN_ADAMW),
    ],
    seed: seedAxis(3),
  },
};

const FIG4_TRAIN_IMAGES = 3000;
const FIG4_EPOCHS = 3;

export const fig4Fashion: SweepSpecInput = {
  name: "fig4-fashion",
  title: "Compression (Fig. 4) on Fashion-MNIST",
  description: `The paper's Fig. 4 (CIFAR ResNet-32/56, 200 epochs) scaled down to fit about 40 minutes on 2 cores: CIFAR ResNet-20 and ResNet-32 (16/32/64 channels, shortcut A) on Fashion-MNIST, ${FIG4_TRAIN_IMAGES.toLocaleString("en-US")} training images, ${FIG4_EPOCHS} epochs, no augmentation, test on the full 10,000 test images. PEMN (MP, RP 1e-1, RP 1e-2) trains masks, the dense network and the sparse baselines (random or smallest-magnitude pruning at initialisation, per layer, CSR index of 8 bits, at storage compression ratios 90/92/94/96%) train their values, all with one recipe, AdamW lr 0.01 (at lr 0.001 the sparse baselines reached only 16-34% in this budget); keep fraction 0.5.`,
  figure: "compression",
  base: {
    keepFraction: 0.5,
    data: fashionData(FIG4_TRAIN_IMAGES),
    train: { epochs: FIG4_EPOCHS, batchSize: 128, schedule: { kind: "piecewise-linear" } },
  },
  axes: {
    backbone: [
      { label: "ResNet-20", config: { model: { name: "resnet", depth: 20 } } },
      { label: "ResNet-32", config: { model: { name: "resnet", depth: 32 } } },
    ],
    method: [
      denseMethod(PEMN_ADAMW),
      mpMethod(PEMN_ADAMW),
      ...rpMethods([1e-1, 1e-2], PEMN_ADAMW),
      ...pruningMethods(PEMN_ADAMW),
    ],
    compression: compressionAxis(PAPER_COMPRESSIONS),
    seed: seedAxis(3),
  },
};
