import assert from "node:assert/strict";
import { test } from "node:test";
import {
  maskedLayout,
  maskedWeightCount,
  mlpConfigSchema,
  modelLayout,
  parseModelConfig,
  resnetConfigSchema,
} from "../../src/models/pure.js";
import { CIFAR, FASHION_MNIST } from "./model-test-values.js";

const countOf = (config: unknown) => maskedWeightCount(maskedLayout(parseModelConfig(config)));

test("ConvMixer-256 (kernel 5, patch 2, CIFAR-10): the paper's masked weight counts", () => {
  const base = { name: "convmixer", input: CIFAR, classes: 10, dim: 256, kernel: 5, patch: 2 };
  assert.equal(countOf({ ...base, depth: 6 }), 437_248);
  assert.equal(countOf({ ...base, depth: 8 }), 581_120);
  assert.equal(countOf({ name: "convmixer", input: CIFAR, classes: 10 }), 437_248, "defaults");
});

test("ConvMixer layout: names, shapes and fan-ins in definition order", () => {
  const layout = maskedLayout(
    parseModelConfig({ name: "convmixer", input: CIFAR, classes: 10, dim: 8, depth: 2 }),
  );
  assert.deepEqual(layout, [
    { name: "patchEmbed", shape: [8, 3, 2, 2], fanIn: 12 },
    { name: "blocks.0.depthwise", shape: [8, 1, 5, 5], fanIn: 25 },
    { name: "blocks.0.pointwise", shape: [8, 8, 1, 1], fanIn: 8 },
    { name: "blocks.1.depthwise", shape: [8, 1, 5, 5], fanIn: 25 },
    { name: "blocks.1.pointwise", shape: [8, 8, 1, 1], fanIn: 8 },
    { name: "classifier", shape: [10, 8], fanIn: 8 },
  ]);
});

test("ViT layout: patch conv, qkv / proj / fc1 / fc2 per block, classifier", () => {
  const config = parseModelConfig({ name: "vit", input: CIFAR, classes: 10, dim: 16, depth: 1 });
  assert.deepEqual(maskedLayout(config), [
    { name: "patchEmbed", shape: [16, 3, 4, 4], fanIn: 48 },
    { name: "blocks.0.attention.qkv", shape: [48, 16], fanIn: 16 },
    { name: "blocks.0.attention.proj", shape: [16, 16], fanIn: 16 },
    { name: "blocks.0.mlp.fc1", shape: [32, 16], fanIn: 16 },
    { name: "blocks.0.mlp.fc2", shape: [16, 32], fanIn: 32 },
    { name: "classifier", shape: [10, 16], fanIn: 16 },
  ]);
  // 256-dim, depth 6, CIFAR: 3 * 16 * 256 + 6 * (3 + 1 + 2 + 2) * 256^2 + 256 * 10
  assert.equal(countOf({ name: "vit", input: CIFAR, classes: 10 }), 3_160_576);
});

test("CIFAR ResNet: 6n + 2 layers, option B adds the two stage-start 1x1 convs", () => {
  // ResNet-20, option A: 432 + 6 * 2304 + (4608 + 5 * 9216) + (18432 + 5 * 36864) + 640
  assert.equal(countOf({ name: "resnet", input: CIFAR, classes: 10, depth: 20 }), 268_336);
  assert.equal(
    countOf({ name: "resnet", input: CIFAR, classes: 10, depth: 20, shortcut: "B" }),
    268_336 + 16 * 32 + 32 * 64,
  );
  for (const depth of [20, 32, 56]) {
    const layout = modelLayout(
      resnetConfigSchema.parse({ name: "resnet", input: CIFAR, classes: 100, depth }),
    );
    const convs = layout.maskedLayers.filter((layer) => layer.shape.length === 4);
    assert.equal(convs.length + 1, depth, `ResNet-${depth}: depth counts convs and the classifier`);
    const strides = [0, 1, 2].map((stage) =>
      layout.declarations.flatMap((declaration) =>
        declaration.kind === "conv" &&
        declaration.spec.name.startsWith(`stages.${stage}.`) &&
        declaration.spec.name.endsWith(".conv1")
          ? [declaration.options.stride ?? 1]
          : [],
      ),
    );
    assert.deepEqual(
      strides,
      [1, 2, 2].map((first) => [first, ...Array((depth - 2) / 6 - 1).fill(1)]),
    );
  }
  const names = maskedLayout(
    parseModelConfig({ name: "resnet", input: CIFAR, classes: 10, depth: 8, shortcut: "B" }),
  ).map((layer) => layer.name);
  assert.deepEqual(names, [
    "stem",
    "stages.0.0.conv1",
    "stages.0.0.conv2",
    "stages.1.0.conv1",
    "stages.1.0.conv2",
    "stages.1.0.shortcut.conv",
    "stages.2.0.conv1",
    "stages.2.0.conv2",
    "stages.2.0.shortcut.conv",
    "classifier",
  ]);
});

test("MLP layout: sizes from the flattened input through hidden widths to the classes", () => {
  const layers = maskedLayout(
    mlpConfigSchema.parse({ name: "mlp", input: FASHION_MNIST, classes: 10 }),
  );
  const sizes = [layers[0]?.shape[1], ...layers.map((layer) => layer.shape[0])];
  assert.deepEqual(sizes, [784, 100, 100, 100, 10]);
  assert.deepEqual(
    layers.map((layer) => [layer.name, ...layer.shape]),
    [
      ["hidden.0.linear", 100, 784],
      ["hidden.1.linear", 100, 100],
      ["hidden.2.linear", 100, 100],
      ["classifier", 10, 100],
    ],
  );
  const paper = { name: "mlp", input: { channels: 512, height: 1, width: 1 }, classes: 10 };
  assert.equal(countOf(paper), 512 * 100 + 100 * 100 * 2 + 100 * 10);
  assert.deepEqual(
    maskedLayout(parseModelConfig({ ...paper, hidden: [] })),
    [{ name: "classifier", shape: [10, 512], fanIn: 512 }],
    "no hidden layers: a masked linear classifier",
  );
});

test("Conv-2/4/6/8 on CIFAR-10: the weight counts of edge-popup's table 1 (4.3M, 2.4M, 2.3M, 5.3M)", () => {
  // By hand: 3x3 convs 3-64-64 | 128 128 | 256 256 | 512 512, each pair halving 32x32, then
  // the flattened features -> 256 -> 256 -> 10.
  const convs = [
    3 * 64,
    64 * 64,
    64 * 128,
    128 * 128,
    128 * 256,
    256 * 256,
    256 * 512,
    512 * 512,
  ].map((pair) => 9 * pair);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const linears = (flattened: number) => flattened * 256 + 256 * 256 + 256 * 10;
  const expected = {
    2: sum(convs.slice(0, 2)) + linears(64 * 16 * 16),
    4: sum(convs.slice(0, 4)) + linears(128 * 8 * 8),
    6: sum(convs.slice(0, 6)) + linears(256 * 4 * 4),
    8: sum(convs) + linears(512 * 2 * 2),
  };
  assert.deepEqual(expected, { 2: 4_300_992, 4: 2_425_024, 6: 2_261_184, 8: 5_275_840 });
  for (const [depth, count] of Object.entries(expected)) {
    assert.equal(countOf({ name: "conv", input: CIFAR, classes: 10, depth: Number(depth) }), count);
  }
  assert.throws(
    () =>
      parseModelConfig({
        name: "conv",
        input: { channels: 1, height: 8, width: 8 },
        classes: 10,
        depth: 8,
      }),
    /Conv-8 pools 4 times, which needs input.height >= 16, got 8/,
  );
});
