import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseAugmentationConfig } from "../../src/data/augment/augmentation-config.js";
import { type Batch, BatchLoader, type BatchStream } from "../../src/data/batch-loader.js";
import {
  BatchWorkerPool,
  DataWorkerError,
  defaultDataWorkers,
} from "../../src/data/batch-workers.js";
import { type Dataset, subsetDataset } from "../../src/data/dataset.js";
import { createGenerator } from "../../src/random/index.js";
import { seededRandom } from "./helpers.js";

/*
 * Batches made by worker threads are the main thread's, byte for byte: the same order, the
 * same draws (each worker continues the epoch's stream where its batch starts), whatever the
 * number of workers. CIFAR-shaped random images, the reference CIFAR recipe.
 */

const COUNT = 300; // batches of 64: four full, one of 44
const random = seededRandom(5);
const cifar: Dataset = {
  name: "cifar10",
  images: Uint8Array.from({ length: COUNT * 3072 }, () => random.nextUint32() & 0xff),
  labels: Uint8Array.from({ length: COUNT }, () => random.nextUint32() % 10),
  count: COUNT,
  channels: 3,
  height: 32,
  width: 32,
  classes: 10,
};

const augmentation = parseAugmentationConfig([
  { kind: "randomResizedCrop", scale: [0.75, 1] },
  { kind: "horizontalFlip", p: 0.5 },
  { kind: "randAugment", numOps: 2, magnitude: 12 },
  { kind: "colorJitter", brightness: 0.1, contrast: 0.1, saturation: 0.1 },
  // "random" fill draws a normal value per erased value: the most draws an image can take.
  { kind: "randomErasing", p: 0.5, fill: "random" },
]);

/** Epoch `epoch`'s training loader, built as src/train/train-epoch.ts builds it. */
function loader(epoch: number, rank?: number): BatchLoader {
  return new BatchLoader(cifar, {
    mode: "train",
    batchSize: 64,
    dropLast: false,
    augmentation,
    random: createGenerator(3, `train/data/epoch-${epoch}`),
    ...(rank !== undefined && {
      shard: {
        rank,
        worldSize: 2,
        random: createGenerator(3, `train/data/epoch-${epoch}/rank-${rank}`),
      },
    }),
  });
}

async function drain(stream: BatchStream): Promise<Batch[]> {
  const batches: Batch[] = [];
  for (;;) {
    await stream.ready();
    const batch = stream.take();
    if (batch === null) return batches;
    batches.push(batch);
  }
}

const bytes = (array: Float32Array | BigInt64Array) =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength);

function assertSameBatches(actual: Batch[], expected: Batch[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: batch count`);
  expected.forEach((batch, index) => {
    const got = actual[index] as Batch;
    assert.deepEqual(got.shape, batch.shape, `${what}, batch ${index}: shape`);
    assert.equal(got.globalSize, batch.globalSize, `${what}, batch ${index}: global size`);
    assert.ok(bytes(got.labels).equals(bytes(batch.labels)), `${what}, batch ${index}: labels`);
    assert.ok(bytes(got.images).equals(bytes(batch.images)), `${what}, batch ${index}: images`);
  });
}

const pools = new Map<number, BatchWorkerPool>();
before(async () => {
  for (const workers of [1, 3]) {
    pools.set(workers, await BatchWorkerPool.start(cifar, { workers, augmentation }));
  }
});
after(async () => {
  for (const pool of pools.values()) await pool.close();
});

test("0, 1 and 3 workers make the same batches, byte for byte, over two epochs", async () => {
  for (const epoch of [1, 2]) {
    const expected = [...loader(epoch).epoch()];
    assert.equal(expected.length, 5);
    for (const [workers, pool] of pools) {
      const made = await drain(pool.stream(loader(epoch)));
      assertSameBatches(made, expected, `epoch ${epoch}, ${workers} workers`);
    }
    // The main-thread stream is the loader's epoch too.
    assertSameBatches(await drain(loader(epoch).stream()), expected, `epoch ${epoch}, 0 workers`);
  }
  // Two epochs differ (a new order and new draws), so the comparison above is not vacuous.
  const first = [...loader(1).epoch()][0] as Batch;
  const second = [...loader(2).epoch()][0] as Batch;
  assert.ok(!bytes(first.images).equals(bytes(second.images)));
});

test("a rank's share of data-parallel batches is the same with workers", async () => {
  for (const rank of [0, 1]) {
    const expected = [...loader(1, rank).epoch()];
    assert.deepEqual(
      expected.map((batch) => batch.size),
      [32, 32, 32, 32, 22],
    );
    assertSameBatches(
      await drain((pools.get(3) as BatchWorkerPool).stream(loader(1, rank))),
      expected,
      `rank ${rank}`,
    );
  }
});

test("a stream closed early drops its batches; the next stream starts clean", async () => {
  const pool = pools.get(3) as BatchWorkerPool;
  const early = pool.stream(loader(1));
  await early.ready();
  assert.ok(early.take() !== null);
  early.close();
  assertSameBatches(await drain(pool.stream(loader(2))), [...loader(2).epoch()], "after close");
});

test("closing a pool while its workers make batches ends them and resolves", async () => {
  const pool = await BatchWorkerPool.start(cifar, { workers: 2, augmentation });
  const stream = pool.stream(loader(1)); // 4 batches sent at once
  await stream.ready();
  stream.take();
  await pool.close();
  await assert.rejects(stream.ready(), /the data workers of cifar10 \(300 images\) were closed/);
  assert.throws(() => pool.stream(loader(2)), /closed/);
});

test("a pool serves only loaders of its dataset and pipeline", () => {
  const pool = pools.get(1) as BatchWorkerPool;
  const otherDataset = { ...cifar };
  const wrongData = new BatchLoader(otherDataset, {
    mode: "train",
    batchSize: 64,
    dropLast: false,
    augmentation,
    random: createGenerator(1),
  });
  assert.throws(() => pool.stream(wrongData), /hold cifar10 \(300 images\), not the loader's/);
  const wrongSteps = new BatchLoader(cifar, {
    mode: "train",
    batchSize: 64,
    dropLast: false,
    augmentation: [],
    random: createGenerator(1),
  });
  assert.throws(() => pool.stream(wrongSteps), /another augmentation/);
  // A random source that cannot say where it stands cannot be continued in a worker.
  const plain = new BatchLoader(cifar, {
    mode: "train",
    batchSize: 64,
    dropLast: false,
    augmentation,
    random: seededRandom(1),
  });
  assert.throws(() => pool.stream(plain), /snapshots: give it a generator of src\/random/);
});

test("a batch that fails in a worker fails the stream, naming the worker, dataset and batch", async () => {
  process.env.PEMN_DATA_WORKER_FAULT = "3"; // read by the workers started now
  let pool: BatchWorkerPool;
  try {
    pool = await BatchWorkerPool.start(cifar, { workers: 2, augmentation });
  } finally {
    delete process.env.PEMN_DATA_WORKER_FAULT;
  }
  const stream = pool.stream(loader(1));
  const made: Batch[] = [];
  const failure = await (async () => {
    try {
      for (;;) {
        await stream.ready();
        const batch = stream.take();
        if (batch === null) return null;
        made.push(batch);
      }
    } catch (error) {
      return error;
    }
  })();
  assert.ok(failure instanceof DataWorkerError, String(failure));
  assert.match(
    failure.message,
    /^data worker [12]\/2 of cifar10 \(300 images\) failed on batch 3: Error: fault injected at batch 3/,
  );
  assert.ok(made.length <= 2, "batches after the failing one are not handed out");
  // The pool is finished: nothing more is made, and closing it again is harmless.
  assert.throws(() => pool.stream(loader(2)), DataWorkerError);
  await pool.close();
});

test("the worker count is checked; the default leaves a core to the trainer", async () => {
  for (const workers of [0, -1, 1.5, 65]) {
    await assert.rejects(
      BatchWorkerPool.start(cifar, { workers, augmentation }),
      /data workers must be an integer in \[1, 64\]/,
    );
  }
  assert.deepEqual(
    [1, 2, 3, 5, 6, 64].map((cores) => defaultDataWorkers(cores)),
    [0, 1, 2, 4, 4, 4],
  );
});

test("a subset (the training part of a validation split) is made in shared memory", () => {
  const subset = subsetDataset(cifar, [4, 1]);
  assert.ok(subset.images.buffer instanceof SharedArrayBuffer, "workers read it in place");
  assert.ok(subset.labels.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(subset.images.subarray(3072), cifar.images.subarray(3072, 6144));
});
