/**
 * Data throughput: the CIFAR training augmentation on random 3x32x32 images, and loading the
 * real Fashion-MNIST files. Run: node --import tsx bench/data.bench.ts
 * The ConvMixer training step takes ~60-400 img/s on 2 cores; the data side must be far faster.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseAugmentationConfig } from "../src/data/augment/augmentation-config.js";
import { ImagePipeline } from "../src/data/augment/image-pipeline.js";
import { BatchLoader } from "../src/data/batch-loader.js";
import type { Dataset } from "../src/data/dataset.js";
import { FASHION_MNIST_DEFAULT_DIR } from "../src/data/dataset-source.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { DATASET_STATS } from "../src/data/normalization.js";
import { createGenerator } from "../src/random/index.js";

/** Best of `repeats` timed runs (after one warm-up), in images per second. */
function imagesPerSecond(images: number, repeats: number, run: () => void): number {
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return images / best;
}

function report(name: string, rate: number): void {
  console.log(`  ${name.padEnd(68)} ${Math.round(rate).toLocaleString("en-US").padStart(9)} img/s`);
}

const cifarShape = { channels: 3, height: 32, width: 32 };
const count = 4096;
const random = createGenerator(1);
const images = new Uint8Array(count * 3072);
for (let i = 0; i < images.length; i++) images[i] = random.nextUint32() & 0xff;

const stages: [string, unknown[]][] = [
  ["normalise only (evaluation)", []],
  ["random-resized-crop (scale 0.75..1)", [{ kind: "randomResizedCrop", scale: [0.75, 1] }]],
  ["RandAugment n=2 m=12", [{ kind: "randAugment", numOps: 2, magnitude: 12 }]],
  [
    "colour jitter 0.1/0.1/0.1",
    [{ kind: "colorJitter", brightness: 0.1, contrast: 0.1, saturation: 0.1 }],
  ],
  [
    "full: RRC + flip + RandAugment(2, 12) + jitter + normalise + erasing",
    [
      { kind: "randomResizedCrop", scale: [0.75, 1] },
      { kind: "horizontalFlip" },
      { kind: "randAugment", numOps: 2, magnitude: 12 },
      { kind: "colorJitter", brightness: 0.1, contrast: 0.1, saturation: 0.1 },
      { kind: "randomErasing", p: 0.25 },
    ],
  ],
];

console.log(`CIFAR-style augmentation, ${count} random 3x32x32 images, 1 thread:`);
for (const [name, steps] of stages) {
  const pipeline = new ImagePipeline(
    parseAugmentationConfig(steps),
    cifarShape,
    DATASET_STATS.cifar10,
  );
  const rate = imagesPerSecond(count, 5, () => pipeline.transformImages(images, random));
  report(name, rate);
}

const dataset: Dataset = {
  name: "cifar10",
  images,
  labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
  count,
  ...cifarShape,
  classes: 10,
};
const loader = new BatchLoader(dataset, {
  mode: "train",
  batchSize: 512,
  dropLast: true,
  augmentation: parseAugmentationConfig(stages[stages.length - 1]?.[1]),
  random,
});
const loaderRate = imagesPerSecond(count, 3, () => {
  for (const _batch of loader.epoch());
});
report("batch loader, batch 512, full pipeline (shuffle + int64 labels)", loaderRate);

if (existsSync(join(FASHION_MNIST_DEFAULT_DIR, "train-images-idx3-ubyte.gz"))) {
  const source = { name: "fashion-mnist", dir: FASHION_MNIST_DEFAULT_DIR } as const;
  for (const split of ["train", "test"] as const) {
    const start = process.hrtime.bigint();
    const loaded = loadDataset(source, split).count;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `Fashion-MNIST ${split} load (gunzip + parse): ${loaded} images in ${(seconds * 1000).toFixed(0)} ms, ` +
        `${Math.round(loaded / seconds).toLocaleString("en-US")} img/s`,
    );
  }
} else {
  console.log(
    `Fashion-MNIST load: skipped, ${FASHION_MNIST_DEFAULT_DIR} absent (apt-get install dataset-fashion-mnist)`,
  );
}
