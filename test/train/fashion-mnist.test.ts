import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  FASHION_MNIST_DEFAULT_DIR,
  loadDataset,
  parseDatasetSource,
  splitValidation,
  subsetDataset,
} from "../../src/data/index.js";
import { createGenerator } from "../../src/random/index.js";
import { train } from "../../src/train/train.js";
import { TinyMaskedMlp } from "./helpers.js";

const present = existsSync(join(FASHION_MNIST_DEFAULT_DIR, "train-images-idx3-ubyte.gz"));

test("a masked MLP learns a 2,000-image Fashion-MNIST subset: the loss falls", {
  skip: present
    ? false
    : `Fashion-MNIST not found in ${FASHION_MNIST_DEFAULT_DIR} (Debian package dataset-fashion-mnist)`,
}, async () => {
  const source = parseDatasetSource({ name: "fashion-mnist" });
  const order = createGenerator(0, "test/fashion-subset").permutation(60_000);
  const subset = subsetDataset(loadDataset(source, "train"), order.subarray(0, 2_500));
  const { train: trainSplit, validation } = splitValidation(
    subset,
    { size: { count: 500 }, stratified: true },
    createGenerator(0, "test/fashion-split"),
  );
  const testSplit = subsetDataset(
    loadDataset(source, "test"),
    Array.from({ length: 1_000 }, (_, i) => i),
  );
  const model = new TinyMaskedMlp({ inputs: 784, hidden: 128, classes: 10, seed: 5 });
  const result = await train({
    model,
    data: { train: trainSplit, validation, test: testSplit },
    config: {
      epochs: 4,
      batchSize: 64,
      optimizer: { kind: "adamw", lr: 0.05, weightDecay: 0.005 },
      schedule: { kind: "piecewise-linear" },
      seed: 1,
    },
    progress: "none",
  });
  model.dispose();
  const losses = result.history.map((record) => record.train_loss);
  assert.equal(trainSplit.count, 2_000);
  assert.ok(
    (losses.at(-1) as number) < 0.7 * (losses[0] as number),
    `training loss should fall: ${losses.map((loss) => loss.toFixed(3)).join(" -> ")}`,
  );
  assert.ok(result.test.accuracy > 0.65, `test accuracy ${result.test.accuracy}`);
  assert.ok(
    (result.bestValidation?.accuracy ?? 0) > 0.65,
    `validation accuracy ${result.bestValidation?.accuracy}`,
  );
});
