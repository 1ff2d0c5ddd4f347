import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import {
  type DecodedModel,
  type DecodedTensor,
  decodeModelBytes,
  encodePemn,
  PemnModelError,
} from "../../src/artifact/index.js";
import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import { BACKBONES, createPemnModel, parseModelConfig } from "../../src/models/index.js";
import type { Layer } from "../../src/nn/index.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "../../src/onnx/index.js";
import { buildDecodedModel, packModel } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";
import { perturbTrainedState } from "./perturb-norms.js";
import { assertSameBits } from "./same-bits-assert.js";

const INPUT = { channels: 3, height: 16, width: 16 };
const TOLERANCE = 1e-5;

/**
 * Model configs without input and classes (parseModelConfig validates them): every registered
 * backbone's small config, and variants of their options.
 */
const CONFIGS: readonly Readonly<Record<string, unknown>>[] = [
  ...BACKBONES.map((backbone) => ({ name: backbone.name, ...backbone.small })),
  { name: "convmixer", dim: 32, depth: 2, kernel: 5, patch: 2 },
  { name: "resnet", depth: 8, shortcut: "A" },
  { name: "resnet", depth: 8, shortcut: "B", affineBatchNorm: false },
  { name: "mlp", hidden: [64, 32] },
  { name: "mlp", hidden: [48], batchNorm: false },
  { name: "vit", dim: 32, depth: 2, heads: 4, patch: 4 },
  { name: "vit", dim: 32, depth: 1, heads: 2, patch: 4, positionEmbedding: "sincos" },
];

function images(batch: number): Float32Array {
  const { channels, height, width } = INPUT;
  return createGenerator(7, "test/images").fillNormal(
    new Float32Array(batch * channels * height * width),
    0,
    1,
  );
}

function engineLogits(model: Layer, input: Float32Array, batch: number): Float32Array {
  const { channels, height, width } = INPUT;
  return noGrad(() =>
    tidy(() => model.forward(tensor(input, [batch, channels, height, width])).toArray<"float32">()),
  );
}

for (const [index, backbone] of CONFIGS.entries()) {
  test(`ONNX export of ${JSON.stringify(backbone)} matches pemn's forward within ${TOLERANCE}`, async (t) => {
    const model = parseModelConfig({ ...backbone, input: INPUT, classes: 10 });
    const spec = {
      model,
      // fan-in rescaling keeps the logits of norm-free networks (Conv-x) of some size.
      strategy: { kind: "rp", ratio: 0.1, order: "copy", rescale: "fan-in" } as const,
      keepFraction: 0.4,
      seed: 11 + index,
    };
    const { model: original } = createPemnModel(spec);
    try {
      perturbTrainedState(original, index);
      original.eval();
      const decoded = decodeModelBytes(
        encodePemn(packModel(original, spec, { values: "seed", norms: "fp32" })),
      );
      const session = await ort.InferenceSession.create(exportOnnx(decoded), {
        intraOpNumThreads: 1,
      });
      const rebuilt = buildDecodedModel(decoded);
      try {
        for (const batch of [1, 5]) {
          const input = images(batch);
          const expected = engineLogits(original, input, batch);
          assertSameBits(engineLogits(rebuilt, input, batch), expected, "rebuilt model's logits");
          const { channels, height, width } = INPUT;
          const outputs = await session.run({
            [ONNX_INPUT]: new ort.Tensor("float32", input, [batch, channels, height, width]),
          });
          const output = outputs[ONNX_OUTPUT] as ort.Tensor;
          assert.deepEqual(output.dims, [batch, 10]);
          const actual = output.data as Float32Array;
          const difference = Math.max(
            ...actual.map((value, i) => Math.abs(value - (expected[i] as number))),
          );
          const scale = Math.max(...expected.map(Math.abs));
          t.diagnostic(
            `batch ${batch}: max |difference| ${difference.toExponential(2)}, max |logit| ${scale.toFixed(3)}`,
          );
          assert.ok(scale > 0.1, `logits of some size: ${scale}`);
          assert.ok(difference <= TOLERANCE, `max difference ${difference}`);
        }
      } finally {
        rebuilt.dispose();
        await session.release();
      }
    } finally {
      original.dispose();
    }
  });
}

test("norm tensors that do not fit the model are refused by the engine and by ONNX export", () => {
  const model = parseModelConfig({ name: "mlp", hidden: [8], input: INPUT, classes: 10 });
  const spec = { model, strategy: { kind: "mask" } as const, keepFraction: 0.5, seed: 1 };
  const { model: original } = createPemnModel(spec);
  let decoded: DecodedModel;
  try {
    decoded = decodeModelBytes(
      encodePemn(packModel(original, spec, { values: "seed", norms: "fp32" })),
    );
  } finally {
    original.dispose();
  }
  const withNorms = (edit: (norms: Map<string, DecodedTensor>) => void): DecodedModel => {
    const norms = new Map(decoded.normTensors);
    edit(norms);
    return { ...decoded, normTensors: norms };
  };
  const cases: [DecodedModel, RegExp][] = [
    [
      withNorms((norms) => norms.delete("hidden.0.norm.bias")),
      /tensor "hidden.0.norm.bias" is missing/,
    ],
    [
      withNorms((norms) => norms.set("surplus", { shape: [1], values: new Float32Array(1) })),
      /the model has no tensor "surplus"/,
    ],
    [
      withNorms((norms) =>
        norms.set("hidden.0.norm.runningVar", { shape: [9], values: new Float32Array(9) }),
      ),
      /tensor "hidden.0.norm.runningVar" is \[9\], the model's is \[8\]/,
    ],
  ];
  for (const [bad, message] of cases) {
    for (const use of [buildDecodedModel, exportOnnx]) {
      assert.throws(
        () => use(bad),
        (error: unknown) =>
          error instanceof PemnModelError &&
          error.code === "norm-mismatch" &&
          message.test(error.message),
        `${use.name}: ${message}`,
      );
    }
  }
});
