import assert from "node:assert/strict";
import { test } from "node:test";
import {
  encodePemn,
  inspectPemn,
  type PemnInspection,
  PemnModelError,
} from "../../src/artifact/index.js";
import { convMixerFixture, fixtureContents } from "./pemn-fixtures.js";

const convMixer256x6 = convMixerFixture(256, 6);
const RP = { kind: "rp", ratio: 1e-3, order: "copy", rescale: "none" };

const contentsFor = (valueMode: "seed" | "stored") =>
  fixtureContents({ seed: 4, ...convMixer256x6, strategy: RP, valueMode });

function inspect(valueMode: "seed" | "stored", indexBits?: number): PemnInspection {
  return inspectPemn(encodePemn(contentsFor(valueMode)), indexBits);
}

test("the paper's example: ConvMixer-256/6 with RP 1e-3 costs 439,360 bits, 96.86%", () => {
  const inspection = inspect("seed");
  assert.equal(inspection.maskedWeights, 437_248);
  assert.equal(inspection.uniqueValues, 66);
  assert.equal(inspection.valueMode, "seed");
  assert.equal(inspection.keptWeights, 437_248 / 2);
  const { paper, file } = inspection.compression;
  assert.equal(paper.withoutNorms.bits, 66 * 32 + 437_248);
  assert.equal(paper.withoutNorms.compressionRatio.toFixed(4), "0.9686");
  // 13 BatchNorms of 256 channels: weight and bias, running mean and variance.
  assert.equal(inspection.normParameters, 13 * 2 * 256);
  assert.equal(inspection.normRunningStatistics, 13 * 2 * 256);
  const normBits = 32 * 13 * 4 * 256;
  assert.equal(paper.withNorms.bits, 66 * 32 + 437_248 + normBits);
  assert.equal(
    paper.withNorms.compressionRatio,
    1 - (66 * 32 + 437_248 + normBits) / (32 * 437_248 + normBits),
  );
  const withoutNorms = encodePemn({ ...contentsFor("seed"), norms: [] });
  assert.equal(file.withoutNorms.bits, 8 * withoutNorms.length);
  assert.equal(file.withoutNorms.compressionRatio, 1 - withoutNorms.length / (4 * 437_248));
  assert.equal(file.withNorms.bits, 8 * inspection.totalBytes);
  assert.equal(
    file.withNorms.compressionRatio,
    1 - (8 * inspection.totalBytes) / (32 * 437_248 + normBits),
  );
  assert.ok(
    Math.abs(inspection.parts.masks.bitsPerMaskedWeight - 1) < 1e-12,
    "1 bit a weight at k = 0.5",
  );
  assert.equal(inspection.parts.values.bytes, 0);
  const parts = Object.values(inspection.parts).reduce((sum, part) => sum + part.bytes, 0);
  assert.equal(parts, inspection.totalBytes);
  // docs/format.md: within the same bits, a pruned network with 8-bit indices keeps 9,153 weights.
  const pruned = inspection.pruned.sameAsPaper;
  assert.equal(inspection.pruned.indexBits, 8);
  assert.equal(pruned.keptWeights, 9_153);
  assert.equal(pruned.budgetBits, paper.withoutNorms.bits);
  assert.equal(pruned.valueBits, 32 * 9_153);
  assert.equal(pruned.indexBits, 2 * 8 * 9_153);
  assert.ok(pruned.bits <= pruned.budgetBits && pruned.bits + 48 > pruned.budgetBits);
  assert.equal(pruned.sparsity, 1 - 9_153 / 437_248);
  assert.ok(
    inspection.pruned.sameAsFile.keptWeights > pruned.keptWeights,
    "the file has norms' header too",
  );
  assert.deepEqual(JSON.parse(JSON.stringify(inspection)), inspection, "plain JSON");
});

test("stored mode pays for its values; the index width is the caller's", () => {
  const inspection = inspect("stored", 16);
  assert.equal(inspection.valueMode, "stored");
  assert.equal(inspection.parts.values.bytes, 4 * inspection.storedValues);
  assert.equal(inspection.pruned.indexBits, 16);
  assert.equal(
    inspection.pruned.sameAsPaper.keptWeights,
    Math.floor((66 * 32 + 437_248) / (32 + 2 * 16)),
  );
});

test("a file whose model its pemn cannot build is refused with a typed error", () => {
  const bytes = encodePemn(
    fixtureContents({
      seed: 4,
      ...convMixer256x6,
      model: { name: "transformer-xl" },
      strategy: RP,
    }),
  );
  assert.throws(
    () => inspectPemn(bytes),
    (error: unknown) => error instanceof PemnModelError && error.code === "invalid-model",
  );
});
