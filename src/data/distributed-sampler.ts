import type { RandomSource } from "./random-source.js";

/**
 * This process's part of data-parallel loading. Every rank draws the same seeded order of
 * the epoch and takes its contiguous share of each global batch, so the global batches are
 * those of a single-process run of the same seed; `random` draws this rank's augmentations
 * (a stream of its own, so ranks do not repeat each other's crops and flips).
 */
export interface DataShard {
  readonly rank: number;
  readonly worldSize: number;
  readonly random?: RandomSource;
}

/** [begin, end) of `shard`'s images within a global batch of `size` (shares differ by at most 1). */
export function shardRange(size: number, shard: DataShard): readonly [number, number] {
  const { rank, worldSize } = shard;
  return [Math.floor((size * rank) / worldSize), Math.floor((size * (rank + 1)) / worldSize)];
}

/**
 * Throws when a training batch of the epoch would leave a rank without images (each rank
 * must take part in every step's all-reduce with a gradient of its own).
 */
export function checkShardable(
  count: number,
  batchSize: number,
  dropLast: boolean,
  worldSize: number,
): void {
  if (batchSize < worldSize) {
    throw new RangeError(
      `batchSize ${batchSize} (the global batch) is smaller than the world size ${worldSize}: every rank needs an image per step`,
    );
  }
  const last = count % batchSize;
  if (!dropLast && last > 0 && last < worldSize) {
    throw new RangeError(
      `the epoch's last batch holds ${last} images, fewer than the ${worldSize} ranks: set dropLast, or change batchSize or the training set's size`,
    );
  }
}
