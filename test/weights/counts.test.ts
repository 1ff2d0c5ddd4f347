import assert from "node:assert/strict";
import { test } from "node:test";
import { countWeights, parseWeightStrategy } from "../../src/weights/index.js";
import { CONVMIXER_256_6, convMixerLayers } from "./convmixer-layers.js";

const count = (strategy: unknown, layers = CONVMIXER_256_6) =>
  countWeights(parseWeightStrategy(strategy), layers);

test("ConvMixer-256/6 has 437,248 masked weights under every strategy", () => {
  for (const strategy of [
    { kind: "dense" },
    { kind: "mask" },
    { kind: "one-layer" },
    { kind: "mp" },
    { kind: "rp", ratio: 1e-3, order: "copy" },
  ]) {
    assert.equal(count(strategy).maskedWeights, 437_248);
  }
});

test("unique values of ConvMixer-256/6 per strategy", () => {
  assert.equal(count({ kind: "dense" }).uniqueValues, 437_248);
  assert.equal(count({ kind: "mask" }).uniqueValues, 437_248);
  // 3,072 (patch) + 6,400 (depthwise) + 65,536 (pointwise) + 2,560 (classifier)
  assert.equal(count({ kind: "one-layer" }).uniqueValues, 77_568);
  assert.equal(count({ kind: "mp" }).uniqueValues, 65_536);
  assert.equal(count({ kind: "rp", ratio: 1e-1, order: "copy" }).uniqueValues, 6_554);
  assert.equal(count({ kind: "rp", ratio: 1e-2, order: "rand" }).uniqueValues, 656);
  assert.equal(count({ kind: "rp", ratio: 1e-3, order: "copy" }).uniqueValues, 66);
  assert.equal(count({ kind: "rp", ratio: 1e-4, order: "copy" }).uniqueValues, 7);
  assert.equal(count({ kind: "rp", ratio: 1e-5, order: "copy" }).uniqueValues, 1);
});

test("ConvMixer-256/8 has 581,120 masked weights", () => {
  const depth8 = convMixerLayers({
    dim: 256,
    depth: 8,
    kernel: 5,
    patch: 2,
    classes: 10,
    inputChannels: 3,
  });
  assert.equal(count({ kind: "mask" }, depth8).maskedWeights, 581_120);
  assert.equal(count({ kind: "one-layer" }, depth8).uniqueValues, 77_568);
});

test("the storage example of the method document follows from the counts", () => {
  // PEMN stores 32 bits per unique value plus 1 bit per masked weight.
  const { maskedWeights, uniqueValues } = count({ kind: "rp", ratio: 1e-3, order: "copy" });
  const storedBits = 32 * uniqueValues + maskedWeights;
  assert.equal(storedBits, 2_112 + 437_248);
  const ratio = 1 - storedBits / (32 * maskedWeights);
  assert.ok(Math.abs(ratio - 0.9686) < 5e-5, `compression ratio ${ratio}`);
});

test("MP and RP count from the first largest layer", () => {
  const layers = [
    { name: "a", shape: [10], fanIn: 1 },
    { name: "b", shape: [4, 5], fanIn: 5 },
    { name: "c", shape: [20], fanIn: 20 },
  ];
  assert.equal(count({ kind: "mp" }, layers).uniqueValues, 20);
  assert.equal(count({ kind: "rp", ratio: 0.5, order: "copy" }, layers).uniqueValues, 11);
  // one-layer: [20] appears once, [4, 5] once, [10] once: nothing is shared.
  assert.equal(count({ kind: "one-layer" }, layers).uniqueValues, 50);
});
