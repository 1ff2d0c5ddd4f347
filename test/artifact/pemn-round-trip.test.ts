import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodePemn,
  describePemn,
  encodePemn,
  float16BitsToNumber,
  float32ToFloat16Bits,
  type PemnContents,
  packMask,
  storedLayerValues,
} from "../../src/artifact/format/index.js";
import { testRandom } from "../helpers/test-random.js";
import { elementsOf, fixtureContents, randomMask, smallConvMixer } from "./pemn-fixtures.js";

const small = smallConvMixer;

function roundTrip(contents: PemnContents): PemnContents {
  const bytes = encodePemn(contents);
  const decoded = decodePemn(bytes);
  assert.deepEqual(
    encodePemn(decoded),
    bytes,
    "re-encoding the decoded contents gives the same file",
  );
  return decoded;
}

for (const valueMode of ["seed", "stored"] as const) {
  for (const keepFraction of [0.5, 0.05]) {
    test(`round trip: ${valueMode} values, k = ${keepFraction}, fp32 norms`, () => {
      const contents = fixtureContents({ seed: 1, ...small, keepFraction, valueMode });
      assert.deepEqual(roundTrip(contents), contents);
    });
  }
}

test("round trip with fp16 norms gives the float16-rounded values", () => {
  const contents = fixtureContents({ seed: 2, ...small, normDtype: "fp16" });
  const decoded = roundTrip(contents);
  decoded.norms.forEach((norm, index) => {
    const original = contents.norms[index];
    assert.ok(original);
    assert.equal(norm.dtype, "fp16");
    const rounded = Float32Array.from(original.values, (value) =>
      float16BitsToNumber(float32ToFloat16Bits(value)),
    );
    assert.deepEqual(norm.values, rounded);
  });
  assert.deepEqual(
    { ...decoded, norms: [] },
    { ...contents, norms: [] },
    "everything else is exact",
  );
});

test("k = 0.05 masks are range-coded, k = 0.5 masks are bitsets; both decode exactly", () => {
  const sparse = encodePemn(fixtureContents({ seed: 3, ...small, keepFraction: 0.05 }));
  const dense = encodePemn(fixtureContents({ seed: 3, ...small, keepFraction: 0.5 }));
  const bigLayers = (bytes: Uint8Array) =>
    describePemn(bytes).layers.filter((layer) => layer.weights >= 256);
  assert.ok(bigLayers(sparse).every((layer) => layer.encoding === "range"));
  assert.ok(bigLayers(dense).every((layer) => layer.encoding === "bits"));
});

test("random contents: mixed value references, odd shapes, any seed, unicode names", () => {
  const random = testRandom(4);
  for (let trial = 0; trial < 30; trial++) {
    const storedValues = Float32Array.from({ length: Math.floor(random() * 50) + 1 }, () =>
      random(),
    );
    const layerCount = Math.floor(random() * 6);
    const maskedLayers = Array.from({ length: layerCount }, (_, index) => {
      const shape = Array.from(
        { length: 1 + Math.floor(random() * 4) },
        () => 1 + Math.floor(random() * 9),
      );
      const start = Math.floor(random() * storedValues.length);
      const length = 1 + Math.floor(random() * (storedValues.length - start));
      return {
        name: index % 2 ? `couche.${index}.poids·π` : `layer${index}`,
        shape,
        values:
          random() < 0.5
            ? ({ kind: "seed" } as const)
            : ({ kind: "stored", start, length } as const),
        mask: randomMask(elementsOf(shape), random(), random),
      };
    });
    const norms = Array.from({ length: Math.floor(random() * 4) }, (_, index) => ({
      name: `norm.${index}`,
      shape: [1 + Math.floor(random() * 7)],
      dtype: random() < 0.5 ? ("fp32" as const) : ("fp16" as const),
      values: new Float32Array(0),
    })).map((norm) => ({
      ...norm,
      // Values float16 holds exactly, so fp16 tensors round-trip exactly too.
      values: Float32Array.from(
        { length: elementsOf(norm.shape) },
        () => Math.round(random() * 64) / 8,
      ),
    }));
    const contents: PemnContents = {
      model: { name: "mlp", sizes: [512, 100, 10], nested: { on: true, none: null } },
      strategy: { kind: "rp", ratio: 0.001, order: "copy" },
      generator: {
        name: "pemn-threefry4x32-20-v1",
        seed: trial === 0 ? 2n ** 64n - 1n : BigInt(trial),
      },
      maskedLayers,
      storedValues,
      norms,
    };
    assert.deepEqual(roundTrip(contents), contents, `trial ${trial}`);
  }
});

test("decodes from a Buffer view at an odd offset, and copies what it returns", () => {
  const contents = fixtureContents({ seed: 5, ...small, valueMode: "stored" });
  const bytes = encodePemn(contents);
  const pool = Buffer.alloc(bytes.length + 3);
  pool.set(bytes, 3);
  const view = pool.subarray(3);
  const decoded = decodePemn(view);
  assert.deepEqual(decoded, contents);
  pool.fill(0);
  assert.deepEqual(decoded, contents, "decoded arrays do not alias the input");
});

test("stored values tile: a layer takes the first `size` values of its slice repeated", () => {
  const storedValues = Float32Array.of(9, 1, 2, 3, 9);
  const layer = {
    name: "l",
    shape: [2, 4],
    values: { kind: "stored", start: 1, length: 3 } as const,
    mask: packMask(new Array(8).fill(1)),
  };
  assert.deepEqual(Array.from(storedLayerValues(storedValues, layer)), [1, 2, 3, 1, 2, 3, 1, 2]);
  assert.deepEqual(
    Array.from(storedLayerValues(storedValues, { ...layer, shape: [2] })),
    [1, 2],
    "a smaller layer takes a prefix (max-layer padding)",
  );
  assert.throws(
    () => storedLayerValues(storedValues, { ...layer, values: { kind: "seed" } }),
    RangeError,
  );
});
