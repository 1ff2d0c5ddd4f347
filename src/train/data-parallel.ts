import { checkShardable, type DataShard, type RandomSource } from "../data/index.js";
import { type ProcessGroup, type Tensor, tensor } from "../engine/index.js";
import { BatchNorm, type Layer } from "../nn/index.js";
import { RunningTotals } from "./running-totals.js";
import type { TrainConfig } from "./train-config.js";

/** As DDP's default: gradients travel in buckets of about 25 MiB, one all-reduce each. */
export const DEFAULT_BUCKET_BYTES = 25 * 2 ** 20;

export interface DataParallelOptions {
  readonly group: ProcessGroup;
  /** Normalise with the global batch's statistics (sync-bn); else each rank's own, as DDP. */
  readonly syncBatchNorm?: boolean;
  readonly bucketBytes?: number;
  /** Where the model lives ("cpu", "cuda:N"): NCCL reduces only tensors on the GPU. */
  readonly device?: string;
}

/**
 * What DDP does, for a model every rank built from the same seed: the fixed weights are
 * never sent, only the gradients of the trained parameters (scores and norms; the values
 * too in dense mode) are summed over ranks after backward, in buckets. Each rank scales its
 * loss by its share of the global batch, so the sum is the global batch's mean gradient.
 */
export class DataParallel {
  readonly group: ProcessGroup;
  readonly syncBatchNorm: boolean;
  readonly device: string;
  readonly #bucketBytes: number;
  #stepStart = 0;
  #stepBytes = 0;

  constructor(options: DataParallelOptions) {
    this.group = options.group;
    this.syncBatchNorm = options.syncBatchNorm ?? false;
    this.#bucketBytes = options.bucketBytes ?? DEFAULT_BUCKET_BYTES;
    this.device = options.device ?? "cpu";
  }

  get rank(): number {
    return this.group.rank;
  }

  get worldSize(): number {
    return this.group.worldSize;
  }

  /** Rank 0 alone writes checkpoints, metrics and the summary. */
  get writes(): boolean {
    return this.group.rank === 0;
  }

  /** Bytes the last step all-reduced (gradients, and sync-bn statistics forward and back). */
  get bytesPerStep(): number {
    return this.#stepBytes;
  }

  shard(random?: RandomSource): DataShard {
    return { rank: this.group.rank, worldSize: this.group.worldSize, random };
  }

  /**
   * Checks that every step gives each rank images, and hooks sync-bn into every BatchNorm
   * of `model` (when asked for).
   */
  prepare(model: Layer, trainCount: number, config: TrainConfig): void {
    checkShardable(trainCount, config.batchSize, config.dropLast, this.worldSize);
    if (!this.syncBatchNorm) return;
    for (const [, module] of model.namedModules()) {
      if (module instanceof BatchNorm) {
        module.statisticsReducer = (sums) => this.group.allReduceWithGrad(sums);
      }
    }
  }

  /** Marks the start of a step (before forward: sync-bn all-reduces there), for bytesPerStep. */
  startStep(): void {
    this.#stepStart = this.group.bytesAllReduced;
  }

  /** The factor of this rank's mean loss: its share of the global batch. */
  lossScale(localSize: number, globalSize: number): number {
    return localSize / globalSize;
  }

  /**
   * Sums the gradients of `parameters` over ranks in place, bucket by bucket (parameters
   * without a gradient are the same on every rank, and skipped).
   */
  reduceGradients(parameters: readonly Tensor[]): void {
    let bucket: Tensor[] = [];
    let bytes = 0;
    const flush = () => {
      if (bucket.length > 0) this.group.allReduce(bucket, "sum");
      for (const grad of bucket) grad.dispose();
      bucket = [];
      bytes = 0;
    };
    for (const parameter of parameters) {
      const grad = parameter.grad;
      if (grad === null) continue;
      bucket.push(grad);
      bytes += grad.size * 4;
      if (bytes >= this.#bucketBytes) flush();
    }
    flush();
    this.#stepBytes = this.group.bytesAllReduced - this.#stepStart;
  }

  /**
   * Gives every rank rank 0's BatchNorm running statistics (DDP broadcasts buffers too), so
   * evaluation and checkpoints see one model. With sync-bn they already agree.
   */
  syncBuffers(model: Layer): void {
    if (this.syncBatchNorm) return;
    const buffers = model
      .namedModules()
      .flatMap(([, module]) =>
        module instanceof BatchNorm ? [module.runningMean, module.runningVar] : [],
      );
    if (buffers.length > 0) this.group.broadcast(buffers, 0);
  }

  /** The totals of all ranks together (one small all-reduce, in float64). */
  reduceTotals(totals: RunningTotals): RunningTotals {
    const sums = tensor(Float64Array.from(totals.sums), [3], "float64").toDevice(this.device);
    try {
      this.group.allReduce([sums], "sum");
      const [lossSum, correct, count] = Array.from(sums.toArray() as Float64Array);
      return RunningTotals.fromSums([lossSum as number, correct as number, count as number]);
    } finally {
      sums.dispose();
    }
  }
}
