import type { SweepSpecInput } from "../sweep-spec.js";
import { PRUNING_LABELS, WHOLE_TRAINING_SET } from "./preset-parts.js";

/*
 * Issue 19's question: at a given file size, is a PEMN more accurate than what a user would
 * otherwise ship? Every method gets a ConvMixer (kernel 5, patch 4, depth 4) sized so that its
 * packed file (int8 norm tensors, BatchNorms folded) comes to about 8, 16, 32 and 64 KB; the
 * widths were found by packing each network once (docs/results/smallest-fashion/ has the bytes
 * measured). Everything else is equal: data, epochs, optimizer, the packing.
 */

const BUDGETS = ["8 KB", "16 KB", "32 KB", "64 KB"] as const;

interface SizedMethod {
  readonly label: string;
  readonly config: Record<string, unknown>;
  /** The ConvMixer width per budget (same order as BUDGETS). */
  readonly dims?: readonly [number, number, number, number];
  /** Pruned: one network (dim 128), the target storage compression per budget instead. */
  readonly compressions?: readonly [number, number, number, number];
}

const METHODS: readonly SizedMethod[] = [
  { label: "PEMN mask", config: { strategy: { kind: "mask" } }, dims: [88, 144, 216, 320] },
  {
    // A sparser mask costs less than a bit per weight (range-coded): a wider network per byte.
    label: "PEMN mask, keep 0.2",
    config: { strategy: { kind: "mask" }, keepFraction: 0.2 },
    dims: [104, 168, 252, 376],
  },
  {
    label: "8-bit quantized",
    config: { strategy: { kind: "quantized", bits: 8 } },
    dims: [26, 44, 70, 108],
  },
  {
    label: "4-bit quantized",
    config: { strategy: { kind: "quantized", bits: 4 } },
    dims: [40, 66, 102, 155],
  },
  { label: "binary", config: { strategy: { kind: "binary" } }, dims: [76, 130, 204, 310] },
  {
    label: PRUNING_LABELS.magnitude,
    config: {
      strategy: {
        kind: "pruned",
        criterion: "magnitude",
        pretrainEpochs: 0,
        scope: "layer",
        index: { kind: "csr", bits: 8 },
      },
    },
    compressions: [0.985, 0.96, 0.912, 0.815],
  },
];

const TRAIN_IMAGES = 20000;
const EPOCHS = 5;
const SEEDS = 3;

const convmixer = (dim: number) => ({ name: "convmixer", dim, depth: 4, kernel: 5, patch: 4 });

function sizedRuns(): SweepSpecInput["runs"] {
  // Seeds outermost, then budgets from the smallest: a sweep stopped part way has every
  // method at the budgets it reached.
  return Array.from({ length: SEEDS }, (_, seed) =>
    BUDGETS.flatMap((budget, index) =>
      METHODS.map((method) => {
        const dim = method.dims?.[index] ?? 128;
        const compression = method.compressions?.[index];
        const strategy = {
          ...(method.config.strategy as Record<string, unknown>),
          ...(compression === undefined ? {} : { compression }),
        };
        return {
          labels: {
            seed: String(seed),
            method: method.label,
            budget,
            backbone: `ConvMixer-${dim}/4`,
          },
          config: { ...method.config, strategy, model: convmixer(dim), seed },
        };
      }),
    ),
  ).flat();
}

export const smallestFashion: SweepSpecInput = {
  name: "smallest-fashion",
  title:
    "The smallest file that works: PEMN against quantized, binary and pruned networks at equal bytes",
  description: `Fashion-MNIST, ${TRAIN_IMAGES.toLocaleString("en-US")} training images (no validation split: the last epoch is the model), ${EPOCHS} epochs, batch 128, AdamW lr 0.01 (weight decay 0.005) with the piecewise-linear schedule for every method, tested on the full 10,000 test images, ${SEEDS} seeds. Each method trains a ConvMixer (kernel 5, patch 4, depth 4) whose width makes its packed file about 8, 16, 32 or 64 KB, everything included; every file packed the same way (int8 norm tensors, BatchNorms folded into a scale and a shift). PEMN masks keep 0.5 (one bit per weight) or 0.2 (range-coded, about 0.72 bits per weight); the quantized networks train with a straight-through estimator (levels and a bfloat16 scale per output channel); magnitude pruning keeps the largest initial weights of a ConvMixer-128/4 at the storage compression that gives the budget (CSR index of 8 bits, float32 values). Scaled down to fit about 3 hours on 2 cores; configs/smallest-fashion.yaml is the longer recipe (20 epochs on 60,000 images).`,
  figure: "size",
  pack: { norm: "int8", foldNorms: true },
  base: {
    data: {
      source: { name: "fashion-mnist" },
      validation: WHOLE_TRAINING_SET,
      trainLimit: TRAIN_IMAGES,
    },
    train: {
      epochs: EPOCHS,
      batchSize: 128,
      optimizer: { kind: "adamw", lr: 0.01, weightDecay: 0.005 },
      schedule: { kind: "piecewise-linear" },
    },
  },
  runs: sizedRuns(),
};
