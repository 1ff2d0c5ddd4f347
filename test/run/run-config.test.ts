import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { deepMerge, parseRunConfig, RunConfigError, readConfigFile } from "../../src/run/index.js";
import { temporaryDirectory } from "../data/helpers.js";

test("defaults: plain edge-popup ConvMixer on Fashion-MNIST, shapes taken from the dataset", () => {
  const config = parseRunConfig({});
  assert.equal(config.strategy.kind, "mask");
  assert.equal(config.keepFraction, 0.5);
  assert.equal(config.data.source.name, "fashion-mnist");
  assert.equal(config.model.name, "convmixer");
  assert.deepEqual(config.model.input, { channels: 1, height: 28, width: 28 });
  assert.equal(config.model.classes, 10);
  assert.equal(config.train.seed, config.seed, "one seed for the whole run");
  assert.equal(config.train.optimizer.kind, "adamw");
});

test("a stored config parses to itself (config.json round trip)", () => {
  const config = parseRunConfig({
    model: { name: "mlp", hidden: [16] },
    strategy: { kind: "rp", ratio: 0.01 },
    seed: 3,
  });
  assert.deepEqual(parseRunConfig(JSON.parse(JSON.stringify(config))), config);
});

test("errors name the field", () => {
  const messageOf = (value: unknown) => {
    try {
      parseRunConfig(value);
    } catch (error) {
      assert.ok(error instanceof Error);
      return error.message;
    }
    return "accepted";
  };
  assert.match(messageOf({ keepFraction: 1.5 }), /keepFraction/);
  assert.match(
    messageOf({ train: { optimizer: { kind: "adamw", lr: -1 } } }),
    /train\.optimizer\.lr/,
  );
  assert.match(messageOf({ train: { epochs: -1 } }), /train\.epochs/);
  assert.match(messageOf({ model: { name: "convmixer", patch: 5 } }), /patch/);
  assert.match(
    messageOf({ model: { name: "mlp", classes: 3 } }),
    /model\.classes: fashion-mnist has 10/,
  );
  assert.match(messageOf({ strategy: { kind: "rp", ratio: 2 } }), /strategy\.ratio/);
  assert.match(messageOf({ train: { seed: 5 } }), /train\.seed: use the top-level seed/);
  assert.match(
    messageOf({
      model: { name: "mlp", hidden: [8] },
      keepFractionByLayer: { "hidden.7.linear": 0.2 },
    }),
    /keepFractionByLayer\.hidden\.7\.linear: mlp has no masked layer/,
  );
  assert.match(
    messageOf({ keepFractionByLayer: { classifier: 0 } }),
    /keep fraction must be in \(0, 1\]/,
  );
  assert.match(messageOf({ data: { source: { name: "cifar10" } } }), /dir/);
  assert.equal(messageOf({ train: { epochs: 0 } }), "accepted", "epochs 0 is allowed");
});

test("deepMerge lays flags over a file key by key", () => {
  assert.deepEqual(
    deepMerge(
      { train: { epochs: 5, optimizer: { kind: "sgd", lr: 0.1 } }, seed: 1 },
      { train: { optimizer: { lr: 0.2 } } },
    ),
    { train: { epochs: 5, optimizer: { kind: "sgd", lr: 0.2 } }, seed: 1 },
  );
  assert.deepEqual(deepMerge({ hidden: [1, 2] }, { hidden: [3] }), { hidden: [3] });
});

test("config files: JSON and YAML, and clear errors", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeFileSync(join(dir, "a.yaml"), "seed: 4\ntrain:\n  epochs: 2\n");
    writeFileSync(join(dir, "a.json"), '{"seed": 4, "train": {"epochs": 2}}');
    writeFileSync(join(dir, "bad.json"), "{seed: 4");
    writeFileSync(join(dir, "a.txt"), "seed: 4");
    assert.deepEqual(readConfigFile(join(dir, "a.yaml")), readConfigFile(join(dir, "a.json")));
    assert.throws(
      () => readConfigFile(join(dir, "bad.json")),
      (e: unknown) => e instanceof RunConfigError && /bad\.json is not valid JSON/.test(e.message),
    );
    assert.throws(
      () => readConfigFile(join(dir, "missing.yaml")),
      /cannot read config file .*missing\.yaml/,
    );
    assert.throws(() => readConfigFile(join(dir, "a.txt")), /use \.json, \.yaml or \.yml/);
  } finally {
    remove();
  }
});
