import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeModelBytes,
  decodePemn,
  encodePemn,
  inspectPemn,
  type MaskedLayer,
  type PemnContents,
  prunedLayers,
} from "../../src/artifact/index.js";
import { maskedLayout, parseModelConfig } from "../../src/models/pure.js";
import {
  type PrunedStrategy,
  type PruningIndex,
  parseWeightStrategy,
  planWeights,
  solvePruningMasks,
} from "../../src/weights/index.js";
import { assertPemnError, resealed, sectionsOf } from "./pemn-surgery.js";

const FASHION = { input: { channels: 1, height: 28, width: 28 }, classes: 10 };
const LAYOUTS = [
  parseModelConfig({ name: "resnet", depth: 20, ...FASHION }),
  parseModelConfig({ name: "convmixer", dim: 32, depth: 2, kernel: 5, patch: 2, ...FASHION }),
];
const INDEXES: PruningIndex[] = [
  { kind: "csr", bits: 8 },
  { kind: "relative", bits: 8 },
  { kind: "bitmap" },
];
const TARGETS = [0.9, 0.92, 0.94, 0.96];

/** A pruned network's file, its values the initial ones (what the format sees is the same). */
function prunedFile(model: (typeof LAYOUTS)[number], strategy: PrunedStrategy): Uint8Array {
  const plan = planWeights({ strategy, seed: 4, layers: maskedLayout(model) });
  const solution = solvePruningMasks({ strategy, seed: 4, layers: plan.layers });
  const { maskedLayers, storedValues } = prunedLayers(
    plan.layers.map((layer, i) => ({ ...layer, mask: solution.masks[i] as Uint8Array })),
    strategy.index,
  );
  return encodePemn({
    model: model as never,
    strategy: strategy as never,
    generator: { name: plan.generator, seed: 4n },
    maskedLayers,
    storedValues,
    norms: [{ name: "n.weight", shape: [3], dtype: "fp32", values: Float32Array.of(1, 2, 3) }],
  });
}

test("the ratio measured from the packed file is the target within 0.1 point, every scheme and preset", () => {
  for (const model of LAYOUTS) {
    for (const index of INDEXES) {
      for (const compression of TARGETS) {
        const criterion = model.name === "resnet" ? "random" : "magnitude";
        const strategy = parseWeightStrategy({
          kind: "pruned",
          criterion,
          compression,
          index,
        }) as PrunedStrategy;
        const bytes = prunedFile(model, strategy);
        const inspection = inspectPemn(bytes);
        const network = inspection.prunedNetwork;
        assert.ok(network !== null);
        // Measured from the file's own sections: values + masks, against 32 bits per weight.
        const measured =
          1 -
          (8 * (inspection.parts.values.bytes + inspection.parts.masks.bytes)) /
            (32 * inspection.maskedWeights);
        assert.equal(network.compression.withoutNorms.compressionRatio, measured);
        const what = `${model.name} ${index.kind} ${compression}`;
        assert.ok(Math.abs(measured - compression) < 0.001, `${what}: measured ${measured}`);
        assert.ok(measured >= compression, `${what}: the solver stays within the budget`);
        assert.equal(inspection.storedValues, network.keptWeights, what);
        assert.equal(inspection.keptWeights, network.keptWeights, what);
      }
    }
  }
});

test("a pruned file decodes to its values at the kept positions and +0 elsewhere, and re-encodes to the same bytes", () => {
  for (const index of INDEXES) {
    const strategy = parseWeightStrategy({
      kind: "pruned",
      criterion: "magnitude",
      scope: "global",
      compression: 0.92,
      index,
    }) as PrunedStrategy;
    const model = LAYOUTS[1] as (typeof LAYOUTS)[number];
    const bytes = prunedFile(model, strategy);
    assert.deepEqual(encodePemn(decodePemn(bytes)), bytes, index.kind);
    const plan = planWeights({ strategy, seed: 4, layers: maskedLayout(model) });
    const solution = solvePruningMasks({ strategy, seed: 4, layers: plan.layers });
    const decoded = decodeModelBytes(bytes);
    plan.layers.forEach((layer, i) => {
      const mask = solution.masks[i] as Uint8Array;
      const weights = decoded.maskedWeights.get(layer.name)?.values as Float32Array;
      for (let w = 0; w < layer.size; w++) {
        const expected = mask[w] ? (layer.values[w] as number) : 0;
        if (!Object.is(weights[w], expected)) {
          assert.fail(`${index.kind} ${layer.name}[${w}]: ${weights[w]}, expected ${expected}`);
        }
      }
    });
  }
});

/** A one-layer pruned file of 20 weights keeping 1, 9 and 19, positions relative 2-bit. */
function tinyPruned(): PemnContents {
  const mask = new Uint8Array(20);
  mask[1] = mask[9] = mask[19] = 1;
  const { maskedLayers, storedValues } = prunedLayers(
    [{ name: "w", shape: [20], values: Float32Array.from({ length: 20 }, (_, i) => i), mask }],
    { kind: "relative", bits: 2 },
  );
  return {
    model: {},
    strategy: {},
    generator: { name: "g", seed: 0n },
    maskedLayers,
    storedValues,
    norms: [],
  };
}

test("relative indices: the bits docs/format.md gives, and damaged ones are bad-mask", () => {
  const contents = tinyPruned();
  assert.deepEqual(Array.from(contents.storedValues), [1, 9, 19]);
  const file = encodePemn(contents);
  assert.deepEqual(decodePemn(file).maskedLayers[0]?.values, {
    kind: "kept",
    start: 0,
    length: 3,
    index: { kind: "relative", bits: 2 },
  });
  // 2-bit entries, filler 3: gap 1 -> [1]; gap 7 = 3 + 3 + 1 -> [3, 3, 1]; gap 9 = 3 x 3 + 0
  // -> [3, 3, 3, 0]. Packed LSB first: 01 11 11 01 | 11 11 11 00 -> 0b01111101, 0b00111111.
  const { masks } = sectionsOf(file);
  assert.deepEqual(Array.from(masks), [0b01111101, 0b00111111]);
  const withMasks = (bytes: number[]) =>
    resealed(
      Uint8Array.from([
        ...file.subarray(0, file.length - 6),
        ...bytes,
        ...file.subarray(file.length - 4),
      ]),
    ) as Uint8Array;
  // A different mask in the same 16 bits is valid ([1, 3, 3, 1, 3, 3, 0, 0]: 1, 9, 16)...
  const moved = decodePemn(withMasks([0b01111101, 0b00001111])).maskedLayers[0]?.mask;
  assert.deepEqual(Array.from(moved ?? []), [0b00000010, 0b00000010, 0b00000001]);
  // ...but three weights placed in 6 bits leave a byte over.
  assertPemnError(() => decodePemn(withMasks([0b00000001, 0])), "bad-mask", /1 bytes left over/);
  // Fillers only: the kept weights run past the layer's 20 weights.
  assertPemnError(
    () => decodePemn(withMasks([0xff, 0xff])),
    "bad-mask",
    /past its 20 weights|ends after/,
  );
  // A kept count the bitmap disagrees with.
  const bitmap = prunedLayers(
    [{ name: "w", shape: [20], values: new Float32Array(20), mask: new Uint8Array(20).fill(1) }],
    { kind: "bitmap" },
  );
  const wrong = {
    ...contents,
    maskedLayers: [
      {
        ...(bitmap.maskedLayers[0] as MaskedLayer),
        values: { kind: "kept", start: 0, length: 3, index: { kind: "bitmap" } } as const,
      },
    ],
  };
  assertPemnError(
    () => encodePemn(wrong),
    "invalid-contents",
    /keeps 20 weights but references 3 kept values/,
  );
});
