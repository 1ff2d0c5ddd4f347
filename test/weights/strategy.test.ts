import assert from "node:assert/strict";
import { test } from "node:test";
import {
  parseWeightStrategy,
  trainsValues,
  validateMaskedLayers,
  weightQuantization,
} from "../../src/weights/index.js";

test("valid strategies parse; rescale defaults to none", () => {
  assert.deepEqual(parseWeightStrategy({ kind: "dense" }), { kind: "dense" });
  assert.deepEqual(parseWeightStrategy({ kind: "mask" }), { kind: "mask" });
  assert.deepEqual(parseWeightStrategy({ kind: "one-layer" }), { kind: "one-layer" });
  assert.deepEqual(parseWeightStrategy({ kind: "mp" }), { kind: "mp", rescale: "none" });
  assert.deepEqual(
    parseWeightStrategy({ kind: "rp", ratio: 1, order: "rand", rescale: "fan-in" }),
    {
      kind: "rp",
      ratio: 1,
      order: "rand",
      rescale: "fan-in",
    },
  );
});

test("bad ratios are refused with a message naming the field and the value", () => {
  for (const [ratio, shown] of [
    [0, "0"],
    [-0.5, "-0.5"],
    [1.01, "1.01"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    ["0.1", '"0.1"'],
    [undefined, "undefined"],
  ] as const) {
    assert.throws(
      () => parseWeightStrategy({ kind: "rp", ratio, order: "copy" }),
      (error: Error) =>
        error.message ===
        `invalid weight strategy:\n✖ must be a number in (0, 1], got ${shown}\n  → at ratio`,
    );
  }
});

test("other mistakes name their field", () => {
  const message = (input: unknown) => {
    try {
      parseWeightStrategy(input);
    } catch (error) {
      return (error as Error).message;
    }
    return "accepted";
  };
  assert.deepEqual(parseWeightStrategy({ kind: "rp", ratio: 0.1 }), {
    kind: "rp",
    ratio: 0.1,
    order: "copy",
    rescale: "none",
  });
  assert.match(
    message({ kind: "rp", ratio: 0.1, order: "shuffle" }),
    /got "shuffle"\n {2}→ at order/,
  );
  assert.match(
    message({ kind: "mp", rescale: "yes" }),
    /must be "none" or "fan-in".*\n {2}→ at rescale/,
  );
  assert.match(message({ kind: "rpp" }), /must be one of .* got "rpp"\n {2}→ at kind/);
  assert.match(message({}), /must be one of .* got undefined\n {2}→ at kind/);
  assert.match(message("mask"), /must be an object with a "kind" field/);
  assert.match(message({ kind: "mask", ratio: 0.1 }), /Unrecognized key: "ratio"/);
  assert.match(message({ kind: "rp", ratio: 0, order: "x" }), /→ at ratio\n✖ .*\n {2}→ at order/);
});

test("layer lists are checked: names, shapes, fan-in", () => {
  const good = { name: "a", shape: [2, 3], fanIn: 3 };
  assert.deepEqual(validateMaskedLayers([good]), [good]);
  const refuse = (layers: unknown, pattern: RegExp) =>
    assert.throws(() => validateMaskedLayers(layers), pattern);
  refuse([], /at least one masked layer/);
  refuse([{ ...good, name: "" }], /must not be empty\n {2}→ at \[0\]\.name/);
  refuse([good, { ...good }], /duplicate layer name "a"\n {2}→ at \[1\]\.name/);
  refuse([{ ...good, shape: [] }], /must not be empty\n {2}→ at \[0\]\.shape/);
  refuse([{ ...good, shape: [2, 0] }], /every dimension must be a positive integer, got 0/);
  refuse([{ ...good, shape: [2.5] }], /every dimension must be a positive integer, got 2.5/);
  refuse([{ ...good, fanIn: 0 }], /fanIn must be a positive integer, got 0\n {2}→ at \[0\]\.fanIn/);
  refuse([{ ...good, fanIn: Number.NaN }], /fanIn must be a positive integer, got NaN/);
  refuse([{ ...good, shape: [2 ** 16, 2 ** 16] }], /more than 4294967295 weights/);
  refuse([{ ...good, bias: true }], /Unrecognized key: "bias"/);
});

test("quantized (2 to 8 bits, default 8) and binary parse; other widths are refused", () => {
  assert.deepEqual(parseWeightStrategy({ kind: "quantized" }), { kind: "quantized", bits: 8 });
  assert.deepEqual(parseWeightStrategy({ kind: "quantized", bits: 4 }), {
    kind: "quantized",
    bits: 4,
  });
  assert.deepEqual(parseWeightStrategy({ kind: "binary" }), { kind: "binary" });
  for (const [bits, shown] of [
    [1, "1"],
    [9, "9"],
    [4.5, "4.5"],
    ["4", '"4"'],
  ] as const) {
    assert.throws(
      () => parseWeightStrategy({ kind: "quantized", bits }),
      (error: Error) =>
        error.message ===
        `invalid weight strategy:\n✖ must be an integer from 2 to 8, got ${shown}\n  → at bits`,
    );
  }
  assert.throws(() => parseWeightStrategy({ kind: "binary", bits: 1 }), /Unrecognized key: "bits"/);
  assert.deepEqual(weightQuantization(parseWeightStrategy({ kind: "quantized", bits: 4 })), {
    bits: 4,
    scale: "max",
  });
  assert.deepEqual(weightQuantization(parseWeightStrategy({ kind: "binary" })), {
    bits: 1,
    scale: "mean",
  });
  assert.equal(weightQuantization(parseWeightStrategy({ kind: "mask" })), null);
  assert.deepEqual(
    ["dense", "mask", "one-layer", "mp", "rp", "pruned", "quantized", "binary"].filter(
      trainsValues,
    ),
    ["dense", "pruned", "quantized", "binary"],
  );
});
