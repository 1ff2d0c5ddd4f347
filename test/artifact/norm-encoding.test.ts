import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeNormValues,
  encodeNormValues,
  normByteLength,
} from "../../src/artifact/format/norm-encoding.js";
import {
  decodePemn,
  encodePemn,
  type PemnContents,
  PemnFormatError,
} from "../../src/artifact/index.js";

const norm = (values: number[]) => ({
  name: "bn.scale",
  shape: [values.length],
  dtype: "int8" as const,
  values: Float32Array.from(values),
});

test("int8 norm tensors: a float32 scale, then one level per element; each value is level x scale", () => {
  const values = [0.5, -1.27, 0.003, 1.27, 0, -0.6];
  const bytes = encodeNormValues(norm(values));
  assert.equal(bytes.length, normByteLength("int8", values.length));
  assert.equal(bytes.length, 4 + values.length);
  const scale = Math.fround(1.27 / 127); // max |value| / 127, as float32
  assert.equal(new DataView(bytes.buffer).getFloat32(0, true), scale);
  const levels = [...new Int8Array(bytes.buffer, 4)];
  assert.deepEqual(levels, [50, -127, 0, 127, 0, -60]);
  const decoded = decodeNormValues("int8", bytes, "bn.scale");
  assert.deepEqual(
    decoded,
    Float32Array.from(levels, (level) => Math.fround(level * scale)),
  );
  for (const [i, value] of values.entries()) {
    assert.ok(Math.abs((decoded[i] as number) - value) <= scale / 2 + 1e-9, `element ${i}`);
  }
  const zeros = decodeNormValues("int8", encodeNormValues(norm([0, 0])), "z");
  assert.deepEqual(zeros, new Float32Array(2));
});

test("int8 bytes that no encoder writes are refused, naming the tensor", () => {
  const bytes = encodeNormValues(norm([1, -1]));
  const low = bytes.slice();
  low[4] = 0x80; // level -128
  assert.throws(
    () => decodeNormValues("int8", low, "bn.scale"),
    (error: unknown) =>
      error instanceof PemnFormatError && /"bn.scale": int8 level -128/.test(error.message),
  );
  const negative = bytes.slice();
  new DataView(negative.buffer).setFloat32(0, -1, true);
  assert.throws(() => decodeNormValues("int8", negative, "bn.scale"), /int8 scale is -1/);
});

test("a file with int8 norm tensors round-trips, 1 byte per element plus 4", () => {
  const contents: PemnContents = {
    model: { name: "mlp" },
    strategy: { kind: "mask" },
    generator: { name: "pemn-threefry4x32-20-v1", seed: 1n },
    maskedLayers: [],
    storedValues: new Float32Array(0),
    norms: [norm([0.25, -0.5, 1]), { ...norm([2, 3]), name: "bn.shift", dtype: "fp16" }],
  };
  const bytes = encodePemn(contents);
  const fp32 = encodePemn({
    ...contents,
    norms: contents.norms.map((n) => ({ ...n, dtype: "fp32" })),
  });
  assert.equal(fp32.length - bytes.length, 3 * 4 - (4 + 3) + 2 * (4 - 2));
  const back = decodePemn(bytes).norms;
  assert.equal(back[0]?.dtype, "int8");
  assert.deepEqual(
    back[0]?.values,
    decodeNormValues("int8", encodeNormValues(contents.norms[0] as never), "x"),
  );
});
