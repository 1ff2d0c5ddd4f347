import type { AugmentationConfig } from "./augment/augmentation-config.js";
import { ImagePipeline } from "./augment/image-pipeline.js";
import type { Dataset } from "./dataset.js";
import { type DataShard, shardRange } from "./distributed-sampler.js";
import { valuesPerImage } from "./image-shape.js";
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

// Evaluation draws nothing; a pipeline without steps never calls the source.
const NO_RANDOMNESS: RandomSource = {
  nextFloat: () => {
    throw new Error("evaluation batches draw no random numbers");
  },
  nextUint32: () => {
    throw new Error("evaluation batches draw no random numbers");
  },
};

export class BatchLoader {
  private readonly pipeline: ImagePipeline;
  private readonly imageSize: number;

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
    this.imageSize = valuesPerImage(dataset);
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
    const order = this.epochOrder();
    const { batchSize, shard } = this.options;
    const random =
      this.options.mode === "train" ? (shard?.random ?? this.options.random) : NO_RANDOMNESS;
    const { channels, height, width } = this.dataset;
    for (let batch = 0; batch < this.batchesPerEpoch; batch++) {
      const globalSize = Math.min(batchSize, order.length - batch * batchSize);
      const [begin, end] = shard ? shardRange(globalSize, shard) : [0, globalSize];
      const start = batch * batchSize + begin;
      const size = end - begin;
      const images = new Float32Array(size * this.imageSize);
      const labels = new BigInt64Array(size);
      for (let i = 0; i < size; i++) {
        const index = order[start + i] as number;
        this.pipeline.transformImage(
          this.dataset.images,
          index * this.imageSize,
          images,
          i * this.imageSize,
          random,
        );
        labels[i] = BigInt(this.dataset.labels[index] as number);
      }
      yield { images, labels, size, globalSize, shape: [size, channels, height, width] };
    }
  }

  private epochOrder(): Int32Array {
    const order = new Int32Array(this.dataset.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return this.options.mode === "train" ? shuffleInPlace(order, this.options.random) : order;
  }
}
