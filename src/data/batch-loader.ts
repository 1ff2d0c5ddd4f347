import type { GeneratorSnapshot } from "../random/generator.js";
import type { AugmentationConfig } from "./augment/augmentation-config.js";
import { ImagePipeline } from "./augment/image-pipeline.js";
import type { Dataset } from "./dataset.js";
import { type DataShard, shardRange } from "./distributed-sampler.js";
import { type ChannelStats, datasetStats } from "./normalization.js";
import { type RandomSource, shuffleInPlace } from "./random-source.js";

/** One batch, ready to become tensors. */
export interface Batch {
  /** size x channels x height x width, normalised (and augmented when training). */
  readonly images: Float32Array;
  /** Class indices as int64, the target type libtorch's cross-entropy wants. */
  readonly labels: BigInt64Array;
  readonly size: number;
  /** Images of the batch over all ranks (`size` unless the loader is sharded). */
  readonly globalSize: number;
  /** [size, channels, height, width] of `images`. */
  readonly shape: readonly [number, number, number, number];
}

/** Training reshuffles and augments every epoch; evaluation keeps order and only normalises. */
export type BatchLoaderOptions =
  | {
      readonly mode: "train";
      readonly batchSize: number;
      /** Skip a last batch smaller than batchSize. */
      readonly dropLast: boolean;
      readonly augmentation: AugmentationConfig;
      /** Draws each epoch's order and every augmentation. */
      readonly random: RandomSource;
      /** Defaults to the dataset's constants. */
      readonly stats?: ChannelStats;
      /** Data-parallel: this rank's share of every batch (batchSize is then the global batch). */
      readonly shard?: DataShard;
    }
  | {
      readonly mode: "evaluate";
      readonly batchSize: number;
      readonly stats?: ChannelStats;
      readonly shard?: DataShard;
    };

export class BatchLoader {
  /** The loader's image transform (augmentation steps and normalisation). */
  readonly pipeline: ImagePipeline;

  constructor(
    readonly dataset: Dataset,
    readonly options: BatchLoaderOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
    const stats = options.stats ?? datasetStats(dataset.name, dataset.channels);
    const steps = options.mode === "train" ? options.augmentation : [];
    this.pipeline = new ImagePipeline(steps, dataset, stats);
  }

  /** Number of batches one epoch yields. */
  get batchesPerEpoch(): number {
    const { batchSize } = this.options;
    const count = this.dataset.count;
    const dropLast = this.options.mode === "train" && this.options.dropLast;
    return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
  }

  /**
   * One pass over the dataset. Each call to a training loader draws a new order, so the
   * sequence of epochs is fixed by the random source's seed. Every batch is freshly
   * allocated: callers may keep or hand its arrays to tensors.
   */
  *epoch(): Generator<Batch> {
    const random = this.augmentationRandom();
    for (const { begin, end, globalSize, order } of this.slices()) {
      yield assembleBatch(
        this.dataset,
        this.pipeline,
        order.subarray(begin, end),
        globalSize,
        random,
      );
    }
  }

  /**
   * `epoch()` as a BatchStream, made on this thread: `ready()` has nothing to wait for, and
   * `take()` makes the batch when it is asked for (BatchWorkerPool.stream makes them ahead,
   * in worker threads).
   */
  stream(): BatchStream {
    const batches = this.epoch();
    return {
      ready: () => Promise.resolve(),
      take: () => {
        const next = batches.next();
        return next.done ? null : next.value;
      },
      close: () => {
        batches.return(undefined);
      },
    };
  }

  /**
   * The same pass as `epoch()` (the same order, the same draws), as recipes a worker thread
   * turns into the same batches (src/data/batch-workers.ts): each names its images and the
   * stream's position at its first draw. The main thread walks the stream through every
   * image's draws (ImagePipeline.skipImage) without touching pixels, so the stream is the
   * one `epoch()` uses, and the batches do not depend on how many workers make them.
   * A training loader's random source must be a generator of src/random (it has `snapshot`).
   */
  *recipes(): Generator<BatchRecipe> {
    const random = this.augmentationRandom();
    const snapshots = this.options.mode === "train" ? snapshotting(random) : null;
    let batch = 0;
    for (const { begin, end, globalSize, order } of this.slices()) {
      const start = snapshots?.snapshot() ?? null;
      for (let i = begin; i < end; i++) this.pipeline.skipImage(random);
      // A copy: a view would take the whole epoch's order along to the worker.
      yield { batch: batch++, indices: order.slice(begin, end), globalSize, random: start };
    }
  }

  /** Draws the epoch's order, then gives each batch's range of it. */
  private *slices(): Generator<{
    begin: number;
    end: number;
    globalSize: number;
    order: Int32Array;
  }> {
    const order = this.epochOrder();
    const { batchSize, shard } = this.options;
    for (let batch = 0; batch < this.batchesPerEpoch; batch++) {
      const globalSize = Math.min(batchSize, order.length - batch * batchSize);
      const [begin, end] = shard ? shardRange(globalSize, shard) : [0, globalSize];
      const start = batch * batchSize;
      yield { begin: start + begin, end: start + end, globalSize, order };
    }
  }

  /** Where augmentations draw from: this rank's stream when sharded, else the order's stream. */
  private augmentationRandom(): RandomSource {
    if (this.options.mode !== "train") return NO_RANDOMNESS;
    return this.options.shard?.random ?? this.options.random;
  }

  private epochOrder(): Int32Array {
    const order = new Int32Array(this.dataset.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return this.options.mode === "train" ? shuffleInPlace(order, this.options.random) : order;
  }
}

/**
 * One pass of batches, in order, whoever makes them: `await ready()`, then `take()` the next
 * batch (null after the last) without waiting. `close()` ends a pass early.
 */
export interface BatchStream {
  /** Resolves once `take()` can answer at once; rejects with the error that ends the pass. */
  ready(): Promise<void>;
  /** The next batch, or null after the last; only after `ready()` has resolved. */
  take(): Batch | null;
  close(): void;
}

/** What a worker thread needs to make one batch of `BatchLoader.recipes()`. */
export interface BatchRecipe {
  /** The batch's place in the epoch, from 0. */
  readonly batch: number;
  /** Dataset indices of the batch's images (this rank's share), in batch order. */
  readonly indices: Int32Array;
  /** Images of the batch over all ranks. */
  readonly globalSize: number;
  /** The augmentation stream at the batch's first draw; null when nothing is drawn (evaluation). */
  readonly random: GeneratorSnapshot | null;
}

/**
 * The batch of the dataset's images at `indices`, each through `pipeline` drawing from
 * `random` in order: the one place batches are made, on the main thread or in a worker.
 */
export function assembleBatch(
  dataset: Dataset,
  pipeline: ImagePipeline,
  indices: Int32Array,
  globalSize: number,
  random: RandomSource,
): Batch {
  const imageSize = pipeline.imageSize;
  const size = indices.length;
  const images = new Float32Array(size * imageSize);
  const labels = new BigInt64Array(size);
  for (let i = 0; i < size; i++) {
    const index = indices[i] as number;
    pipeline.transformImage(dataset.images, index * imageSize, images, i * imageSize, random);
    labels[i] = BigInt(dataset.labels[index] as number);
  }
  const { channels, height, width } = dataset;
  return { images, labels, size, globalSize, shape: [size, channels, height, width] };
}

/** Evaluation never draws; a pipeline without steps never calls the source. */
export const NO_RANDOMNESS: RandomSource = {
  nextFloat: () => {
    throw new Error("evaluation batches draw no random numbers");
  },
  nextUint32: () => {
    throw new Error("evaluation batches draw no random numbers");
  },
};

function snapshotting(random: RandomSource): { snapshot(): GeneratorSnapshot } {
  const candidate = random as Partial<{ snapshot(): GeneratorSnapshot }>;
  if (typeof candidate.snapshot !== "function") {
    throw new TypeError(
      "worker threads continue the loader's random stream from snapshots: give it a generator of src/random (createGenerator)",
    );
  }
  return candidate as { snapshot(): GeneratorSnapshot };
}
