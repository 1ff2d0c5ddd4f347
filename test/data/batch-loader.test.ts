import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAugmentationConfig } from "../../src/data/augment/augmentation-config.js";
import { type Batch, BatchLoader } from "../../src/data/batch-loader.js";
import { seededRandom, tinyDataset } from "./helpers.js";

const identityStats = { mean: [0], std: [1] };
const dataset = tinyDataset([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i % 3));

/** Original index of each image in a batch: tinyDataset writes it to the first pixel. */
function ids(batch: Batch): number[] {
  return Array.from({ length: batch.size }, (_, i) =>
    Math.round((batch.images[i * 2] as number) * 255),
  );
}

test("evaluation: in order, normalised, last batch short, int64 labels", () => {
  const loader = new BatchLoader(dataset, { mode: "evaluate", batchSize: 4, stats: identityStats });
  const batches = [...loader.epoch()];
  assert.equal(loader.batchesPerEpoch, 3);
  assert.deepEqual(
    batches.map((batch) => batch.size),
    [4, 4, 2],
  );
  assert.deepEqual(batches.map(ids), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
    [8, 9],
  ]);
  assert.deepEqual(batches[2]?.shape, [2, 1, 1, 2]);
  assert.deepEqual(batches[1]?.labels, BigInt64Array.from([1n, 2n, 0n, 1n]));
  assert.equal(batches[0]?.images[1], Math.fround(7 / 255)); // second pixel of image 0
});

test("dataset constants are the default normalisation", () => {
  const loader = new BatchLoader(dataset, { mode: "evaluate", batchSize: 10 });
  const [batch] = [...loader.epoch()];
  assert.ok(batch !== undefined);
  assert.ok(Math.abs((batch.images[0] as number) - -0.1307 / 0.3081) < 1e-6); // mnist, pixel 0
});

test("training: each epoch a new seeded permutation; drop-last skips the short batch", () => {
  const epochs = (seed: number, dropLast: boolean) => {
    const loader = new BatchLoader(dataset, {
      mode: "train",
      batchSize: 4,
      dropLast,
      augmentation: [],
      random: seededRandom(seed),
      stats: identityStats,
    });
    return [0, 1, 2].map(() => [...loader.epoch()].map(ids));
  };
  const kept = epochs(6, false);
  for (const epoch of kept) {
    assert.deepEqual(
      epoch.map((batch) => batch.length),
      [4, 4, 2],
    );
    assert.deepEqual(
      epoch.flat().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  }
  assert.notDeepEqual(kept[0], kept[1]);
  assert.deepEqual(epochs(6, false), kept);
  const dropped = epochs(6, true);
  assert.deepEqual(
    dropped.map((epoch) => epoch.length),
    [2, 2, 2],
  );
  assert.deepEqual(dropped[0], kept[0]?.slice(0, 2));
});

test("training applies the augmentation; labels follow their images", () => {
  const loader = new BatchLoader(dataset, {
    mode: "train",
    batchSize: 10,
    dropLast: false,
    augmentation: parseAugmentationConfig([{ kind: "horizontalFlip", p: 1 }]),
    random: seededRandom(2),
    stats: identityStats,
  });
  const [batch] = [...loader.epoch()];
  assert.ok(batch !== undefined);
  for (let i = 0; i < batch.size; i++) {
    // Flipped: the second pixel now holds the image index.
    const id = Math.round((batch.images[2 * i + 1] as number) * 255);
    assert.equal(Math.round((batch.images[2 * i] as number) * 255), (id + 7) % 256);
    assert.equal(batch.labels[i], BigInt(id % 3));
  }
});

test("batch size must be a positive integer", () => {
  assert.throws(
    () => new BatchLoader(dataset, { mode: "evaluate", batchSize: 0 }),
    /batchSize must be a positive integer/,
  );
});
