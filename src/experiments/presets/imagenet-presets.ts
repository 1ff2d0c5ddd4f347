import { IMAGENET100_CLASSES } from "../../data/imagenet100-classes.js";
import type { SweepSpecInput } from "../sweep-spec.js";
import {
  compressionAxis,
  denseMethod,
  pruningMethods,
  RESNET_SGD,
  rpMethods,
  seedAxis,
  WHOLE_TRAINING_SET,
} from "./preset-parts.js";

/*
 * The paper's ImageNet-100 experiment (its supplement's compression figure for ResNet-50),
 * on the user's copy of ImageNet: no ImageNet data ships with pemn or can be downloaded.
 */

/**
 * Where the user's ImageNet-100 is: a folder with `train/` and `val/`, each holding one
 * folder per class named by its WordNet ID (IMAGENET100_CLASSES, docs/data.md), read by the
 * image-folder dataset at 224x224. The one line to change for another location or reader.
 */
export const IMAGENET100_SOURCE: Record<string, unknown> = {
  name: "folder",
  dir: "imagenet100",
  size: 224,
  // Named, so that the runs' configs hold the class order without reading the folder.
  classes: [...IMAGENET100_CLASSES],
};

/** The compression ratios of the paper's ImageNet-100 figure's pruned baselines. */
const IMAGENET100_COMPRESSIONS = [0.92, 0.94, 0.96] as const;

/**
 * What the figure plots: dense ResNet-50, PEMN with RP 1e-1/1e-2/1e-3 (at ResNet-50's size
 * these land at about 95.9, 96.8 and 96.9% storage compression, where its three PEMN points
 * are) and smallest-magnitude pruning at 92/94/96%. One seed: its points are single runs.
 */
export const imagenet100Resnet50 = (source = IMAGENET100_SOURCE): SweepSpecInput => ({
  name: "imagenet100-resnet50",
  title: "Compression on ImageNet-100, ResNet-50",
  description:
    "The paper's ImageNet-100 compression figure: ResNet-50 (torchvision's layout, 224x224 images, 100 classes) as PEMN with RP 1e-1, 1e-2, 1e-3 against a sparse network trained from scratch after smallest-magnitude pruning at initialisation (per layer, CSR index of 8 bits) at storage compression ratios 92/94/96%, and dense; one seed. The paper gives no ImageNet recipe: this is the CIFAR ResNet presets' (SGD lr 0.1, momentum 0.9, weight decay 5e-4, cosine, batch 256) for 100 epochs with ImageNet's random-resized crop and flip; every training image used for training (no validation split: the last epoch is the model); keep fraction 0.5. The data is the user's ImageNet-100 folder (CMC's 100 classes, docs/data.md).",
  figure: "compression",
  base: {
    keepFraction: 0.5,
    data: { source, validation: WHOLE_TRAINING_SET },
    train: {
      epochs: 100,
      batchSize: 256,
      schedule: { kind: "cosine" },
      augmentation: [
        { kind: "randomResizedCrop", scale: [0.08, 1] },
        { kind: "horizontalFlip", p: 0.5 },
      ],
      testEachEpoch: true,
      optimizer: RESNET_SGD,
    },
  },
  axes: {
    backbone: [{ label: "ResNet-50", config: { model: { name: "imagenet-resnet", depth: 50 } } }],
    method: [
      denseMethod(RESNET_SGD),
      ...rpMethods([1e-1, 1e-2, 1e-3], RESNET_SGD),
      ...pruningMethods(RESNET_SGD, ["magnitude"]),
    ],
    compression: compressionAxis(IMAGENET100_COMPRESSIONS, ["magnitude"]),
    seed: seedAxis(1),
  },
});
