import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { readDecodedModel } from "../../src/artifact/pemn-file.js";
import { tensor, tidy } from "../../src/engine/index.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "../../src/onnx/index.js";
import { buildDecodedModel } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";

/**
 * `.pemn` files written before the backbone registry (make-legacy-pemn.ts, at the commit that
 * expected.json names) must decode to the same bits, and the rebuilt network must compute what
 * the network of that day computed.
 */
const dir = join(import.meta.dirname, "fixtures", "legacy");
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as {
  input: { seed: number; stream: string; batch: number };
  files: {
    file: string;
    maskedWeights: Record<string, string>;
    norms: Record<string, string>;
    logits: number[];
  }[];
};

const sha256 = (values: Float32Array) =>
  createHash("sha256")
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest("hex");

const maxDifference = (a: ArrayLike<number>, b: readonly number[]) => {
  assert.equal(a.length, b.length);
  return Math.max(...b.map((value, i) => Math.abs((a[i] as number) - value)));
};

for (const item of expected.files) {
  test(`legacy ${item.file}: same decoded bits, same logits in the engine and in ONNX`, async () => {
    const decoded = readDecodedModel(join(dir, item.file));
    const hashes = (tensors: ReadonlyMap<string, { values: Float32Array }>) =>
      Object.fromEntries([...tensors].map(([name, t]) => [name, sha256(t.values)]));
    assert.deepEqual(hashes(decoded.maskedWeights), item.maskedWeights);
    assert.deepEqual(hashes(decoded.normTensors), item.norms);

    const { channels, height, width } = decoded.model.input;
    const shape = [expected.input.batch, channels, height, width];
    const input = createGenerator(expected.input.seed, expected.input.stream).fillNormal(
      new Float32Array(shape.reduce((a, b) => a * b, 1)),
      0,
      1,
    );
    const model = buildDecodedModel(decoded);
    try {
      const logits = tidy(() => model.forward(tensor(input, shape)).toFloat32Array());
      assert.ok(maxDifference(logits, item.logits) < 1e-5, `engine logits of ${item.file}`);
    } finally {
      model.dispose();
    }
    const session = await ort.InferenceSession.create(exportOnnx(decoded));
    const output = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", input, shape) });
    const onnxLogits = output[ONNX_OUTPUT]?.data as Float32Array;
    assert.ok(maxDifference(onnxLogits, item.logits) < 1e-4, `ONNX logits of ${item.file}`);
  });
}
