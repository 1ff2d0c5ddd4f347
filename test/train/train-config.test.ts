import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/parse-config.js";
import { parseTrainConfig } from "../../src/train/train-config.js";

const minimal = { epochs: 10, batchSize: 64, optimizer: { kind: "adamw", lr: 0.05 } };

test("defaults are filled in", () => {
  assert.deepEqual(parseTrainConfig(minimal), {
    epochs: 10,
    batchSize: 64,
    optimizer: { kind: "adamw", lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 },
    schedule: { kind: "constant" },
    labelSmoothing: 0,
    clipNorm: null,
    seed: 0,
    augmentation: [],
    dropLast: false,
    testEachEpoch: false,
  });
  assert.deepEqual(
    parseTrainConfig({ ...minimal, optimizer: { kind: "sgd", lr: 0.1 } }).optimizer,
    {
      kind: "sgd",
      lr: 0.1,
      momentum: 0,
      nesterov: false,
      weightDecay: 0,
    },
  );
});

test("the ConvMixer recipe parses", () => {
  const config = parseTrainConfig({
    epochs: 100,
    batchSize: 512,
    optimizer: { kind: "adamw", lr: 0.05, weightDecay: 0.005 },
    schedule: { kind: "piecewise-linear" },
    clipNorm: 1,
    augmentation: [
      { kind: "randomResizedCrop", scale: [0.75, 1] },
      { kind: "horizontalFlip" },
      { kind: "randAugment", numOps: 1, magnitude: 8 },
      { kind: "colorJitter", brightness: 0.1, contrast: 0.1, saturation: 0.1 },
      { kind: "randomErasing", p: 0.25 },
    ],
  });
  assert.equal(config.augmentation.length, 5);
});

function rejects(value: unknown, ...messages: RegExp[]): void {
  assert.throws(
    () => parseTrainConfig(value),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const message of messages) assert.match(error.message, message);
      return true;
    },
  );
}

test("errors name each bad field", () => {
  rejects(
    { ...minimal, epochs: 0, batchSize: 2.5 },
    /epochs must be positive/,
    /batchSize must be an integer/,
  );
  rejects(
    { ...minimal, optimizer: { kind: "adam", lr: 1 } },
    /optimizer\.kind must be "adamw" or "sgd"/,
  );
  rejects(
    { ...minimal, optimizer: { kind: "adamw", lr: -1 } },
    /lr must be positive[\s\S]*at optimizer\.lr/,
  );
  rejects(
    { ...minimal, optimizer: { kind: "sgd", lr: 0.1, nesterov: true } },
    /nesterov needs momentum > 0[\s\S]*at optimizer\.nesterov/,
  );
  rejects(
    { ...minimal, schedule: { kind: "cosine", warmupEpochs: 10 } },
    /warmupEpochs must be below epochs \(10\)[\s\S]*at schedule\.warmupEpochs/,
  );
  rejects({ ...minimal, labelSmoothing: 1 }, /labelSmoothing must be in \[0, 1\)/);
  rejects({ ...minimal, clipNorm: 0 }, /clipNorm must be positive/);
  rejects(
    { ...minimal, augmentation: [{ kind: "horizontalFlip", p: 2 }] },
    /at augmentation\[0\]\.p/,
  );
  rejects({ ...minimal, learningRate: 1 }, /Unrecognized key: "learningRate"/);
});
