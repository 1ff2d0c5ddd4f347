import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchLoader, checkShardable, shardRange } from "../../src/data/index.js";
import { createGenerator } from "../../src/random/index.js";
import { syntheticDataset } from "../train/helpers.js";

test("the ranks' shares of a batch tile it in order, differing by at most one image", () => {
  for (const [size, worldSize] of [
    [64, 2],
    [10, 3],
    [7, 7],
    [5, 4],
  ] as const) {
    const ranges = Array.from({ length: worldSize }, (_, rank) =>
      shardRange(size, { rank, worldSize }),
    );
    assert.equal(ranges[0]?.[0], 0);
    assert.equal(ranges.at(-1)?.[1], size);
    for (let r = 1; r < worldSize; r++) assert.equal(ranges[r]?.[0], ranges[r - 1]?.[1]);
    const sizes = ranges.map(([begin, end]) => end - begin);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${size} over ${worldSize}: ${sizes}`);
  }
});

test("sharded loaders of 2 ranks together yield the one-process loader's batches", () => {
  const dataset = syntheticDataset({ count: 50, classes: 3, side: 4, seed: 1 });
  const loader = (shard?: { rank: number; worldSize: number }) =>
    new BatchLoader(dataset, {
      mode: "train",
      batchSize: 16,
      dropLast: false,
      augmentation: [],
      random: createGenerator(9, "order"),
      shard,
    });
  const whole = [...loader().epoch()];
  const parts = [0, 1].map((rank) => [...loader({ rank, worldSize: 2 }).epoch()]);
  assert.equal(parts[0]?.length, whole.length);
  whole.forEach((batch, b) => {
    const [zero, one] = [parts[0]?.[b], parts[1]?.[b]];
    assert.deepEqual([...(zero?.labels ?? []), ...(one?.labels ?? [])], [...batch.labels]);
    assert.deepEqual(
      Float32Array.from([...(zero?.images ?? []), ...(one?.images ?? [])]),
      batch.images,
    );
    assert.equal(zero?.globalSize, batch.size);
  });
});

test("a step that would leave a rank without images is refused, naming the fix", () => {
  assert.throws(
    () => checkShardable(100, 1, false, 2),
    /batchSize 1 \(the global batch\) is smaller than the world size 2/,
  );
  assert.throws(
    () => checkShardable(65, 64, false, 2),
    /last batch holds 1 images, fewer than the 2 ranks: set dropLast/,
  );
  assert.doesNotThrow(() => checkShardable(65, 64, true, 2));
  assert.doesNotThrow(() => checkShardable(66, 64, false, 2));
});
