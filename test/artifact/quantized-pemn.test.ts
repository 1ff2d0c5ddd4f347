import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeModel,
  decodePemn,
  dequantizedLayerValues,
  describePemn,
  encodePemn,
  type MaskedLayer,
  type PemnContents,
  packMask,
  type QuantizedScaleDtype,
  type QuantizedValues,
} from "../../src/artifact/index.js";
import { maskedLayout, parseModelConfig } from "../../src/models/pure.js";
import { parseWeightStrategy } from "../../src/weights/index.js";
import { assertPemnError, resealed, sealedSections, sectionsOf } from "./pemn-surgery.js";

/*
 * The quantized values of docs/format.md ("Quantized values"): per layer, one scale per output
 * channel (float32, or bfloat16 as pemn packs them), then the levels bit-packed; decoded
 * weights level x scale in float32.
 */

const quantized = (
  bits: number,
  scales: readonly number[],
  levels: readonly number[],
  scaleDtype: QuantizedScaleDtype = "fp32",
): QuantizedValues => ({
  kind: "quantized",
  bits,
  scaleDtype,
  scales: Float32Array.from(scales),
  levels: Int8Array.from(levels),
});

const allKept = (weights: number) => packMask(new Uint8Array(weights).fill(1));

/** The levels of a file's first layer. */
const levelsOf = (file: Uint8Array) => [
  ...((decodePemn(file).maskedLayers[0] as MaskedLayer).values as QuantizedValues).levels,
];

function contentsWith(layers: readonly MaskedLayer[], storedValues = new Float32Array(0)) {
  return {
    model: {},
    strategy: {},
    generator: { name: "g", seed: 0n },
    maskedLayers: layers,
    storedValues,
    norms: [],
  } satisfies PemnContents;
}

/** 4 bits [2, 3], binary [2, 5], 8 bits [1, 2]; a stored float layer in between. */
function knownContents(): PemnContents {
  return contentsWith(
    [
      {
        name: "four",
        shape: [2, 3],
        values: quantized(4, [0.5, 2], [-7, 0, 7, 1, -1, 3]),
        mask: allKept(6),
      },
      {
        name: "float",
        shape: [2],
        values: { kind: "stored", start: 0, length: 2 },
        mask: allKept(2),
      },
      {
        name: "one",
        shape: [2, 5],
        values: quantized(1, [0.25, 0], [1, -1, -1, 1, 1, -1, -1, -1, -1, 1]),
        mask: allKept(10),
      },
      { name: "eight", shape: [1, 2], values: quantized(8, [3], [-127, 5]), mask: allKept(2) },
    ],
    Float32Array.of(1.5, -2.5),
  );
}

test("the values section: stored floats, then each quantized layer's scales and packed levels", () => {
  const file = encodePemn(knownContents());
  const { values } = sectionsOf(file);
  const f32 = (x: number) => [...new Uint8Array(Float32Array.of(x).buffer)];
  assert.deepEqual(
    [...values],
    [
      ...f32(1.5),
      ...f32(-2.5),
      // 4 bits: codes 9 (-7), 0, 7, 1, 15 (-1), 3, low nibble first.
      ...f32(0.5),
      ...f32(2),
      0x09,
      0x17,
      0x3f,
      // 1 bit: +1 is 1, -1 is 0, least significant bit first: 1001 1000 | 01.
      ...f32(0.25),
      ...f32(0),
      0b00011001,
      0b00000010,
      // 8 bits: two's complement.
      ...f32(3),
      0x81,
      0x05,
    ],
  );
  const decoded = decodePemn(file);
  assert.deepEqual(decoded.maskedLayers, knownContents().maskedLayers);
  assert.deepEqual([...decoded.storedValues], [1.5, -2.5]);
  assert.deepEqual(encodePemn(decoded), file, "canonical");
  const description = describePemn(file);
  assert.equal(description.storedValueCount, 2);
  assert.equal(description.parts.values, values.length);
  assert.deepEqual(
    description.layers.map((layer) => [layer.values, layer.valueBytes]),
    [
      [{ kind: "quantized", bits: 4, scaleDtype: "fp32" }, 11],
      [{ kind: "stored", start: 0, length: 2 }, 0],
      [{ kind: "quantized", bits: 1, scaleDtype: "fp32" }, 10],
      [{ kind: "quantized", bits: 8, scaleDtype: "fp32" }, 6],
    ],
  );
});

test("bfloat16 scales: the upper half of each float32, little-endian, flagged in the width byte", () => {
  // 0.5 is 0x3f000000, 2.5 is 0x40200000, 2^-126 is 0x00800000: all exact in bfloat16.
  const layer = (scales: number[]): MaskedLayer => ({
    name: "w",
    shape: [3, 2],
    values: quantized(4, scales, [1, -1, 7, 0, -7, 2], "bf16"),
    mask: allKept(6),
  });
  const file = encodePemn(contentsWith([layer([0.5, 2.5, 2 ** -126])]));
  const { values, header } = sectionsOf(file);
  // Scales: 0x3f00, 0x4020, 0x0080 little-endian; then 4-bit codes 1, 15, 7, 0, 9, 2.
  assert.deepEqual([...values], [0x00, 0x3f, 0x20, 0x40, 0x80, 0x00, 0xf1, 0x07, 0x29]);
  // The width byte: 4 with the bfloat16 bit (0x80), right after the flags byte (quantized
  // 0b100, range-coded mask 0b10: every weight kept codes to nothing).
  assert.deepEqual([...header.subarray(-5, -3)], [0b110, 0x84]);
  const decoded = decodePemn(file);
  assert.deepEqual(decoded.maskedLayers, [layer([0.5, 2.5, 2 ** -126])]);
  assert.deepEqual(encodePemn(decoded), file, "canonical");
  assert.equal(describePemn(file).layers[0]?.valueBytes, 3 * 2 + 3);
  // A scale that is not a bfloat16 (0.1 has low bits set) would not survive: refused by name.
  assertPemnError(
    () => encodePemn(contentsWith([layer([0.5, 0.1, 1])])),
    "invalid-contents",
    /layer "w" have scale 0\.1\d* for channel 1, not a bfloat16/,
  );
});

test("a quantized layer decodes to level x scale in float32, zeros +0", () => {
  const values = quantized(3, [0.1, 0], [-3, 0, 1, 2, -1, 0]);
  const weights = dequantizedLayerValues(values, [2, 3]);
  const expected = [-3, 0, 1].map((level) => Math.fround(level * Math.fround(0.1)));
  assert.deepEqual([...weights], [...expected, 0, 0, 0]);
  assert.ok(weights.every((w) => w !== 0 || Object.is(w, 0)));
  // -1 x a zero scale is -0 in float32; the engine's forward pass adds +0, so the file's is +0.
  const binary = dequantizedLayerValues(quantized(1, [0], [-1, 1]), [1, 2]);
  assert.ok(Object.is(binary[0], 0) && Object.is(binary[1], 0));
});

test("quantized files decode to the model's weights through decodeModel, and the strategy must match", () => {
  const model = parseModelConfig({
    name: "mlp",
    hidden: [3],
    input: { channels: 1, height: 2, width: 2 },
    classes: 2,
  });
  const layout = maskedLayout(model);
  const layers = (bits: number): MaskedLayer[] =>
    layout.map((layer) => {
      const [channels, inputs] = layer.shape as [number, number];
      const weights = channels * inputs;
      return {
        name: layer.name,
        shape: layer.shape,
        values: quantized(
          bits,
          Array.from({ length: channels }, (_, c) => 0.5 + c),
          Array.from({ length: weights }, (_, i) => (bits === 1 ? (i % 3 === 0 ? -1 : 1) : i % 3)),
        ),
        mask: allKept(weights),
      };
    });
  const contents = (strategy: object, bits: number): PemnContents => ({
    ...contentsWith(layers(bits)),
    model: model as never,
    strategy: parseWeightStrategy(strategy) as never,
  });
  const decoded = decodeModel(contents({ kind: "quantized", bits: 4 }, 4));
  const first = decoded.maskedWeights.get("hidden.0.linear")?.values as Float32Array;
  // Channel 0 (scale 0.5): levels 0, 1, 2, 0; channel 1 (scale 1.5): 1, 2, 0, 1.
  assert.deepEqual([...first.subarray(0, 8)], [0, 0.5, 1, 0, 1.5, 3, 0, 1.5]);
  assert.ok(decodeModel(contents({ kind: "binary" }, 1)));
  const refuse = (strategy: object, bits: number, pattern: RegExp) =>
    assert.throws(
      () => decodeModel(contents(strategy, bits)),
      (error: Error) =>
        (error as { code?: string }).code === "invalid-strategy" && pattern.test(error.message),
    );
  refuse({ kind: "quantized", bits: 8 }, 4, /8-bit quantized network's layer .* 4-bit levels/);
  refuse({ kind: "binary" }, 2, /1-bit binary network's layer .* 2-bit levels/);
  refuse({ kind: "dense" }, 4, /dense network's layer .* 4-bit quantized values/);
});

test("damaged quantized values are bad-values; bad widths and flags are bad-header", () => {
  const file = encodePemn(
    contentsWith([
      { name: "w", shape: [1, 3], values: quantized(4, [0.5], [1, 2, 3]), mask: allKept(3) },
    ]),
  );
  const { header, values, masks } = sectionsOf(file);
  const withValues = (bytes: number[]) =>
    sealedSections({ header, values: Uint8Array.from(bytes), masks });
  const scale = [...values.subarray(0, 4)];
  assert.deepEqual([...values.subarray(4)], [0x21, 0x03]);
  assert.deepEqual(levelsOf(withValues([...scale, 0x21, 0x07])), [1, 2, 7]);
  assertPemnError(() => decodePemn(withValues([...scale, 0x81, 0x03])), "bad-values", /code 8/);
  assertPemnError(() => decodePemn(withValues([...scale, 0x21, 0x13])), "bad-values", /padding/);
  const negative = [...new Uint8Array(Float32Array.of(-1).buffer)];
  assertPemnError(
    () => decodePemn(withValues([...negative, 0x21, 0x03])),
    "bad-values",
    /scale -1/,
  );
  const nan = [0, 0, 0xc0, 0x7f];
  assertPemnError(() => decodePemn(withValues([...nan, 0x21, 0x03])), "bad-values", /scale NaN/);
  // The quantized block is the section's end: a missing byte, or one too many, is seen.
  assertPemnError(() => decodePemn(withValues([...scale, 0x21])), "shape-mismatch");
  assertPemnError(
    () => decodePemn(withValues([...scale, 0x21, 0x03, 0])),
    "shape-mismatch",
    /not a whole number of float32 values/,
  );
  // The header ends: flags 0x06 (quantized, mask range-coded), the u8 width 4, kept 3, mask
  // length 0, no norm tensors.
  const at = header.length - 5;
  assert.deepEqual([...header.subarray(at)], [0x06, 4, 3, 0, 0]);
  const withHeader = (edit: (copy: Uint8Array) => void) => {
    const copy = header.slice();
    edit(copy);
    return sealedSections({ header: copy, values, masks });
  };
  for (const width of [0, 9]) {
    assertPemnError(
      () => decodePemn(withHeader((copy) => (copy[at + 1] = width))),
      "bad-header",
      new RegExp(`quantized width ${width}`),
    );
  }
  for (const flags of [0x07, 0x16]) {
    assertPemnError(
      () => decodePemn(withHeader((copy) => (copy[at] = flags))),
      "bad-header",
      /contradictory flags/,
    );
  }
  assert.ok(resealed(file));
});

test("the encoder refuses quantized values the format cannot hold", () => {
  const layer = (values: QuantizedValues, shape = [2, 2]): MaskedLayer => ({
    name: "w",
    shape,
    values,
    mask: allKept((shape[0] as number) * (shape[1] as number)),
  });
  const refuse = (values: QuantizedValues, pattern: RegExp) =>
    assertPemnError(() => encodePemn(contentsWith([layer(values)])), "invalid-contents", pattern);
  refuse(quantized(4, [1, 1], [1, 2, 3, -8]), /level -8 at 3, not in \[-7, 7\]/);
  refuse(quantized(1, [1, 1], [1, 0, 1, 1]), /level 0 at 1, not -1 or \+1/);
  refuse(quantized(9, [1, 1], [1, 2, 3, 4]), /width 9/);
  refuse(quantized(8, [1], [1, 2, 3, 4]), /1 scales, its 2 output channels/);
  refuse(quantized(8, [1, 1], [1, 2, 3]), /3 levels for 4 weights/);
  refuse(quantized(8, [1, -0.5], [1, 2, 3, 4]), /scale -0.5 for channel 1/);
  refuse(quantized(8, [1, Number.POSITIVE_INFINITY], [1, 2, 3, 4]), /scale Infinity/);
});

test("the bytes of a quantized layer: bits per weight rounded up per layer, plus 32 per channel", () => {
  for (const bits of [1, 2, 4, 8]) {
    const shape = [6, 5, 3, 3];
    const weights = 270;
    const levels = Array.from({ length: weights }, (_, i) =>
      bits === 1 ? (i % 2 ? 1 : -1) : (i % (2 ** (bits - 1) - 1)) - 1,
    );
    const file = encodePemn(
      contentsWith([
        {
          name: "conv",
          shape,
          values: quantized(bits, [1, 2, 3, 4, 5, 6], levels),
          mask: allKept(weights),
        },
      ]),
    );
    const description = describePemn(file);
    assert.equal(description.parts.values, 24 + Math.ceil((weights * bits) / 8), `${bits} bits`);
    assert.equal(description.parts.masks, 0, "a mask keeping every weight is range-coded empty");
    assert.equal(description.layers[0]?.encoding, "range");
    assert.deepEqual(levelsOf(file), levels);
  }
});
