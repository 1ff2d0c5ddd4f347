import assert from "node:assert/strict";
import { test } from "node:test";
import { createGenerator, GENERATOR_VERSION } from "../../src/random/index.js";
import {
  type MaskedLayerSpec,
  type PlannedLayer,
  parseWeightStrategy,
  planWeights,
  type WeightPlan,
} from "../../src/weights/index.js";
import { CONVMIXER_256_6 } from "./convmixer-layers.js";

const SEED = 2022;
const MAX_LAYER = "blocks.0.pointwise"; // the first of the six [256, 256, 1, 1] layers

function plan(
  strategy: unknown,
  seed: number | bigint = SEED,
  layers = CONVMIXER_256_6,
): WeightPlan {
  return planWeights({ strategy: parseWeightStrategy(strategy), seed, layers });
}

function layer(weightPlan: WeightPlan, name: string): PlannedLayer {
  const found = weightPlan.layers.find((candidate) => candidate.name === name);
  assert.ok(found, `no layer ${name}`);
  return found;
}

/**
 * The straightforward computation: a layer's own stream, N(0, 2 / fanIn), `count` values.
 * (Math.sqrt is correctly rounded in V8, so it equals the plan's portable sqrt.)
 */
function ownStream(name: string, fanIn: number, count: number, seed: number | bigint = SEED) {
  return createGenerator(seed, `layer:${name}`).fillNormal(
    new Float32Array(count),
    0,
    Math.sqrt(2 / fanIn),
  );
}

function sizeOf(spec: MaskedLayerSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}

function standardDeviation(values: Float32Array): number {
  let sum = 0;
  let sumSquares = 0;
  for (const value of values) {
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / values.length;
  return Math.sqrt(sumSquares / values.length - mean * mean);
}

/** Distinct float32 values over all layers. */
function distinctCount(weightPlan: WeightPlan): number {
  const seen = new Set<number>();
  for (const planned of weightPlan.layers) for (const value of planned.values) seen.add(value);
  return seen.size;
}

/**
 * Independent normal draws collide now and then once rounded to float32 (a birthday effect), so
 * the distinct count sits just under uniqueValues and never above it.
 */
function assertNearlyAllDistinct(weightPlan: WeightPlan): void {
  const distinct = distinctCount(weightPlan);
  assert.ok(distinct <= weightPlan.uniqueValues, `${distinct} > ${weightPlan.uniqueValues}`);
  assert.ok(distinct > 0.995 * weightPlan.uniqueValues, `only ${distinct} distinct`);
}

test("a plan records the generator, the seed, the strategy and the counts", () => {
  const result = plan({ kind: "rp", ratio: 1e-3, order: "copy" }, 7);
  assert.equal(result.generator, GENERATOR_VERSION);
  assert.equal(result.seed, 7n);
  assert.deepEqual(result.strategy, { kind: "rp", ratio: 1e-3, order: "copy", rescale: "none" });
  assert.equal(result.maskedWeights, 437_248);
  assert.equal(result.uniqueValues, 66);
  assert.deepEqual(
    result.layers.map((planned) => planned.name),
    CONVMIXER_256_6.map((spec) => spec.name),
  );
  for (const [index, planned] of result.layers.entries()) {
    const spec = CONVMIXER_256_6[index] as MaskedLayerSpec;
    assert.deepEqual(planned.shape, spec.shape);
    assert.equal(planned.fanIn, spec.fanIn);
    assert.equal(planned.size, sizeOf(spec));
    assert.equal(planned.values.length, sizeOf(spec));
  }
});

test("mask: every layer has its own N(0, 2/fan_in) values from its own stream", () => {
  const result = plan({ kind: "mask" });
  for (const planned of result.layers) {
    assert.deepEqual(planned.values, ownStream(planned.name, planned.fanIn, planned.size));
    assert.deepEqual(planned.source, { kind: "own" });
  }
  // Same shape, different values.
  assert.notDeepEqual(
    layer(result, "blocks.0.depthwise").values,
    layer(result, "blocks.1.depthwise").values,
  );
  assertNearlyAllDistinct(result);
});

test("dense starts from the same values as mask", () => {
  const dense = plan({ kind: "dense" });
  const mask = plan({ kind: "mask" });
  for (const [index, planned] of dense.layers.entries()) {
    assert.deepEqual(planned.values, mask.layers[index]?.values);
  }
  assert.equal(dense.uniqueValues, 437_248);
});

test("values have the Kaiming scale sqrt(2 / fan_in)", () => {
  const result = plan({ kind: "mask" });
  const pointwise = layer(result, "blocks.2.pointwise"); // 65,536 values
  const expected = Math.sqrt(2 / 256);
  assert.ok(Math.abs(standardDeviation(pointwise.values) / expected - 1) < 0.02);
  const depthwise = layer(result, "blocks.4.depthwise"); // 6,400 values
  assert.ok(Math.abs(standardDeviation(depthwise.values) / Math.sqrt(2 / 25) - 1) < 0.05);
});

test("one-layer: the first layer of each shape is the prototype, later ones copy it", () => {
  const result = plan({ kind: "one-layer" });
  const depthwise = layer(result, "blocks.0.depthwise");
  const pointwise = layer(result, "blocks.0.pointwise");
  assert.deepEqual(depthwise.values, ownStream(depthwise.name, 25, 6_400));
  assert.deepEqual(pointwise.values, ownStream(pointwise.name, 256, 65_536));
  for (let block = 1; block < 6; block++) {
    const copy = layer(result, `blocks.${block}.depthwise`);
    assert.deepEqual(copy.values, depthwise.values);
    assert.equal(copy.values.buffer, depthwise.values.buffer, "copies share memory");
    assert.deepEqual(copy.source, { kind: "copy", of: "blocks.0.depthwise" });
    assert.deepEqual(layer(result, `blocks.${block}.pointwise`).source, {
      kind: "copy",
      of: "blocks.0.pointwise",
    });
  }
  // Unique shapes keep their own values.
  for (const name of ["patch", "classifier"]) {
    const own = layer(result, name);
    assert.deepEqual(own.source, { kind: "own" });
    assert.deepEqual(own.values, ownStream(name, own.fanIn, own.size));
  }
  assertNearlyAllDistinct(result);
});

test("mp: every layer takes the first d_l values of the largest layer", () => {
  const result = plan({ kind: "mp" });
  const shared = ownStream(MAX_LAYER, 256, 65_536);
  for (const planned of result.layers) {
    assert.deepEqual(planned.values, shared.subarray(0, planned.size));
    assert.deepEqual(planned.source, { kind: "max-layer-prefix", maxLayer: MAX_LAYER, scale: 1 });
    assert.equal(planned.values.buffer, layer(result, MAX_LAYER).values.buffer);
  }
  // The largest layer's values are exactly its mask-strategy values.
  assert.deepEqual(
    layer(result, MAX_LAYER).values,
    layer(plan({ kind: "mask" }), MAX_LAYER).values,
  );
  assertNearlyAllDistinct(result);
});

test("mp with rescale fan-in: slice l is multiplied by sqrt(fan_in(m) / fan_in(l))", () => {
  const result = plan({ kind: "mp", rescale: "fan-in" });
  const shared = ownStream(MAX_LAYER, 256, 65_536);
  for (const planned of result.layers) {
    const scale = Math.sqrt(256 / planned.fanIn);
    assert.equal(planned.source.kind === "max-layer-prefix" && planned.source.scale, scale);
    for (let i = 0; i < planned.size; i++) {
      assert.equal(planned.values[i], Math.fround((shared[i] as number) * scale));
    }
  }
  // sqrt(256 / 25) = 3.2: the depthwise layers get their own Kaiming scale back.
  const depthwise = layer(result, "blocks.3.depthwise");
  assert.ok(Math.abs(standardDeviation(depthwise.values) / Math.sqrt(2 / 25) - 1) < 0.05);
  // Layers with m's fan-in still share m's memory.
  assert.equal(layer(result, "classifier").values.buffer, layer(result, MAX_LAYER).values.buffer);
});

test("rp copy: values[i] = prototype[i mod u], the prototype being the start of m's stream", () => {
  const result = plan({ kind: "rp", ratio: 1e-3, order: "copy" });
  const prototype = ownStream(MAX_LAYER, 256, 66);
  for (const planned of result.layers) {
    for (let i = 0; i < planned.size; i++) {
      if (planned.values[i] !== prototype[i % 66]) assert.fail(`${planned.name}[${i}]`);
    }
    assert.deepEqual(planned.source, {
      kind: "tiling-prefix",
      maxLayer: MAX_LAYER,
      prototypeLength: 66,
      order: "copy",
      scale: 1,
    });
  }
  assert.equal(distinctCount(result), 66);
});

test("rp rand: the tiling is shuffled once by the seeded permutation of length d_m", () => {
  const copy = plan({ kind: "rp", ratio: 1e-3, order: "copy" });
  const rand = plan({ kind: "rp", ratio: 1e-3, order: "rand" });
  const prototype = ownStream(MAX_LAYER, 256, 66);
  const permutation = createGenerator(SEED, "rp-order").permutation(65_536);
  const shuffled = layer(rand, MAX_LAYER).values;
  for (let i = 0; i < 65_536; i++) {
    if (shuffled[i] !== prototype[(permutation[i] as number) % 66]) assert.fail(`value ${i}`);
  }
  // Same multiset of values as the plain tiling, in another order.
  const copyValues = layer(copy, MAX_LAYER).values;
  assert.deepEqual([...shuffled].sort(), [...copyValues].sort());
  assert.notDeepEqual(shuffled, copyValues);
  // Every layer is a prefix of the one shuffled vector.
  for (const planned of rand.layers) {
    assert.deepEqual(planned.values, shuffled.subarray(0, planned.size));
  }
  assert.equal(distinctCount(rand), 66);
});

test("rp with ratio 1e-5 uses a single value everywhere", () => {
  const result = plan({ kind: "rp", ratio: 1e-5, order: "rand" });
  assert.equal(result.uniqueValues, 1);
  assert.equal(distinctCount(result), 1);
});

test("rp with ratio 1 is max-layer padding (copy order)", () => {
  const rp = plan({ kind: "rp", ratio: 1, order: "copy" });
  const mp = plan({ kind: "mp" });
  assert.equal(rp.uniqueValues, 65_536);
  for (const [index, planned] of rp.layers.entries()) {
    assert.deepEqual(planned.values, mp.layers[index]?.values);
  }
});

test("plans are deterministic and depend on the seed", () => {
  for (const strategy of [
    { kind: "mask" },
    { kind: "one-layer" },
    { kind: "mp" },
    { kind: "rp", ratio: 1e-2, order: "rand" },
  ]) {
    const first = plan(strategy);
    const second = plan(strategy, BigInt(SEED));
    const other = plan(strategy, SEED + 1);
    for (const [index, planned] of first.layers.entries()) {
      assert.deepEqual(planned.values, second.layers[index]?.values);
      assert.notDeepEqual(planned.values, other.layers[index]?.values);
    }
  }
});

test("a layer's values depend on its name, not on the layers before it", () => {
  const alone = plan({ kind: "mask" }, SEED, [
    { name: "classifier", shape: [10, 256], fanIn: 256 },
  ]);
  const inModel = plan({ kind: "mask" });
  assert.deepEqual(layer(alone, "classifier").values, layer(inModel, "classifier").values);
});

test("plans give the published float32 vectors (docs/generator.md)", () => {
  const bits = (values: Float32Array) =>
    [...values.subarray(0, 4)].map((value) => {
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, value);
      return view.getUint32(0).toString(16).padStart(8, "0");
    });
  const mask = plan({ kind: "mask" });
  assert.deepEqual(bits(layer(mask, "patch").values), [
    "3dbaf77f",
    "be89f3be",
    "3c0e7e81",
    "3eb3cbc9",
  ]);
  assert.deepEqual(bits(layer(mask, MAX_LAYER).values), [
    "3de96cbc",
    "3c73554f",
    "3e0f790b",
    "3d5d0a6f",
  ]);
  const rand = plan({ kind: "rp", ratio: 1e-3, order: "rand" });
  assert.deepEqual(bits(layer(rand, MAX_LAYER).values), [
    "bda8a268",
    "3e132a16",
    "3c2dc0da",
    "3da5ec97",
  ]);
});

test("planWeights refuses bad layers and seeds", () => {
  const strategy = parseWeightStrategy({ kind: "mask" });
  assert.throws(
    () => planWeights({ strategy, seed: SEED, layers: [] }),
    /at least one masked layer/,
  );
  assert.throws(
    () =>
      planWeights({
        strategy,
        seed: SEED,
        layers: [
          { name: "x", shape: [2], fanIn: 1 },
          { name: "x", shape: [3], fanIn: 1 },
        ],
      }),
    /duplicate layer name "x"/,
  );
  assert.throws(() => planWeights({ strategy, seed: -1, layers: CONVMIXER_256_6 }), /seed must be/);
  assert.throws(
    () => planWeights({ strategy, seed: 0.5, layers: CONVMIXER_256_6 }),
    /seed must be/,
  );
});
