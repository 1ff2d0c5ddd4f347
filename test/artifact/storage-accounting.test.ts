import assert from "node:assert/strict";
import { test } from "node:test";
import {
  pemnStorage,
  prunedNetworkWithinBudget,
  prunedStorage,
} from "../../src/artifact/storage-accounting.js";

test("the paper's example: ConvMixer-256/6, RP 1e-3 costs 66 x 32 + 437,248 bits, 96.86%", () => {
  // 437,248 masked weights; the largest layer has 65,536, so u = floor(65,536 x 1e-3) + 1 = 66.
  const storage = pemnStorage({
    maskedWeights: 437_248,
    values: { kind: "stored", uniqueValues: 66 },
    normParameters: 13 * 2 * 256,
    normRunningStatistics: 13 * 2 * 256,
  });
  assert.equal(storage.valueBits, 66 * 32);
  assert.equal(storage.maskBits, 437_248);
  assert.equal(storage.withoutNorms.bits, 2112 + 437_248);
  assert.equal(storage.withoutNorms.bits / 8, 54_920, "about 54.9 KB");
  assert.equal(storage.withoutNorms.compressionRatio.toFixed(4), "0.9686");
  // 13 BatchNorms of 256 channels: 2 x 6,656 parameters and statistics at 32 bits each.
  assert.equal(storage.withNorms.bits, 2112 + 437_248 + 32 * 13_312);
  assert.equal(
    storage.withNorms.compressionRatio,
    1 - (2112 + 437_248 + 32 * 13_312) / (32 * (437_248 + 13_312)),
  );
});

test("a seed replaces the stored values: 64 bits, whatever their number", () => {
  const storage = pemnStorage({
    maskedWeights: 437_248,
    values: { kind: "seed", seedBits: 64 },
    normParameters: 0,
    normRunningStatistics: 0,
  });
  assert.equal(storage.withoutNorms.bits, 64 + 437_248);
  assert.ok(storage.withoutNorms.compressionRatio > 0.9687);
});

test("a pruned network keeps p(1 - r) values and about 2p(1 - r) index entries", () => {
  const pruned = prunedStorage({ weights: 437_248, sparsity: 0.9, indexWidthBits: 8 });
  assert.ok(Math.abs(pruned.keptWeights - 43_724.8) < 1e-6);
  assert.ok(Math.abs(pruned.valueBits - 32 * 43_724.8) < 1e-6);
  assert.ok(Math.abs(pruned.indexEntries - 2 * 43_724.8) < 1e-6);
  assert.ok(Math.abs(pruned.indexBits - 8 * 2 * 43_724.8) < 1e-6);
  // (32 + 16) x 0.1 / 32 of the dense bits remain: ratio 0.85.
  assert.ok(Math.abs(pruned.compressionRatio - 0.85) < 1e-12);
});

test("within PEMN's budget a pruned network of the same size keeps about 1.9% of its weights", () => {
  const budget = 2112 + 437_248;
  const pruned = prunedNetworkWithinBudget(437_248, budget, 8);
  assert.equal(pruned.keptWeights, budget / 48);
  assert.ok(Math.abs(pruned.sparsity - (1 - budget / 48 / 437_248)) < 1e-12);
  assert.equal(pruned.sparsity.toFixed(4), "0.9791");
  const check = prunedStorage({ weights: 437_248, sparsity: pruned.sparsity, indexWidthBits: 8 });
  assert.ok(Math.abs(check.bits - budget) < 1e-6, "the same bits as the budget");
});

test("nonsense inputs are range errors", () => {
  assert.throws(() => prunedStorage({ weights: 10, sparsity: 1.5, indexWidthBits: 8 }), RangeError);
  assert.throws(() => prunedStorage({ weights: 10, sparsity: 0.5, indexWidthBits: 0 }), RangeError);
  assert.throws(
    () =>
      pemnStorage({
        maskedWeights: -1,
        values: { kind: "stored", uniqueValues: 1 },
        normParameters: 0,
        normRunningStatistics: 0,
      }),
    RangeError,
  );
});
