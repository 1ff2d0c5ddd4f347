import assert from "node:assert/strict";
import { test } from "node:test";
import { liveTensorCount } from "../../src/engine/index.js";
import { refreshMasks } from "../../src/nn/index.js";
import { evaluate } from "../../src/train/evaluation.js";
import { epochLine, formatDuration, formatLearningRate } from "../../src/train/progress.js";
import { train } from "../../src/train/train.js";
import { parseTrainConfig } from "../../src/train/train-config.js";
import { trainingLoader } from "../../src/train/train-epoch.js";
import { syntheticDataset, TinyMaskedMlp } from "./helpers.js";

const data = {
  train: syntheticDataset({ count: 96, classes: 3, side: 4, seed: 1 }),
  validation: syntheticDataset({ count: 30, classes: 3, side: 4, seed: 2 }),
  test: syntheticDataset({ count: 45, classes: 3, side: 4, seed: 3 }),
};
const makeModel = () => new TinyMaskedMlp({ inputs: 16, hidden: 8, classes: 3, seed: 4 });
const config = {
  epochs: 2,
  batchSize: 16,
  optimizer: { kind: "sgd", lr: 0.1, momentum: 0.9 },
  schedule: { kind: "cosine", warmupEpochs: 0.5 },
} as const;

test("each epoch has its own order, the same on every run", () => {
  const parsed = parseTrainConfig({ ...config, seed: 3 });
  const order = (epoch: number) =>
    [...trainingLoader(data.train, parsed, epoch).epoch()].flatMap((batch) => [
      ...batch.images.subarray(0, 4),
    ]);
  assert.deepEqual(order(1), order(1));
  assert.notDeepEqual(order(1), order(2));
});

test("the loop: one onEpoch per epoch with its record, state and checkpoint; no file", async () => {
  const model = makeModel();
  refreshMasks(model); // the model's cached masks are its own tensors, replaced as scores change
  const live = liveTensorCount();
  try {
    const seen: number[] = [];
    const result = await train({
      model,
      data,
      config,
      progress: "none",
      onEpoch: async ({ record, state, checkpoint }) => {
        assert.equal(state.epochsCompleted, record.epoch);
        assert.deepEqual(state.history.at(-1), record);
        const tensors = checkpoint().tensors;
        const names = model.namedState().map(([name]) => `model/${name}`);
        assert.deepEqual(
          [...tensors.keys()].filter((name) => name.startsWith("model/")),
          names,
        );
        seen.push(record.epoch);
      },
    });
    assert.deepEqual(seen, [1, 2]);
    assert.equal(liveTensorCount(), live, "the loop leaves no tensor behind");
    const [first, second] = result.history;
    assert.deepEqual(Object.keys(first ?? {}), [
      "epoch",
      "lr",
      "train_loss",
      "train_accuracy",
      "val_loss",
      "val_accuracy",
      "img_per_s",
      "seconds",
    ]);
    // Cosine with half an epoch of warm-up: the last step of epoch 2 lands on minLr = 0.
    assert.equal(second?.lr, 0);
    assert.ok((first?.lr ?? 0) > 0 && (first?.lr ?? 0) < 0.1);
    assert.equal(result.test.count, 45);
    assert.equal(result.referenceBestTest, null);
    assert.ok(model.training, "the model is left in training mode");
  } finally {
    model.dispose();
  }
});

test("evaluate covers every image in evaluation mode and restores the mode", () => {
  const model = makeModel().eval();
  const first = evaluate(model, data.test, 7);
  const second = evaluate(model, data.test, 45);
  assert.equal(first.count, 45);
  assert.ok(Math.abs(first.loss - second.loss) < 1e-6, "batch size does not change the result");
  assert.equal(first.accuracy, second.accuracy);
  assert.equal(model.training, false);
  model.dispose();
});

test("a diverging run stops with the epoch and batch", async () => {
  const model = makeModel();
  await assert.rejects(
    train({
      model,
      data,
      config: { ...config, optimizer: { kind: "sgd", lr: 1e30 } },
      progress: "none",
    }),
    /training diverged: loss is NaN at epoch 1, batch \d+/,
  );
  model.dispose();
});

test("splits of different images are refused before training", async () => {
  const model = makeModel();
  const wide = syntheticDataset({ count: 30, classes: 3, side: 5, seed: 2 });
  await assert.rejects(
    train({ model, data: { ...data, test: wide }, config, progress: "none" }),
    /the test split holds 1x5x5 images of 3 classes, the train split 1x4x4 images of 3 classes/,
  );
  model.dispose();
});

test("a BatchNorm model is refused a training batch of one image, before training", async () => {
  const model = makeModel();
  const odd = syntheticDataset({ count: 33, classes: 3, side: 4, seed: 1 }); // 2 x 16 + 1
  const oddData = { ...data, train: odd };
  await assert.rejects(
    train({ model, data: oddData, config, progress: "none" }),
    /a training batch would hold 1 image \(33 images, batchSize 16\), which BatchNorm cannot normalise: change batchSize or set dropLast/,
  );
  await assert.rejects(
    train({ model, data: oddData, config: { ...config, batchSize: 1 }, progress: "none" }),
    /a training batch would hold 1 image \(33 images, batchSize 1\)/,
  );
  const dropped = await train({
    model,
    data: oddData,
    config: { ...config, epochs: 1, dropLast: true },
    progress: "none",
  });
  assert.equal(dropped.history.length, 1, "dropLast skips the lone image");
  model.dispose();
});

test("the per-epoch line and durations read well", () => {
  const line = epochLine(
    {
      epoch: 3,
      lr: 0.0125,
      train_loss: 0.51234,
      train_accuracy: 0.8123,
      val_loss: 0.6,
      val_accuracy: 0.79,
      test_loss: 0.61,
      test_accuracy: 0.785,
      img_per_s: 1234.4,
      seconds: 12.34,
    },
    10,
  );
  assert.equal(
    line,
    "epoch 3/10 | lr 1.25e-2 | train loss 0.5123 acc 81.23% | val loss 0.6000 acc 79.00%" +
      " | test loss 0.6100 acc 78.50% | 1234 img/s | 12.3 s",
  );
  // One format for every rate, 0 and the smallest included (toPrecision switched formats).
  assert.deepEqual([0.01, 0.0005, 1e-5, 0].map(formatLearningRate), [
    "1.00e-2",
    "5.00e-4",
    "1.00e-5",
    "0.00e+0",
  ]);
  assert.deepEqual([42, 185, 3720, Number.POSITIVE_INFINITY].map(formatDuration), [
    "42s",
    "3m05s",
    "1h02m",
    "-",
  ]);
});
