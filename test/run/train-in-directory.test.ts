import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { getThreads } from "../../src/engine/index.js";
import { trainInDirectory } from "../../src/run/train-in-directory.js";
import type { EpochMetrics } from "../../src/train/epoch-metrics.js";
import type { TrainResult } from "../../src/train/train.js";
import type { TrainConfigInput } from "../../src/train/train-config.js";
import {
  stateSnapshot,
  syntheticDataset,
  TinyMaskedMlp,
  temporaryDirectory,
} from "../train/helpers.js";

const data = {
  train: syntheticDataset({ count: 200, classes: 4, side: 6, seed: 1 }),
  validation: syntheticDataset({ count: 64, classes: 4, side: 6, seed: 2 }),
  test: syntheticDataset({ count: 64, classes: 4, side: 6, seed: 3 }),
};

/** Every source of randomness the loop has: shuffles, augmentations, dropout. */
const config: TrainConfigInput = {
  epochs: 3,
  batchSize: 32,
  optimizer: { kind: "adamw", lr: 0.02, weightDecay: 0.005 },
  schedule: { kind: "piecewise-linear" },
  labelSmoothing: 0.1,
  clipNorm: 1,
  seed: 7,
  augmentation: [
    { kind: "randomCrop", padding: 1 },
    { kind: "horizontalFlip" },
    { kind: "randomErasing", p: 0.25 },
  ],
  testEachEpoch: true,
};

const makeModel = (seed: number) =>
  new TinyMaskedMlp({ inputs: 36, hidden: 16, classes: 4, seed, dropout: 0.2 });

/** What must match exactly: everything but wall-clock figures. */
function withoutTiming(
  history: readonly EpochMetrics[],
): Omit<EpochMetrics, "img_per_s" | "seconds">[] {
  return history.map(({ img_per_s: _speed, seconds: _seconds, ...rest }) => rest);
}

function metricsLines(runDir: string): Omit<EpochMetrics, "img_per_s" | "seconds">[] {
  const lines = readFileSync(join(runDir, "metrics.jsonl"), "utf8").trimEnd().split("\n");
  return withoutTiming(lines.map((line) => JSON.parse(line) as EpochMetrics));
}

class Interrupted extends Error {}

test(`a run stopped after epoch 1 and resumed ends bit-identical to an uninterrupted one (${getThreads()} threads)`, async () => {
  const straightDir = temporaryDirectory("straight");
  const resumedDir = temporaryDirectory("resumed");
  try {
    const straightModel = makeModel(11);
    const straight = await trainInDirectory({
      model: straightModel,
      data,
      config,
      dir: straightDir.path,
      progress: "none",
    });

    const killedModel = makeModel(11);
    await assert.rejects(
      trainInDirectory({
        model: killedModel,
        data,
        config,
        dir: resumedDir.path,
        progress: "none",
        onEpoch: (record) => {
          if (record.epoch === 1) throw new Interrupted();
        },
      }),
      Interrupted,
    );
    killedModel.dispose();
    // A line the checkpoint does not hold (as if the process died while writing it).
    writeFileSync(join(resumedDir.path, "metrics.jsonl"), '{"epoch": 2, "partial', { flag: "a" });

    // Another initialisation: everything must come from the checkpoint.
    const resumedModel = makeModel(99);
    const resumed: TrainResult = await trainInDirectory({
      model: resumedModel,
      data,
      config,
      dir: resumedDir.path,
      resume: true,
      progress: "none",
    });

    assert.equal(resumed.resumedFromEpoch, 1);
    assert.equal(straight.resumedFromEpoch, null);
    assert.deepEqual(withoutTiming(resumed.history), withoutTiming(straight.history));
    assert.deepEqual(resumed.test, straight.test);
    assert.deepEqual(resumed.bestValidation, straight.bestValidation);
    assert.deepEqual(resumed.referenceBestTest, straight.referenceBestTest);
    assert.deepEqual(stateSnapshot(resumedModel), stateSnapshot(straightModel));
    assert.deepEqual(metricsLines(resumedDir.path), metricsLines(straightDir.path));
    assert.equal(metricsLines(straightDir.path).length, 3);
    const state = JSON.parse(readFileSync(join(resumedDir.path, "state.json"), "utf8"));
    assert.equal(state.best.epoch, straight.bestValidation?.epoch);
    assert.ok(existsSync(join(resumedDir.path, state.best.file)));
    assert.deepEqual(straight.test, {
      loss: straight.history[2]?.test_loss,
      accuracy: straight.history[2]?.test_accuracy,
      count: 64,
    });
    straightModel.dispose();
    resumedModel.dispose();
  } finally {
    straightDir.remove();
    resumedDir.remove();
  }
});

test("resume refuses another config and a fresh run over an old one", async () => {
  const runDir = temporaryDirectory("refuse");
  const model = makeModel(1);
  try {
    const short = { ...config, epochs: 1, testEachEpoch: false };
    await trainInDirectory({ model, data, config: short, dir: runDir.path, progress: "none" });
    await assert.rejects(
      trainInDirectory({ model, data, config: short, dir: runDir.path, progress: "none" }),
      /a run already lives here \(it holds state\.json\): pass --resume to continue it/,
    );
    await assert.rejects(
      trainInDirectory({
        model,
        data,
        config: { ...short, epochs: 2, seed: 3 },
        dir: runDir.path,
        resume: true,
        progress: "none",
      }),
      /epoch-1\.ckpt holds a different config \(epochs, seed differ\)/,
    );
    const done = await trainInDirectory({
      model,
      data,
      config: short,
      dir: runDir.path,
      resume: true,
      progress: "none",
    });
    assert.equal(done.history.length, 1, "a finished run resumes to its result");
    assert.equal(done.referenceBestTest, null);
  } finally {
    model.dispose();
    runDir.remove();
  }
});

test("each epoch's metrics line and state.json are on disk before onEpoch sees it", async () => {
  const runDir = temporaryDirectory("committed");
  const model = makeModel(5);
  try {
    const seen: number[] = [];
    await trainInDirectory({
      model,
      data,
      config: { ...config, epochs: 2, testEachEpoch: false },
      dir: runDir.path,
      progress: "none",
      onEpoch: async (record) => {
        const lines = readFileSync(join(runDir.path, "metrics.jsonl"), "utf8")
          .trimEnd()
          .split("\n");
        assert.deepEqual(JSON.parse(lines.at(-1) as string), record);
        const state = JSON.parse(readFileSync(join(runDir.path, "state.json"), "utf8"));
        assert.equal(state.epoch, record.epoch);
        seen.push(record.epoch);
      },
    });
    assert.deepEqual(seen, [1, 2]);
  } finally {
    model.dispose();
    runDir.remove();
  }
});
