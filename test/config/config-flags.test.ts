import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { configFromOptions, configOption } from "../../src/cli/config-options.js";
import { configFlags, flag } from "../../src/config/config-flags.js";
import { parseRunConfig, runConfigFlags } from "../../src/run/index.js";

const schema = z.strictObject({
  kind: z
    .discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("a") }),
      z.strictObject({
        kind: z.literal("b"),
        size: z.number().int().min(2).meta(flag("size", "b: size")),
      }),
      z.strictObject({
        kind: z.literal("c"),
        size: z.number().int().min(2).meta(flag("size", "b: size")),
      }),
    ])
    .meta(flag("kind", "which one")),
  rate: z.number().gt(0).lte(1).default(0.5).meta(flag("rate", "a rate")),
  on: z.boolean().default(false).meta(flag("on", "a switch")),
  mode: z.enum(["x", "y"]).optional().meta(flag("mode", "a mode")),
  steps: z.array(z.number()).default([]).meta(flag("steps", "as JSON")),
  hidden: z.number().default(1),
});

test("configFlags reads each declared field: path, value type and bounds from the schema", () => {
  const flags = configFlags(schema, ["top"]);
  assert.deepEqual(
    flags.map((entry) => [entry.name, entry.path.join("."), entry.value.kind]),
    [
      ["kind", "top.kind.kind", "choice"],
      ["size", "top.kind.size", "integer"],
      ["rate", "top.rate", "number"],
      ["on", "top.on", "switch"],
      ["mode", "top.mode", "choice"],
      ["steps", "top.steps", "parsed"],
    ],
  );
  const [kind, size, rate, , mode, steps] = flags;
  assert.deepEqual(kind?.value, { kind: "choice", choices: ["a", "b", "c"] });
  assert.deepEqual(size?.value, { kind: "integer", min: { value: 2, inclusive: true } });
  assert.deepEqual(rate?.value, {
    kind: "number",
    min: { value: 0, inclusive: false },
    max: { value: 1, inclusive: true },
  });
  assert.deepEqual(mode?.value, { kind: "choice", choices: ["x", "y"] });
  assert.deepEqual(steps?.value.kind === "parsed" && steps.value.parse("[1, 2]"), [1, 2]);
});

test("one flag name at two paths is refused", () => {
  const clash = z.strictObject({
    a: z.number().meta(flag("n", "a")),
    b: z.number().meta(flag("n", "b")),
  });
  assert.throws(() => configFlags(clash), /flag --n is declared at a and b/);
});

test("the commander options refuse a value outside the field's bounds, naming them", () => {
  const [, size, rate] = configFlags(schema);
  assert.throws(
    () => configOption(size as never).parseArg?.("1", undefined),
    /expected an integer >= 2/,
  );
  assert.throws(
    () => configOption(rate as never).parseArg?.("0", undefined),
    /expected a number in \(0, 1\]/,
  );
});

test("pemn train's flags set the run config fields their schemas declare", () => {
  const flags = runConfigFlags();
  const names = flags.map((entry) => entry.name);
  assert.equal(new Set(names).size, names.length, "each flag once");
  for (const name of [
    "model",
    "strategy",
    "ratio",
    "index",
    "seed",
    "dataset",
    "data-dir",
    "epochs",
    "batch-size",
    "lr",
    "augment",
  ]) {
    assert.ok(names.includes(name), name);
  }
  assert.ok(
    names.indexOf("model") < names.indexOf("strategy"),
    "--model and the backbones' flags first",
  );
  const given: Record<string, unknown> = {
    strategy: "pruned",
    criterion: "magnitude",
    compression: 0.9,
    index: { kind: "relative", bits: 4 },
    seed: 3,
    epochs: 2,
    batchSize: 64,
    optimizer: "sgd",
    lr: 0.1,
    momentum: 0.9,
    nesterov: true,
    valFraction: 0.2,
    augment: [{ kind: "horizontalFlip" }],
  };
  const config = parseRunConfig(configFromOptions(flags, given));
  assert.deepEqual(config.strategy, {
    kind: "pruned",
    criterion: "magnitude",
    compression: 0.9,
    index: { kind: "relative", bits: 4 },
    pretrainEpochs: 0,
    scope: "layer",
  });
  assert.equal(config.seed, 3);
  assert.equal(config.train.epochs, 2);
  assert.equal(config.train.batchSize, 64);
  assert.deepEqual(config.train.optimizer, {
    kind: "sgd",
    lr: 0.1,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 0.005, // the run's default (src/run/run-config.ts), whatever the optimizer
  });
  assert.deepEqual(config.data.validation.size, { fraction: 0.2 });
  assert.deepEqual(config.train.augmentation, [{ kind: "horizontalFlip", p: 0.5 }]);
});
