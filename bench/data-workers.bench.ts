/**
 * The training data pipeline off the main thread (`npm run bench -- --only data`): images per
 * second read + augmented + normalised into batches by the CIFAR reference recipe on
 * CIFAR-shaped random images, made on the main thread (0 workers) and by 1 and 2 data
 * worker threads, measured in the same run; ratios against 0 workers. Also: what the main
 * thread still spends per image with workers (walking the stream, BatchLoader.recipes), and
 * how long a pool takes to start. The batches are consumed and dropped: no training step.
 */
import { availableParallelism } from "node:os";
import { parseAugmentationConfig } from "../src/data/augment/augmentation-config.js";
import { BatchLoader, type BatchStream } from "../src/data/batch-loader.js";
import { BatchWorkerPool } from "../src/data/batch-workers.js";
import type { Dataset } from "../src/data/dataset.js";
import { createGenerator } from "../src/random/index.js";

const AUGMENTATION = parseAugmentationConfig([
  { kind: "randomResizedCrop", scale: [0.75, 1] },
  { kind: "horizontalFlip" },
  { kind: "randAugment", numOps: 2, magnitude: 12 },
  { kind: "colorJitter", brightness: 0.1, contrast: 0.1, saturation: 0.1 },
  { kind: "randomErasing", p: 0.25 },
]);
const BATCH = 256;

export interface DataWorkerRow {
  readonly workers: number;
  readonly imgPerS: number;
  /** Against 0 workers, same run. */
  readonly ratio: number;
  /** Pool start (threads up, modules loaded), ms; 0 for the main thread. */
  readonly startMs: number;
  /**
   * CPU time of the whole process (every thread) per image, µs, over the measured rounds:
   * what the workers' way costs beyond the main thread's, and what other processes on the
   * machine barely change (wall-clock rates they do).
   */
  readonly cpuUsPerImage: number;
}

export interface DataWorkerFigures {
  readonly images: number;
  readonly batch: number;
  readonly cores: number;
  readonly rows: readonly DataWorkerRow[];
  /** The main thread's own work per image with workers: walking the draws, no pixels. */
  readonly recipesImgPerS: number;
}

export async function benchDataWorkers(options: {
  readonly quick: boolean;
  readonly workerCounts?: readonly number[];
}): Promise<DataWorkerFigures> {
  const count = options.quick ? 5120 : 20480;
  const rounds = options.quick ? 2 : 4;
  const random = createGenerator(1, "bench/data");
  const dataset: Dataset = {
    name: "cifar10",
    images: new Uint8Array(new SharedArrayBuffer(count * 3072)).map(
      () => random.nextUint32() & 0xff,
    ),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    count,
    channels: 3,
    height: 32,
    width: 32,
    classes: 10,
  };
  const rows: DataWorkerRow[] = [];
  const loader = (epoch: number) =>
    new BatchLoader(dataset, {
      mode: "train",
      batchSize: BATCH,
      dropLast: false,
      augmentation: AUGMENTATION,
      random: createGenerator(1, `train/data/epoch-${epoch}`),
    });
  // Seconds and CPU µs (all threads) of one epoch through a stream, batches waited for and dropped.
  const epochCost = async (batches: BatchStream): Promise<{ seconds: number; cpuUs: number }> => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (;;) {
      await batches.ready();
      if (batches.take() === null) break;
    }
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuUs: used.user + used.system };
  };

  const counts = [0, ...(options.workerCounts ?? [1, 2])];
  const pools = new Map<number, BatchWorkerPool>();
  const startMs = new Map<number, number>([[0, 0]]);
  try {
    for (const workers of counts.filter((n) => n > 0)) {
      const started = performance.now();
      pools.set(
        workers,
        await BatchWorkerPool.start(dataset, { workers, augmentation: AUGMENTATION }),
      );
      startMs.set(workers, performance.now() - started);
    }
    // Rounds alternate between the worker counts (idle workers take no CPU), so a load that
    // comes and goes weighs on each alike; each keeps its best epoch, after a warm-up one.
    const best = new Map(counts.map((workers) => [workers, Number.POSITIVE_INFINITY]));
    const cpuUs = new Map(counts.map((workers) => [workers, 0]));
    for (let round = 0; round <= rounds; round++) {
      for (const workers of counts) {
        const pool = pools.get(workers);
        const cost = await epochCost(pool ? pool.stream(loader(round)) : loader(round).stream());
        if (round === 0) continue;
        best.set(workers, Math.min(best.get(workers) as number, cost.seconds));
        cpuUs.set(workers, (cpuUs.get(workers) as number) + cost.cpuUs);
      }
    }
    const onMain = count / (best.get(0) as number);
    for (const workers of counts) {
      const imgPerS = count / (best.get(workers) as number);
      rows.push({
        workers,
        imgPerS,
        ratio: imgPerS / onMain,
        startMs: startMs.get(workers) as number,
        cpuUsPerImage: (cpuUs.get(workers) as number) / (rounds * count),
      });
    }
  } finally {
    for (const pool of pools.values()) await pool.close();
  }

  let recipesSeconds = Number.POSITIVE_INFINITY;
  for (let epoch = 0; epoch <= rounds; epoch++) {
    const started = performance.now();
    for (const _recipe of loader(epoch).recipes());
    recipesSeconds = Math.min(recipesSeconds, (performance.now() - started) / 1000);
  }
  return {
    images: count,
    batch: BATCH,
    cores: availableParallelism(),
    rows,
    recipesImgPerS: count / recipesSeconds,
  };
}
