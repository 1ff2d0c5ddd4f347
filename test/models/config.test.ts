import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/parse-config.js";
import { parseModelConfig } from "../../src/models/pure.js";
import { CIFAR, FASHION_MNIST } from "./model-test-values.js";

function rejects(config: unknown, ...fragments: string[]): void {
  assert.throws(
    () => parseModelConfig(config),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      for (const fragment of fragments) {
        assert.ok(error.message.includes(fragment), `"${error.message}" lacks "${fragment}"`);
      }
      return true;
    },
  );
}

test("defaults are filled in from the schema", () => {
  assert.deepEqual(parseModelConfig({ name: "convmixer", input: CIFAR, classes: 10 }), {
    name: "convmixer",
    input: CIFAR,
    classes: 10,
    dim: 256,
    depth: 6,
    kernel: 5,
    patch: 2,
    affineBatchNorm: true,
  });
  assert.deepEqual(parseModelConfig({ name: "vit", input: CIFAR, classes: 10 }), {
    name: "vit",
    input: CIFAR,
    classes: 10,
    dim: 256,
    depth: 6,
    patch: 4,
    heads: 8,
    mlpRatio: 2,
    positionEmbedding: "learned",
  });
  assert.deepEqual(parseModelConfig({ name: "resnet", input: CIFAR, classes: 100 }), {
    name: "resnet",
    input: CIFAR,
    classes: 100,
    depth: 32,
    shortcut: "A",
    affineBatchNorm: true,
  });
  assert.deepEqual(parseModelConfig({ name: "mlp", input: FASHION_MNIST, classes: 10 }), {
    name: "mlp",
    input: FASHION_MNIST,
    classes: 10,
    hidden: [100, 100, 100],
    batchNorm: true,
    affineBatchNorm: true,
  });
});

test("impossible configs are rejected with messages naming the field", () => {
  const convmixer = { name: "convmixer", input: CIFAR, classes: 10 };
  const vit = { name: "vit", input: CIFAR, classes: 10 };
  rejects({ name: "lenet", input: CIFAR, classes: 10 }, "name must be one of", "at name");
  rejects({ name: "convmixer", classes: 10 }, "input must be { channels, height, width }");
  rejects({ ...convmixer, input: { ...CIFAR, height: 0 } }, "input.height must be at least 1");
  rejects({ ...convmixer, classes: 1 }, "classes must be at least 2", "at classes");
  rejects({ ...convmixer, patch: 3 }, "patch 3 does not divide input.height 32", "at patch");
  rejects({ ...convmixer, input: { ...CIFAR, width: 30 }, patch: 4 }, "input.width 30", "patch");
  rejects(
    { ...convmixer, input: { channels: 1, height: 2, width: 2 }, patch: 4 },
    "input.height 2 is smaller than patch 4",
  );
  rejects({ ...convmixer, kernel: 4 }, "kernel must be odd", "at kernel");
  rejects({ ...convmixer, dim: 2.5 }, "dim must be an integer");
  rejects({ ...convmixer, width: 3 }, "width");
  rejects({ ...vit, input: FASHION_MNIST, patch: 8 }, "patch 8 does not divide input.height 28");
  rejects({ ...vit, heads: 7 }, "heads 7 does not divide dim 256", "at heads");
  rejects({ ...vit, dim: 30, heads: 3, mlpRatio: 1.05 }, "mlpRatio 1.05 x dim 30", "at mlpRatio");
  rejects({ ...vit, dim: 30, heads: 3, positionEmbedding: "sincos" }, "multiple of 4", "at dim");
  rejects({ ...vit, positionEmbedding: "random" }, 'positionEmbedding must be "learned"');
  rejects({ name: "resnet", input: CIFAR, classes: 10, depth: 21 }, "depth must be 6n + 2");
  rejects({ name: "resnet", input: CIFAR, classes: 10, depth: 2 }, "depth must be 6n + 2");
  rejects({ name: "resnet", input: CIFAR, classes: 10, shortcut: "C" }, 'shortcut must be "A"');
  rejects(
    { name: "mlp", input: CIFAR, classes: 10, hidden: [100, 0] },
    "hidden[] must be at least 1",
  );
});
