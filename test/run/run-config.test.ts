import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FORMAT_LIMITS } from "../../src/artifact/format/format-spec.js";
import { ConfigError } from "../../src/config/parse-config.js";
import {
  deepMerge,
  MAX_LAYER_WEIGHTS,
  parseRunConfig,
  readConfigFile,
} from "../../src/run/index.js";
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

test("an image folder's classes come from its class folders, and config.json records them", () => {
  const temp = temporaryDirectory();
  try {
    for (const name of ["dog", "ant", "cat"]) mkdirSync(join(temp.dir, name));
    const config = parseRunConfig({
      model: { name: "mlp", hidden: [8] },
      data: { source: { name: "folder", dir: temp.dir, size: 16, color: "gray" } },
    });
    assert.deepEqual(config.data.source, {
      name: "folder",
      dir: temp.dir,
      size: 16,
      color: "gray",
      testFraction: 0.2,
      splitSeed: 0,
      classes: ["ant", "cat", "dog"],
    });
    assert.deepEqual(config.model.input, { channels: 1, height: 16, width: 16 });
    assert.equal(config.model.classes, 3);
    // Stored, the classes stay what they were when the run began, whatever the folder gains.
    mkdirSync(join(temp.dir, "emu"));
    const stored = parseRunConfig(JSON.parse(JSON.stringify(config)));
    assert.deepEqual(stored, config);
    const chosen = parseRunConfig({
      model: { name: "mlp", hidden: [8] },
      data: { source: { name: "folder", dir: temp.dir, classes: ["emu", "ant"] } },
    });
    assert.equal(chosen.model.classes, 2);
    assert.deepEqual(chosen.model.input, { channels: 3, height: 32, width: 32 });
  } finally {
    temp.remove();
  }
});

test("a data source giving only dir is the default dataset's", () => {
  const config = parseRunConfig({ data: { source: { dir: "/somewhere" } } });
  assert.deepEqual(config.data.source, { name: "fashion-mnist", dir: "/somewhere" });
  assert.equal(config.model.classes, 10);
  const tiny = parseRunConfig({
    model: { name: "mlp", hidden: [8] },
    data: { source: { name: "tiny-imagenet", dir: "/not/yet" } },
  });
  assert.deepEqual([tiny.model.classes, tiny.model.input.height], [200, 64]);
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
    /fashion-mnist has 10.*\n {2}→ at model\.classes/,
  );
  assert.match(messageOf({ strategy: { kind: "rp", ratio: 2 } }), /strategy\.ratio/);
  assert.match(messageOf({ train: { seed: 5 } }), /use the top-level seed\n {2}→ at train\.seed/);
  assert.match(
    messageOf({
      model: { name: "mlp", hidden: [8] },
      keepFractionByLayer: { "hidden.7.linear": 0.2 },
    }),
    /mlp has no masked layer.*\n {2}→ at keepFractionByLayer\["hidden\.7\.linear"\]/,
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
      (e: unknown) => e instanceof ConfigError && /bad\.json is not valid JSON/.test(e.message),
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

test("a config file that is not a mapping is refused, naming the file", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    for (const [name, text, what] of [
      ["list.yaml", "- 1\n- 2\n", "a list"],
      ["string.yaml", "hello\n", "a string"],
      ["number.json", "42", "a number"],
      ["empty.yaml", "", "nothing"],
      ["null.json", "null", "nothing"],
    ] as const) {
      writeFileSync(join(dir, name), text);
      assert.throws(
        () => readConfigFile(join(dir, name)),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.includes(`${name} must hold a mapping of config fields, not ${what}`),
        name,
      );
    }
  } finally {
    remove();
  }
});

test("limits a model accepts but cannot serve are refused up front, naming the field", () => {
  const refused = (value: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseRunConfig(value),
      (e: unknown) => e instanceof Error && pattern.test(e.message),
      JSON.stringify(value),
    );
  const mlp = { name: "mlp", hidden: [100] };
  // 784 x 100 weights: round(1e-9 x 78400) keeps none; 0.5 / 78400 is the smallest that keeps one.
  refused(
    { model: mlp, keepFraction: 1e-9 },
    /1e-9 of masked layer hidden\.0\.linear's 78400 weights rounds to none kept; it must be at least 0\.0000063775\d*\n {2}→ at keepFraction/,
  );
  // The classifier's 10 x 100 weights keep one from 0.0005 (round(0.5) = 1).
  assert.doesNotThrow(() => parseRunConfig({ model: mlp, keepFraction: 0.0005 }));
  refused(
    { model: mlp, keepFractionByLayer: { classifier: 0.0004 } },
    /0\.0004 of masked layer classifier's 1000 weights rounds to none kept; it must be at least 0\.0005\d*\n {2}→ at keepFractionByLayer\.classifier/,
  );
  refused(
    { model: mlp, train: { batchSize: 1 } },
    /mlp uses BatchNorm, which needs at least 2 images per training batch\n {2}→ at train\.batchSize/,
  );
  assert.doesNotThrow(() =>
    parseRunConfig({ model: { ...mlp, batchNorm: false }, train: { batchSize: 1 } }),
  );
  refused(
    { model: { name: "convmixer", dim: 60000 } },
    /masked layer \S+ has 3600000000 weights, more than a \.pemn file can hold \(2\^30 = 1073741824\)/,
  );
  refused(
    // Layers of 30000 x 30000 weights (under 2^30 each), enough of them to outgrow this machine.
    {
      model: {
        name: "mlp",
        hidden: Array(2 + Math.ceil(totalmem() / (40 * 30000 ** 2))).fill(30000),
      },
    },
    /\d+ masked weights need at least [\d.]+ GiB to train \(40 bytes each\), more than this machine's .*\n {2}→ at model/,
  );
  refused(
    { model: { name: "convmixer", kernel: 99 } },
    /kernel 99 is larger than the 14-pixel height of the feature map \(input\.height 28 \/ patch 2\)/,
  );
  assert.doesNotThrow(() => parseRunConfig({ model: { name: "convmixer", kernel: 13 } }));
  refused({ train: { epochs: 1e9 } }, /train\.epochs must be at most 100000/);
});

test("the layer-size limit is the .pemn format's", () => {
  assert.equal(MAX_LAYER_WEIGHTS, FORMAT_LIMITS.maxElements);
});
