import type { SweepSpecInput } from "../sweep-spec.js";
import {
  compressionAxis,
  denseMethod,
  mpMethod,
  PAPER_COMPRESSIONS,
  pruningMethods,
  RESNET_SGD,
  representationMethods,
  rpMethods,
  seedAxis,
  WHOLE_TRAINING_SET,
} from "./preset-parts.js";

/*
 * The paper's own settings (its backbones, training recipes and CIFAR experiments), for
 * machines with the data and the time. The data directory is the official archive's folder
 * name, relative to where pemn sweep runs; `--set data.source.dir=/path` points elsewhere.
 */

/** The reference ConvMixer recipe: AdamW, batch 512, 100 epochs, piecewise-linear rate. */
export const CONVMIXER_TRAIN = {
  epochs: 100,
  batchSize: 512,
  schedule: { kind: "piecewise-linear" },
  augmentation: [
    { kind: "randomResizedCrop", scale: [0.75, 1] },
    { kind: "horizontalFlip", p: 0.5 },
    { kind: "randAugment", numOps: 1, magnitude: 8 },
    { kind: "colorJitter", brightness: 0.1, contrast: 0.1, saturation: 0.1 },
    { kind: "randomErasing", p: 0.25 },
  ],
  testEachEpoch: true,
};
export const CONVMIXER_PEMN = { kind: "adamw", lr: 0.05, weightDecay: 0.005 };
/** Trained ConvMixer values: the ConvMixer CIFAR script's default rate. */
export const CONVMIXER_TRAINED = { kind: "adamw", lr: 0.01, weightDecay: 0.005 };

/**
 * ResNets: the supplement's batch 256, 200 epochs, momentum 0.9, weight decay 5e-4, with
 * edge-popup's SGD lr 0.1 and cosine schedule (lr 1e-4 does not train SGD in 200 epochs);
 * the same recipe for masks, dense and pruned values. Standard CIFAR crop and flip.
 */
const RESNET_TRAIN = {
  epochs: 200,
  batchSize: 256,
  schedule: { kind: "cosine" },
  augmentation: [
    { kind: "randomCrop", padding: 4 },
    { kind: "horizontalFlip", p: 0.5 },
  ],
  testEachEpoch: true,
};
const cifar10 = {
  source: { name: "cifar10", dir: "cifar-10-batches-bin" },
  validation: WHOLE_TRAINING_SET,
};
const cifar100 = {
  source: { name: "cifar100", dir: "cifar-100-binary" },
  validation: WHOLE_TRAINING_SET,
};

const backbones = (name: "convmixer" | "vit", depths: number[], dims: number[]) =>
  depths.flatMap((depth) =>
    dims.map((dim) => ({
      label: `${name === "vit" ? "ViT" : "ConvMixer"}-${dim}/${depth}`,
      config: {
        model: name === "vit" ? { name, dim, depth } : { name, dim, depth, kernel: 5, patch: 2 },
      },
    })),
  );

export const fig3Cifar10: SweepSpecInput = {
  name: "fig3-cifar10",
  title: "Representation (Fig. 3) on CIFAR-10",
  description:
    "The paper's Fig. 3 as published: ConvMixer (kernel 5, patch 2) and ViT (patch 4, 8 heads, MLP ratio 2) of depth 6/8 and dim 256/512 on CIFAR-10, the reference ConvMixer recipe for both (AdamW lr 0.05 for masks, 0.01 for dense values; batch 512, 100 epochs, the reference augmentation), every training image used for training, as the reference code does (no validation split: the last epoch is the model), keep fraction 0.5.",
  figure: "representation",
  base: { keepFraction: 0.5, data: cifar10, train: CONVMIXER_TRAIN },
  axes: {
    backbone: [
      ...backbones("convmixer", [6, 8], [256, 512]),
      ...backbones("vit", [6, 8], [256, 512]),
    ],
    method: [
      ...representationMethods(CONVMIXER_PEMN, CONVMIXER_TRAINED),
      ...rpMethods([1e-1, 1e-2, 1e-3, 1e-4, 1e-5], CONVMIXER_PEMN),
    ],
    seed: seedAxis(3),
  },
};

const resnetCompression = (
  name: string,
  dataset: string,
  data: Record<string, unknown>,
): SweepSpecInput => ({
  name,
  title: `Compression (Fig. 4) on ${dataset}`,
  description: `The paper's Fig. 4 on ${dataset}: CIFAR ResNet-32 and ResNet-56 (shortcut A), PEMN (MP, RP 1e-1, RP 1e-2) against sparse networks trained from scratch after random or smallest-magnitude pruning at initialisation (per layer, CSR index of 8 bits) at storage compression ratios 90/92/94/96%, and dense; SGD lr 0.1, momentum 0.9, weight decay 5e-4, cosine, batch 256, 200 epochs, crop and flip; every training image used for training, as the reference code does (no validation split: the last epoch is the model); keep fraction 0.5.`,
  figure: "compression",
  base: { keepFraction: 0.5, data, train: { ...RESNET_TRAIN, optimizer: RESNET_SGD } },
  axes: {
    backbone: [32, 56].map((depth) => ({
      label: `ResNet-${depth}`,
      config: { model: { name: "resnet", depth } },
    })),
    method: [
      denseMethod(RESNET_SGD),
      mpMethod(RESNET_SGD),
      ...rpMethods([1e-1, 1e-2], RESNET_SGD),
      ...pruningMethods(RESNET_SGD),
    ],
    compression: compressionAxis(PAPER_COMPRESSIONS),
    seed: seedAxis(3),
  },
});

export const fig4Cifar10 = resnetCompression("fig4-cifar10", "CIFAR-10", cifar10);
export const fig4Cifar100 = resnetCompression("fig4-cifar100", "CIFAR-100", cifar100);

export const fig5Cifar10: SweepSpecInput = {
  name: "fig5-cifar10",
  title: "Compression (Fig. 5) on CIFAR-10, ConvMixer",
  description:
    "The paper's Fig. 5: ConvMixer-256 (kernel 5, patch 2) of depth 6 and 8 on CIFAR-10, PEMN (RP 1e-1, 1e-2, 1e-3) against sparse networks trained from scratch after random or smallest-magnitude pruning at initialisation (per layer, CSR index of 8 bits) at storage compression ratios 90/92/94/96%, and dense; the reference ConvMixer recipe (AdamW lr 0.05 for masks, 0.01 for trained values; batch 512, 100 epochs, the reference augmentation); every training image used for training, as the reference code does (no validation split: the last epoch is the model); keep fraction 0.5.",
  figure: "compression",
  base: { keepFraction: 0.5, data: cifar10, train: CONVMIXER_TRAIN },
  axes: {
    backbone: backbones("convmixer", [6, 8], [256]),
    method: [
      denseMethod(CONVMIXER_TRAINED),
      ...rpMethods([1e-1, 1e-2, 1e-3], CONVMIXER_PEMN),
      ...pruningMethods(CONVMIXER_TRAINED),
    ],
    compression: compressionAxis(PAPER_COMPRESSIONS),
    seed: seedAxis(3),
  },
};
