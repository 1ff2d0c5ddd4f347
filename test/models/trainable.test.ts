import assert from "node:assert/strict";
import { test } from "node:test";
import { F, randint, randn, tidy } from "../../src/engine/index.js";
import {
  BACKBONES,
  buildModel,
  type ModelConfigInput,
  maskedLayout,
  parseModelConfig,
} from "../../src/models/index.js";
import { BatchNorm2d, LayerNorm, type WeightMode } from "../../src/nn/index.js";
import { CIFAR, FASHION_MNIST, MASKED, testLayerValues } from "./model-test-values.js";

const CONFIGS: ModelConfigInput[] = [
  ...BACKBONES.map(
    (backbone) =>
      ({
        name: backbone.name,
        input: FASHION_MNIST,
        classes: 10,
        ...backbone.small,
      }) as ModelConfigInput,
  ),
  { name: "convmixer", input: CIFAR, classes: 10, dim: 8, depth: 2, kernel: 3 },
  { name: "vit", input: FASHION_MNIST, classes: 10, dim: 16, depth: 2, heads: 2, patch: 7 },
  { name: "vit", input: CIFAR, classes: 10, dim: 16, depth: 1, positionEmbedding: "sincos" },
  { name: "resnet", input: FASHION_MNIST, classes: 10, depth: 8, shortcut: "B" },
  { name: "mlp", input: CIFAR, classes: 10, hidden: [32, 16] },
];

/** Trains one step's backward pass; returns parameter names and those whose gradient is all zero or absent. */
function backwardOnce(raw: ModelConfigInput, mode: WeightMode) {
  const config = parseModelConfig(raw);
  const model = buildModel(config, { mode, values: testLayerValues(2), scoreSeed: 9 });
  const norms = model
    .namedModules()
    .filter(([, module]) => module instanceof BatchNorm2d || module instanceof LayerNorm)
    .flatMap(([path]) => [`${path}.weight`, `${path}.bias`]);
  const result = tidy(() => {
    const { channels, height, width } = config.input;
    const logits = model.forward(randn([6, channels, height, width]));
    F.crossEntropy(logits, randint(0, config.classes, [6])).backward();
    const parameters = model.namedParameters();
    return {
      names: parameters.map(([name]) => name).sort(),
      withoutGradient: parameters
        .filter(([, p]) => !p.grad || p.grad.abs().sum().item() === 0)
        .map(([name]) => name),
      buffersRequiringGrad: model
        .namedBuffers()
        .filter(([, buffer]) => buffer.requiresGrad)
        .map(([name]) => name),
    };
  });
  model.dispose();
  return { ...result, config, norms, layers: maskedLayout(config).map((layer) => layer.name) };
}

for (const raw of CONFIGS) {
  const label = JSON.stringify(raw);

  test(`masked mode trains exactly the scores and norm parameters, all reached by gradients: ${label}`, () => {
    const { names, withoutGradient, buffersRequiringGrad, config, norms, layers } = backwardOnce(
      raw,
      MASKED,
    );
    const learnedPosition = config.name === "vit" && config.positionEmbedding === "learned";
    const expected = [
      ...layers.map((layer) => `${layer}.weight.scores`),
      ...norms,
      ...(learnedPosition ? ["positionEmbedding"] : []),
    ].sort();
    assert.deepEqual(names, expected);
    assert.deepEqual(withoutGradient, []);
    assert.deepEqual(buffersRequiringGrad, [], "fixed values and running statistics stay fixed");
  });

  test(`dense mode trains the values instead of scores: ${label}`, () => {
    const { names, withoutGradient, norms, layers } = backwardOnce(raw, { kind: "dense" });
    assert.deepEqual(
      names.filter((name) => !norms.includes(name) && name !== "positionEmbedding"),
      layers.map((layer) => `${layer}.weight.values`).sort(),
    );
    assert.deepEqual(withoutGradient, []);
  });
}

test("non-affine BatchNorm leaves only the scores to train", () => {
  const { names, layers } = backwardOnce(
    { name: "convmixer", input: CIFAR, classes: 10, dim: 8, depth: 1, affineBatchNorm: false },
    MASKED,
  );
  assert.deepEqual(names, layers.map((layer) => `${layer}.weight.scores`).sort());
});
