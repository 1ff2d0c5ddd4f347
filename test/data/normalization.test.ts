import assert from "node:assert/strict";
import { test } from "node:test";
import { DATASET_STATS, datasetStats, Normalizer } from "../../src/data/normalization.js";

test("published per-channel constants", () => {
  assert.deepEqual(DATASET_STATS["fashion-mnist"], { mean: [0.286], std: [0.353] });
  assert.deepEqual(DATASET_STATS.mnist, { mean: [0.1307], std: [0.3081] });
  assert.deepEqual(DATASET_STATS.cifar10.std, [0.247, 0.2435, 0.2616]);
  assert.deepEqual(DATASET_STATS.cifar100.mean, [0.5071, 0.4865, 0.4409]);
});

test("image folders take ImageNet's constants; an RGB dataset decoded grey the mean of its three", () => {
  assert.deepEqual(datasetStats("folder", 3), {
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  });
  assert.deepEqual(datasetStats("folder", 1), { mean: [0.449], std: [0.226] });
  assert.deepEqual(datasetStats("tiny-imagenet", 1), { mean: [0.4419], std: [0.2761] });
  assert.equal(datasetStats("mnist", 1), DATASET_STATS.mnist);
});

test("(v / 255 - mean) / std per channel, in float32 steps like ToTensor + Normalize", () => {
  const stats = { mean: [0.5, 0.25], std: [0.5, 0.25] };
  const normalizer = new Normalizer(stats, { channels: 2, height: 1, width: 2 });
  const out = normalizer.normalizeImages(Uint8Array.from([0, 255, 0, 51, 255, 255, 255, 255]));
  const expected = (value: number, c: number) =>
    Math.fround(
      Math.fround(Math.fround(value / 255) - Math.fround(stats.mean[c] as number)) /
        Math.fround(stats.std[c] as number),
    );
  assert.deepEqual(Array.from(out), [
    expected(0, 0),
    expected(255, 0),
    expected(0, 1),
    expected(51, 1),
    expected(255, 0),
    expected(255, 0),
    expected(255, 1),
    expected(255, 1),
  ]);
  // The same numbers without the float32 detail.
  assert.deepEqual(
    Array.from(out.subarray(0, 4), (v) => Math.round(v * 1e5) / 1e5),
    [-1, 1, -1, -0.2],
  );
});

test("Fashion-MNIST black and white", () => {
  const normalizer = new Normalizer(DATASET_STATS["fashion-mnist"], {
    channels: 1,
    height: 1,
    width: 2,
  });
  const out = normalizer.normalizeImages(Uint8Array.from([0, 255]));
  assert.ok(Math.abs((out[0] as number) - -0.286 / 0.353) < 1e-6);
  assert.ok(Math.abs((out[1] as number) - (1 - 0.286) / 0.353) < 1e-6);
});

test("stats must match the channel count and sizes whole images", () => {
  assert.throws(
    () => new Normalizer(DATASET_STATS.cifar10, { channels: 1, height: 2, width: 2 }),
    /3 means and 3 stds, images have 1 channels/,
  );
  const normalizer = new Normalizer(DATASET_STATS.mnist, { channels: 1, height: 2, width: 2 });
  assert.throws(
    () => normalizer.normalizeImages(new Uint8Array(6)),
    /not a whole number of 4-value images/,
  );
});
