import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import {
  decodeModelBytes,
  decodePemn,
  encodePemn,
  foldBatchNorms,
  unfoldBatchNorms,
} from "../../src/artifact/index.js";
import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import { createPemnModel, modelLayout, parseModelConfig } from "../../src/models/index.js";
import type { Layer } from "../../src/nn/index.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "../../src/onnx/index.js";
import { buildDecodedModel, packModel } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";
import { perturbTrainedState } from "./perturb-norms.js";

const INPUT = { channels: 3, height: 16, width: 16 };

function logits(model: Layer, input: Float32Array, batch: number): Float32Array {
  return noGrad(() =>
    tidy(() =>
      model
        .forward(tensor(input, [batch, INPUT.channels, INPUT.height, INPUT.width]))
        .toArray<"float32">(),
    ),
  );
}

const maxDifference = (a: Float32Array, b: Float32Array) =>
  Math.max(...a.map((value, i) => Math.abs(value - (b[i] as number))));

test("folding and unfolding one BatchNorm computes y = x * s + t, by hand in float64", () => {
  const declarations = [
    { kind: "batchNorm", name: "bn", features: 2, affine: true, eps: 1e-5, momentum: 0.1 },
  ] as const;
  const tensors = [
    ["bn.weight", [2, -0.5]],
    ["bn.bias", [0.25, 1]],
    ["bn.runningMean", [1, -3]],
    ["bn.runningVar", [4, 0.25]],
  ].map(([name, values]) => ({
    name: name as string,
    shape: [2],
    values: Float32Array.from(values as number[]),
  }));
  const folded = foldBatchNorms(tensors, declarations);
  assert.deepEqual(
    folded.map((tensor) => tensor.name),
    ["bn.scale", "bn.shift"],
  );
  const eps = Math.fround(1e-5);
  const s = [2 / Math.sqrt(4 + eps), -0.5 / Math.sqrt(0.25 + eps)];
  const t = [0.25 - 1 * (s[0] as number), 1 - -3 * (s[1] as number)];
  assert.deepEqual(folded[0]?.values, Float32Array.from(s));
  assert.deepEqual(folded[1]?.values, Float32Array.from(t));
  const unfolded = unfoldBatchNorms(
    new Map(folded.map(({ name, shape, values }) => [name, { shape, values }])),
    declarations,
  );
  assert.deepEqual([...unfolded.keys()].sort(), [
    "bn.bias",
    "bn.runningMean",
    "bn.runningVar",
    "bn.weight",
  ]);
  // BatchNorm in evaluation mode over the unfolded tensors, in float64, at x = 0.7.
  for (const channel of [0, 1]) {
    const at = (name: string) => unfolded.get(name)?.values[channel] as number;
    const y =
      ((0.7 - at("bn.runningMean")) / Math.sqrt(at("bn.runningVar") + eps)) * at("bn.weight") +
      at("bn.bias");
    const expected = 0.7 * (s[channel] as number) + (t[channel] as number);
    assert.ok(Math.abs(y - expected) < 1e-6 * Math.max(1, Math.abs(expected)), `${y} ${expected}`);
  }
});

const CONFIGS = [
  { name: "convmixer", dim: 16, depth: 2, kernel: 3, patch: 2 },
  { name: "resnet", depth: 8, shortcut: "B" },
  { name: "mlp", hidden: [32, 16] },
  { name: "resnet", depth: 8, shortcut: "A", affineBatchNorm: false },
];

for (const [index, config] of CONFIGS.entries()) {
  test(`a folded ${JSON.stringify(config)} gives the trained logits within 1e-5, in pemn and ONNX`, async () => {
    const model = parseModelConfig({ ...config, input: INPUT, classes: 10 });
    const spec = { model, strategy: { kind: "mask" } as const, keepFraction: 0.5, seed: 3 + index };
    const { model: original } = createPemnModel(spec);
    try {
      perturbTrainedState(original, index);
      original.eval();
      const plain = packModel(original, spec, { values: "seed", norms: "fp32" });
      const folded = packModel(original, spec, { values: "seed", norms: "fp32", foldNorms: true });
      const batchNorms = modelLayout(model).declarations.filter(
        (declaration) => declaration.kind === "batchNorm" && declaration.affine,
      ).length;
      // Each affine BatchNorm's four tensors become two.
      assert.equal(folded.norms.length, plain.norms.length - 2 * batchNorms);
      const bytes = encodePemn(folded);
      assert.deepEqual(
        decodePemn(bytes).norms.map((norm) => norm.name),
        folded.norms.map((norm) => norm.name),
      );
      const decoded = decodeModelBytes(bytes);
      const rebuilt = buildDecodedModel(decoded);
      const session = await ort.InferenceSession.create(exportOnnx(decoded), {
        intraOpNumThreads: 1,
      });
      try {
        const batch = 4;
        const input = createGenerator(9, "test/fold-images").fillNormal(
          new Float32Array(batch * INPUT.channels * INPUT.height * INPUT.width),
          0,
          1,
        );
        const expected = logits(original, input, batch);
        const scale = Math.max(...expected.map(Math.abs));
        assert.ok(scale > 0.1, `logits of some size: ${scale}`);
        assert.ok(
          maxDifference(logits(rebuilt, input, batch), expected) <= 1e-5 * Math.max(1, scale),
        );
        const outputs = await session.run({
          [ONNX_INPUT]: new ort.Tensor("float32", input, [
            batch,
            INPUT.channels,
            INPUT.height,
            INPUT.width,
          ]),
        });
        const onnx = (outputs[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
        assert.ok(maxDifference(onnx, expected) <= 1e-5 * Math.max(1, scale));
      } finally {
        rebuilt.dispose();
        await session.release();
      }
    } finally {
      original.dispose();
    }
  });
}
