import assert from "node:assert/strict";
import { test } from "node:test";
import { liveTensorCount, randn, tidy } from "../../src/engine/index.js";
import {
  BACKBONES,
  buildModel,
  type ModelConfigInput,
  maskedLayerNames,
  maskedLayout,
  parseModelConfig,
} from "../../src/models/index.js";
import { type MaskedLinear, MaskedWeight } from "../../src/nn/index.js";
import { createGenerator } from "../../src/random/index.js";
import { CIFAR, FASHION_MNIST, MASKED, testLayerValues } from "./model-test-values.js";

/** Every registered backbone's small config, and variants of their options. */
const SMALL_CONFIGS: ModelConfigInput[] = [
  ...BACKBONES.map(
    (backbone) =>
      ({ name: backbone.name, input: CIFAR, classes: 10, ...backbone.small }) as ModelConfigInput,
  ),
  { name: "convmixer", input: CIFAR, classes: 10, dim: 16, depth: 2, kernel: 3 },
  { name: "convmixer", input: FASHION_MNIST, classes: 10, dim: 8, depth: 1, patch: 4 },
  { name: "vit", input: CIFAR, classes: 10, dim: 32, depth: 2, heads: 4 },
  {
    name: "vit",
    input: FASHION_MNIST,
    classes: 10,
    dim: 16,
    depth: 1,
    heads: 2,
    patch: 7,
    mlpRatio: 1.5,
    positionEmbedding: "sincos",
  },
  { name: "resnet", input: CIFAR, classes: 10, depth: 8 },
  { name: "resnet", input: CIFAR, classes: 10, depth: 8, shortcut: "B" },
  { name: "resnet", input: FASHION_MNIST, classes: 100, depth: 8, affineBatchNorm: false },
  { name: "mlp", input: CIFAR, classes: 10, hidden: [64, 32] },
  { name: "mlp", input: FASHION_MNIST, classes: 10, batchNorm: false },
];

for (const raw of SMALL_CONFIGS) {
  const label = JSON.stringify(raw);
  test(`forward gives [N, classes] logits and masked-layer names follow the layout: ${label}`, () => {
    const config = parseModelConfig(raw);
    const before = liveTensorCount();
    const model = buildModel(config, { mode: MASKED, values: testLayerValues(1), scoreSeed: 3 });
    assert.deepEqual(
      maskedLayerNames(model),
      maskedLayout(config).map((layer) => layer.name),
    );
    const { channels, height, width } = config.input;
    for (const training of [true, false]) {
      model.train(training);
      const shape = tidy(() => model.forward(randn([3, channels, height, width])).shape);
      assert.deepEqual(shape, [3, config.classes]);
    }
    model.dispose();
    assert.equal(liveTensorCount(), before, "dispose frees every tensor the model holds");
  });
}

test("each masked layer's scores come from the score seed with the layer's name as stream", () => {
  const config = parseModelConfig({ name: "mlp", input: FASHION_MNIST, classes: 10 });
  const model = buildModel(config, { mode: MASKED, values: testLayerValues(1), scoreSeed: 42 });
  const classifier = model.namedModules().find(([name]) => name === "classifier")?.[1];
  const weight = (classifier as MaskedLinear).weight;
  assert.ok(weight instanceof MaskedWeight);
  const bound = 1 / Math.sqrt(100);
  const expected = createGenerator(42, "classifier").fillUniform(
    new Float32Array(1000),
    -bound,
    bound,
  );
  assert.deepEqual(weight.scores?.toArray(), expected);
  model.dispose();
});

test("values by name: missing, extra and wrongly sized entries are named, nothing leaks", () => {
  const config = parseModelConfig({ name: "mlp", input: FASHION_MNIST, classes: 10, hidden: [4] });
  const good = new Map([
    ["hidden.0.linear", new Float32Array(4 * 784)],
    ["classifier", new Float32Array(10 * 4)],
  ]);
  const before = liveTensorCount();
  const build = (values: Map<string, Float32Array>) =>
    buildModel(config, { mode: MASKED, values, scoreSeed: 0 });
  const without = new Map(good);
  without.delete("classifier");
  assert.throws(() => build(without), /no values for masked layer "classifier"/);
  assert.throws(
    () => build(new Map([...good, ["hidden.1.linear", new Float32Array(4)]])),
    /values given for layers the model lacks: hidden.1.linear/,
  );
  assert.throws(
    () => build(new Map([...good, ["classifier", new Float32Array(39)]])),
    /masked layer "classifier" of shape \[10,4\] needs 40 values, got 39/,
  );
  assert.equal(liveTensorCount(), before);
  build(good).dispose();
});

test("an input of the wrong shape is refused with the expected shape", () => {
  const config = parseModelConfig({ name: "resnet", input: CIFAR, classes: 10, depth: 8 });
  const model = buildModel(config, { mode: MASKED, values: testLayerValues(1), scoreSeed: 0 });
  tidy(() => {
    assert.throws(
      () => model.forward(randn([2, 1, 28, 28])),
      /resnet expects input \[N, 3, 32, 32\], got \[2,1,28,28\]/,
    );
    assert.throws(() => model.forward(randn([3, 32, 32])), /resnet expects input/);
  });
  model.dispose();
});
