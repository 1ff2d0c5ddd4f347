import assert from "node:assert/strict";
import { test } from "node:test";
import { createGenerator } from "../../src/random/index.js";
import {
  type PrunedStrategy,
  type PruningIndex,
  parseWeightStrategy,
  relativeIndexEntries,
  solvePruningMasks,
} from "../../src/weights/index.js";
import { testRandom } from "../helpers/test-random.js";

/** Small layers with values drawn independently of the code under test (ties included). */
function smallLayers() {
  const random = testRandom(11);
  return [
    { name: "a", size: 300 },
    { name: "b", size: 1000 },
    { name: "c", size: 90 },
  ].map(({ name, size }) => ({
    name,
    // Rounded to a coarse grid, so equal magnitudes (of either sign) occur and ties matter.
    values: Float32Array.from({ length: size }, () => Math.round((random() * 2 - 1) * 200) / 64),
  }));
}

function pruned(fields: Record<string, unknown>): PrunedStrategy {
  return parseWeightStrategy({ kind: "pruned", ...fields }) as PrunedStrategy;
}

/** Bytes of kept values plus positions, written from docs/format.md, not from the solver. */
function referenceBytes(masks: readonly Uint8Array[], index: PruningIndex): number {
  let bytes = 0;
  for (const mask of masks) {
    const keptPositions: number[] = [];
    mask.forEach((flag, i) => {
      if (flag) keptPositions.push(i);
    });
    bytes += 4 * keptPositions.length;
    if (index.kind === "bitmap") {
      bytes += Math.ceil(mask.length / 8);
      continue;
    }
    const width = index.kind === "csr" ? 2 * index.bits : index.bits;
    let entries = 0;
    let previous = -1;
    for (const position of keptPositions) {
      let gap = position - previous - 1;
      while (gap >= 2 ** width - 1) {
        entries++;
        gap -= 2 ** width - 1;
      }
      entries++;
      previous = position;
    }
    bytes += Math.ceil((entries * width) / 8);
  }
  return bytes;
}

/** The k positions of largest |value| (float64), ties to the lower position: sorted by hand. */
function topByMagnitude(values: ArrayLike<number>, k: number): Set<number> {
  const entries = Array.from(values, (value, position) => ({
    magnitude: Math.abs(value),
    position,
  }));
  entries.sort((x, y) =>
    x.magnitude !== y.magnitude ? y.magnitude - x.magnitude : x.position - y.position,
  );
  return new Set(entries.slice(0, k).map((entry) => entry.position));
}

function keptSet(mask: Uint8Array, offset = 0): Set<number> {
  const kept = new Set<number>();
  mask.forEach((flag, i) => {
    if (flag) kept.add(offset + i);
  });
  return kept;
}

const INDEXES: PruningIndex[] = [
  { kind: "csr", bits: 8 },
  { kind: "relative", bits: 4 },
  { kind: "bitmap" },
];

test("magnitude, per layer: each layer keeps round(f x d) of its largest |values|, f as large as fits", () => {
  const layers = smallLayers();
  for (const index of INDEXES) {
    const strategy = pruned({ criterion: "magnitude", compression: 0.9, index });
    const solution = solvePruningMasks({ strategy, seed: 3, layers });
    const fractions = solution.masks.map((mask) => keptSet(mask).size / mask.length);
    layers.forEach((layer, i) => {
      const mask = solution.masks[i] as Uint8Array;
      const kept = keptSet(mask);
      assert.deepEqual(
        kept,
        topByMagnitude(layer.values, kept.size),
        `${layer.name} ${index.kind}`,
      );
      // The same sparsity everywhere, up to rounding to whole weights.
      assert.ok(Math.abs((fractions[i] as number) - (fractions[1] as number)) <= 1 / mask.length);
    });
    const budget = 0.1 * 4 * 1390;
    const bytes = referenceBytes(solution.masks, index);
    assert.ok(bytes <= budget, `${bytes} bytes within ${budget}`);
    assert.equal(solution.valueBytes + solution.indexBytes, bytes);
    assert.ok(Math.abs(solution.compressionRatio - (1 - bytes / (4 * 1390))) < 1e-12);
    // As many as fit: the next step of f keeps at most one more weight per layer (<= 8 bytes).
    assert.ok(budget - bytes < 3 * 8, `${index.kind}: ${budget - bytes} bytes left unused`);
  }
});

test("magnitude, global: one threshold over all layers, the largest K that fits", () => {
  const layers = smallLayers();
  const all = layers.flatMap((layer) => Array.from(layer.values));
  for (const index of INDEXES) {
    const strategy = pruned({ criterion: "magnitude", scope: "global", compression: 0.92, index });
    const solution = solvePruningMasks({ strategy, seed: 3, layers });
    let offset = 0;
    const kept = new Set<number>();
    for (const [i, mask] of solution.masks.entries()) {
      for (const position of keptSet(mask, offset)) kept.add(position);
      offset += (layers[i] as { values: Float32Array }).values.length;
    }
    assert.deepEqual(kept, topByMagnitude(all, kept.size), index.kind);
    const budget = 0.08 * 4 * all.length;
    assert.ok(referenceBytes(solution.masks, index) <= budget);
    // K + 1 (the next weight by magnitude) does not fit.
    const next = [...topByMagnitude(all, kept.size + 1)].find((position) => !kept.has(position));
    const grown = solution.masks.map((mask) => mask.slice());
    let rest = next as number;
    for (const mask of grown) {
      if (rest < mask.length) {
        mask[rest] = 1;
        break;
      }
      rest -= mask.length;
    }
    assert.ok(referenceBytes(grown, index) > budget, `${index.kind}: K is the largest that fits`);
  }
});

test("random: per layer the first kept of its own seeded permutation, global one draw over all", () => {
  const layers = smallLayers();
  const perLayer = solvePruningMasks({
    strategy: pruned({ criterion: "random", compression: 0.9 }),
    seed: 8,
    layers,
  });
  layers.forEach((layer, i) => {
    const kept = keptSet(perLayer.masks[i] as Uint8Array);
    const permutation = createGenerator(8, `prune:${layer.name}`).permutation(layer.values.length);
    assert.deepEqual(kept, new Set(Array.from(permutation).slice(0, kept.size)), layer.name);
  });
  const global = solvePruningMasks({
    strategy: pruned({ criterion: "random", scope: "global", compression: 0.9 }),
    seed: 8,
    layers,
  });
  const all = new Set<number>();
  let offset = 0;
  global.masks.forEach((mask, i) => {
    for (const position of keptSet(mask, offset)) all.add(position);
    offset += (layers[i] as { values: Float32Array }).values.length;
  });
  const draw = createGenerator(8, "prune-global").permutation(offset);
  assert.deepEqual(all, new Set(Array.from(draw).slice(0, all.size)));
  // Independent of the values, dependent on the seed.
  const again = solvePruningMasks({
    strategy: pruned({ criterion: "random", compression: 0.9 }),
    seed: 8,
    layers: layers.map((layer) => ({ ...layer, values: new Float32Array(layer.values.length) })),
  });
  assert.deepEqual(again.masks, perLayer.masks);
  const otherSeed = solvePruningMasks({
    strategy: pruned({ criterion: "random", compression: 0.9 }),
    seed: 9,
    layers,
  });
  assert.notDeepEqual(otherSeed.masks, perLayer.masks);
});

test("relative index entries: one per kept weight, a filler per 2^bits - 1 dropped in a row", () => {
  // Kept at 3, then 600 dropped, kept at 604, then trailing dropped weights (no entry).
  const mask = new Uint8Array(700);
  mask[3] = 1;
  mask[604] = 1;
  // 8 bits: gap 3 -> 1 entry; gap 600 = 2 x 255 + 90 -> 2 fillers + 1 entry.
  assert.equal(relativeIndexEntries(mask, 8), 4);
  // 4 bits: gap 3 -> 1; 600 = 40 x 15 + 0 -> 40 fillers + 1.
  assert.equal(relativeIndexEntries(mask, 4), 42);
  assert.equal(relativeIndexEntries(new Uint8Array(10), 8), 0);
});

test("pretraining a random mask, or a target no index can reach, is refused with a reason", () => {
  assert.throws(
    () => pruned({ criterion: "random", pretrainEpochs: 2, compression: 0.9 }),
    /dense pre-training only makes sense for criterion "magnitude".*\n {2}→ at pretrainEpochs/,
  );
  assert.throws(
    () => pruned({ criterion: "magnitude", compression: 1 }),
    /must be a number in \(0, 1\).*\n {2}→ at compression/,
  );
  assert.throws(
    () => pruned({ criterion: "magnitude", compression: 0.9, index: { kind: "csr", bits: 0 } }),
    /must be an integer from 1 to 16.*\n {2}→ at index\.bits/,
  );
  // A bitmap alone costs 1/32 of dense: 97% leaves less than that.
  assert.throws(
    () =>
      solvePruningMasks({
        strategy: pruned({ criterion: "random", compression: 0.975, index: { kind: "bitmap" } }),
        seed: 1,
        layers: smallLayers(),
      }),
    /compression 0.975 is out of reach with a bitmap index/,
  );
});
