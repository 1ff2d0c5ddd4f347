import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchLoader, BatchWorkerPool } from "../../src/data/index.js";
import type { EpochMetrics } from "../../src/train/epoch-metrics.js";
import { train } from "../../src/train/train.js";
import type { TrainConfigInput } from "../../src/train/train-config.js";
import { stateSnapshot, syntheticDataset, TinyMaskedMlp } from "./helpers.js";

/*
 * train() with data worker threads: the same run, bit for bit, as on the main thread (so the
 * number of workers is no part of the config), and the pool closed when training ends,
 * finished or failed.
 */

const data = {
  train: syntheticDataset({ count: 200, classes: 4, side: 8, seed: 1 }),
  validation: syntheticDataset({ count: 40, classes: 4, side: 8, seed: 2 }),
  test: syntheticDataset({ count: 40, classes: 4, side: 8, seed: 3 }),
};

const config: TrainConfigInput = {
  epochs: 2,
  batchSize: 32,
  optimizer: { kind: "adamw", lr: 0.02 },
  schedule: { kind: "piecewise-linear" },
  seed: 7,
  augmentation: [
    { kind: "randomResizedCrop", scale: [0.5, 1] },
    { kind: "horizontalFlip" },
    { kind: "randAugment", numOps: 2, magnitude: 9 },
    { kind: "colorJitter", brightness: 0.2, contrast: 0.2 },
    { kind: "randomErasing", p: 0.5, fill: "random" },
  ],
};

const makeModel = () => new TinyMaskedMlp({ inputs: 64, hidden: 16, classes: 4, seed: 11 });

function withoutTiming(history: readonly EpochMetrics[]) {
  return history.map(({ img_per_s: _speed, seconds: _seconds, ...rest }) => rest);
}

/** Runs `body` with every pool train() starts recorded. */
async function recordingPools<T>(
  body: () => Promise<T>,
): Promise<{ pools: BatchWorkerPool[]; outcome: T }> {
  const start = BatchWorkerPool.start;
  const pools: BatchWorkerPool[] = [];
  BatchWorkerPool.start = async (...args) => {
    const pool = await start.apply(BatchWorkerPool, args);
    pools.push(pool);
    return pool;
  };
  try {
    return { pools, outcome: await body() };
  } finally {
    BatchWorkerPool.start = start;
  }
}

function assertClosed(pool: BatchWorkerPool): void {
  const loader = new BatchLoader(data.train, { mode: "evaluate", batchSize: 32 });
  assert.throws(() => pool.stream(loader), /closed/);
}

test("2 workers train the same run as the main thread, bit for bit; the pool is closed after", async () => {
  const mainModel = makeModel();
  const onMain = await train({ model: mainModel, data, config, progress: "none", workers: 0 });
  const workerModel = makeModel();
  const { pools, outcome: withWorkers } = await recordingPools(() =>
    train({ model: workerModel, data, config, progress: "none", workers: 2 }),
  );
  assert.equal(pools.length, 1, "one pool for the whole run");
  assert.equal(pools[0]?.size, 2);
  assertClosed(pools[0] as BatchWorkerPool);
  assert.deepEqual(withoutTiming(withWorkers.history), withoutTiming(onMain.history));
  assert.deepEqual(withWorkers.test, onMain.test);
  assert.deepEqual(stateSnapshot(workerModel), stateSnapshot(mainModel));
  mainModel.dispose();
  workerModel.dispose();
});

test("a run that fails closes its pool too", async () => {
  const model = makeModel();
  class Stop extends Error {}
  const { pools } = await recordingPools(() =>
    assert.rejects(
      train({
        model,
        data,
        config,
        progress: "none",
        workers: 1,
        onEpoch: () => {
          throw new Stop();
        },
      }),
      Stop,
    ),
  );
  assert.equal(pools.length, 1);
  assertClosed(pools[0] as BatchWorkerPool);
  model.dispose();
});
