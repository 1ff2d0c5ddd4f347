import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { decodeModelBytes, encodePemn } from "../../src/artifact/index.js";
import { F, liveTensorCount, noGrad, randint, tensor, tidy } from "../../src/engine/index.js";
import {
  createPemnModel,
  maskedLayerNames,
  maskedWeightsOf,
  modelLayout,
  parseModelConfig,
} from "../../src/models/index.js";
import { type Layer, refreshMasks } from "../../src/nn/index.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "../../src/onnx/index.js";
import { buildDecodedModel, normTensors, packModel } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";
import { createOptimizer, optimizerConfigSchema } from "../../src/train/index.js";
import { weightStrategySchema } from "../../src/weights/index.js";
import { assertSameBits } from "../artifact/same-bits-assert.js";

/*
 * What a user does with a model, checked on one config: build, train a step, pack, decode,
 * rebuild, export to ONNX. backbones.test.ts runs it on every registered backbone's small
 * config; a backbone's own tests run it on its other variants.
 */

const BATCH = 4;

function images(input: { channels: number; height: number; width: number }, seed: number) {
  return createGenerator(seed, "test/backbone-images").fillNormal(
    new Float32Array(BATCH * input.channels * input.height * input.width),
    0,
    1,
  );
}

function logitsOf(model: Layer, values: Float32Array, shape: number[]): Float32Array {
  return noGrad(() => tidy(() => model.forward(tensor(values, shape)).toFloat32Array()));
}

/** The state names a declaration list implies, by hand from what each kind holds. */
function expectedTrainedState(declarations: ReturnType<typeof modelLayout>["declarations"]) {
  return declarations.flatMap((declaration) => {
    switch (declaration.kind) {
      case "batchNorm":
        return [...(declaration.affine ? ["weight", "bias"] : []), "runningMean", "runningVar"].map(
          (part) => `${declaration.name}.${part}`,
        );
      case "layerNorm":
        return [`${declaration.name}.weight`, `${declaration.name}.bias`];
      case "parameter":
        return [declaration.name];
      default:
        return [];
    }
  });
}

/**
 * Build (the engine's modules are the layout's), a training step (scores and norms move,
 * fixed values keep their bits), pack / decode / rebuild (the same logits bit for bit) and
 * ONNX (the same logits within float error), leaking no tensor.
 */
export async function checkTrainPackExport(modelConfig: unknown): Promise<void> {
  const config = parseModelConfig(modelConfig);
  const { input, classes } = config;
  const layout = modelLayout(config);
  const spec = {
    model: config,
    strategy: weightStrategySchema.parse({ kind: "mp" }),
    keepFraction: 0.5,
    seed: 5,
  };
  const before = liveTensorCount();
  const { model } = createPemnModel(spec);
  try {
    // Build: the engine's modules are the layout's, in its order and shapes.
    assert.deepEqual(
      maskedLayerNames(model),
      layout.maskedLayers.map((layer) => layer.name),
    );
    const weights = maskedWeightsOf(model, layout.maskedLayers);
    weights.forEach((weight, index) => {
      assert.deepEqual(weight.values.shape, layout.maskedLayers[index]?.shape);
    });
    assert.deepEqual(
      normTensors(model)
        .map(([name]) => name)
        .sort(),
      expectedTrainedState(layout.declarations).sort(),
    );

    // A training step: scores and norms move, the fixed values do not.
    const shape = [BATCH, input.channels, input.height, input.width];
    const valuesBefore = weights.map((weight) => weight.values.toFloat32Array());
    const scoresBefore = weights.map((weight) => weight.scores?.toFloat32Array());
    const optimizer = createOptimizer(
      optimizerConfigSchema.parse({ kind: "adamw", lr: 0.05 }),
      model.namedParameters(),
    );
    model.train();
    tidy(() => {
      const logits = model.forward(tensor(images(input, 1), shape));
      assert.deepEqual(logits.shape, [BATCH, classes]);
      const loss = F.crossEntropy(logits, randint(0, classes, [BATCH]));
      assert.ok(Number.isFinite(loss.item()), "finite loss");
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();
    });
    optimizer.dispose();
    refreshMasks(model);
    weights.forEach((weight, index) => {
      assertSameBits(
        weight.values.toFloat32Array(),
        valuesBefore[index] as Float32Array,
        `${layout.maskedLayers[index]?.name} fixed values`,
      );
    });
    assert.ok(
      weights.some((weight, index) =>
        weight.scores?.toFloat32Array().some((score, i) => score !== scoresBefore[index]?.[i]),
      ),
      "some scores moved",
    );

    // Pack, decode, rebuild: the same logits, bit for bit; ONNX within float error.
    model.eval();
    const test = images(input, 2);
    const expected = logitsOf(model, test, shape);
    const decoded = decodeModelBytes(
      encodePemn(packModel(model, spec, { values: "seed", norms: "fp32" })),
    );
    const rebuilt = buildDecodedModel(decoded);
    try {
      assertSameBits(logitsOf(rebuilt, test, shape), expected, "rebuilt model's logits");
    } finally {
      rebuilt.dispose();
    }
    const session = await ort.InferenceSession.create(exportOnnx(decoded));
    const output = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", test, shape) });
    const actual = output[ONNX_OUTPUT]?.data as Float32Array;
    const worst = Math.max(...expected.map((value, i) => Math.abs(value - (actual[i] as number))));
    assert.ok(worst < 1e-4, `ONNX logits differ by ${worst}`);
  } finally {
    model.dispose();
  }
  assert.equal(liveTensorCount(), before, "nothing leaks");
}
