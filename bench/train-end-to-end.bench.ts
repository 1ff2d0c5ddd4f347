/**
 * `pemn train` end to end against its own training step (`npm run bench -- --only data`):
 * the images per second of real training epochs, `pemn train` in a child process as users
 * run it (data read, augmented, batched, uploaded; the step; the loss read back; the
 * schedule), divided by the images per second of the bare step on the same network and
 * batch (bench/training-step.worker.ts, random tensors already in place). Goal >= 0.95.
 *
 * Two settings: CIFAR-10 files with the reference ConvMixer augmentation, and an image
 * folder of 64x64 JPEGs without augmentation. Both are generated: pixel values do not change
 * what the pipeline costs, and real CIFAR-10's 50,000 images would make an epoch minutes long.
 * A folder's decoding happens before training (into the data cache), so no epoch includes it;
 * the first epoch includes the data workers' first batches, so the best of the later ones is
 * the ratio's and the first is shown beside it.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import { defaultDataWorkers } from "../src/data/batch-workers.js";
import { cifarFileNames } from "../src/data/load-dataset.js";
import { CONVMIXER_TRAIN } from "../src/experiments/presets/cifar-presets.js";
import { createGenerator } from "../src/random/index.js";
import { benchScript } from "./python-reference.js";

const run = promisify(execFile);
const PEMN = fileURLToPath(new URL("../bin/pemn.js", import.meta.url));

const BATCH = 64;
/** Small enough that the section takes about a minute on 2 cores, deep enough to be a network. */
const NETWORK = { name: "convmixer", dim: 64, depth: 4, kernel: 5 } as const;
const STRATEGY = { kind: "mask" } as const;

interface Setting {
  readonly name: string;
  readonly patch: number;
  readonly side: number;
  /** Writes the data under `dir`; returns the train flags that read it. */
  readonly write: (dir: string, images: number) => Promise<string[]>;
}

const SETTINGS: readonly Setting[] = [
  {
    name: "CIFAR-10 files, reference augmentation",
    patch: 2,
    side: 32,
    write: async (dir, images) => {
      writeCifar10(dir, images);
      return [
        ...["--dataset", "cifar10", "--data-dir", dir],
        ...["--augment", JSON.stringify(CONVMIXER_TRAIN.augmentation)],
      ];
    },
  },
  {
    name: "image folder, 64x64 JPEGs, 10 classes",
    patch: 4,
    side: 64,
    write: async (dir, images) => {
      await writeJpegFolder(dir, images);
      return ["--dataset", "folder", "--data-dir", dir, "--image-size", "64"];
    },
  },
];

export interface EndToEndRow {
  readonly setting: string;
  readonly images: number;
  /** The data worker threads `pemn train` ran with (--workers). */
  readonly workers: number;
  readonly stepImgPerS: number;
  /** The best epoch after the first. */
  readonly trainImgPerS: number;
  readonly firstEpochImgPerS: number;
  /** trainImgPerS / stepImgPerS. */
  readonly ratio: number;
}

export async function benchTrainEndToEnd(options: {
  readonly quick: boolean;
  /** Data worker threads to train with; default none (the main thread) and pemn's default, at least 1. */
  readonly workerCounts?: readonly number[];
}): Promise<{ rows: EndToEndRow[]; network: string; batch: number; threads: string }> {
  const images = options.quick ? 640 : 1280;
  const epochs = options.quick ? 2 : 3;
  const rounds = options.quick ? 1 : 2;
  const workerCounts = options.workerCounts ?? [0, Math.max(1, defaultDataWorkers())];
  const work = mkdtempSync(join(tmpdir(), "pemn-bench-e2e-"));
  const rows: EndToEndRow[] = [];
  try {
    for (const [index, setting] of SETTINGS.entries()) {
      const dataDir = join(work, `data-${index}`);
      const flags = await setting.write(dataDir, images);
      const model = {
        ...NETWORK,
        patch: setting.patch,
        classes: 10,
        input: { channels: 3, height: setting.side, width: setting.side },
      };
      let step = 0;
      const trained = new Map(workerCounts.map((workers) => [workers, { best: 0, first: 0 }]));
      // Alternated, so load from elsewhere weighs on each alike; each keeps its best.
      for (let round = 0; round < rounds; round++) {
        step = Math.max(step, await stepImagesPerSecond(model));
        for (const workers of workerCounts) {
          const runDir = join(work, `run-${index}-${round}-${workers}`);
          const rates = await trainEpochRates(runDir, join(work, "cache"), [
            ...flags,
            ...["--model", "convmixer", "--dim", String(NETWORK.dim)],
            ...["--depth", String(NETWORK.depth), "--kernel", String(NETWORK.kernel)],
            ...["--patch", String(setting.patch), "--strategy", STRATEGY.kind],
            ...["--batch-size", String(BATCH), "--epochs", String(epochs)],
            ...["--val-fraction", "0", "--workers", String(workers)],
          ]);
          const soFar = trained.get(workers) as { best: number; first: number };
          trained.set(workers, {
            best: Math.max(soFar.best, ...rates.slice(1)),
            first: Math.max(soFar.first, rates[0] as number),
          });
          rmSync(runDir, { recursive: true, force: true });
        }
      }
      for (const [workers, train] of trained) {
        rows.push({
          setting: setting.name,
          images,
          workers,
          stepImgPerS: step,
          trainImgPerS: train.best,
          firstEpochImgPerS: train.first,
          ratio: train.best / step,
        });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    rows,
    network: `ConvMixer-${NETWORK.dim}/${NETWORK.depth}, kernel ${NETWORK.kernel}, ${STRATEGY.kind}`,
    batch: BATCH,
    threads: process.env.PEMN_THREADS ?? "every core",
  };
}

/** The bare step's images per second (forward, masks, backward, AdamW), in a process of its own. */
async function stepImagesPerSecond(model: Record<string, unknown>): Promise<number> {
  const spec = { model, strategy: STRATEGY, batch: BATCH, minSeconds: 3, minIterations: 10 };
  const { stdout } = await run(
    process.execPath,
    [...benchScript("training-step.worker"), JSON.stringify(spec)],
    { maxBuffer: 1 << 20 },
  );
  return (JSON.parse(stdout) as { img_per_s: number }).img_per_s;
}

/** `pemn train ...flags`; each epoch's training images per second, from its metrics.jsonl. */
async function trainEpochRates(
  runDir: string,
  cacheDir: string,
  flags: string[],
): Promise<number[]> {
  await run(
    process.execPath,
    [PEMN, "train", ...flags, "--run-dir", runDir, "--progress", "none", "--json"],
    { env: { ...process.env, PEMN_DATA: cacheDir }, maxBuffer: 16 << 20 },
  );
  return readFileSync(join(runDir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { img_per_s: number }).img_per_s);
}

/** CIFAR-10 binary files: `images` training records over its 5 files, a few test ones. */
function writeCifar10(dir: string, images: number): void {
  mkdirSync(dir, { recursive: true });
  const random = createGenerator(1, "bench/cifar10");
  const records = (count: number) => {
    const bytes = new Uint8Array(count * 3073);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = i % 3073 === 0 ? random.nextUint32() % 10 : random.nextUint32() & 0xff;
    }
    return bytes;
  };
  const files = cifarFileNames("cifar10", "train");
  const perFile = Math.ceil(images / files.length);
  for (const name of files) writeFileSync(join(dir, name), records(perFile));
  for (const name of cifarFileNames("cifar10", "test")) writeFileSync(join(dir, name), records(64));
}

/** 10 class folders of 64x64 JPEGs (smooth gradients, as photos compress): `images` in all. */
async function writeJpegFolder(dir: string, images: number): Promise<void> {
  const random = createGenerator(1, "bench/folder");
  for (let n = 0; n < images; n++) {
    const pixels = Buffer.alloc(64 * 64 * 3);
    const [r, g, b] = [0, 1, 2].map(() => random.nextUint32() % 128);
    for (let i = 0; i < 64 * 64; i++) {
      const [x, y] = [i % 64, Math.floor(i / 64)];
      pixels.set([(r as number) + x, (g as number) + y, (b as number) + ((x + y) >> 1)], i * 3);
    }
    const classDir = join(dir, `class-${n % 10}`);
    mkdirSync(classDir, { recursive: true });
    await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(join(classDir, `${n}.jpg`));
  }
}
