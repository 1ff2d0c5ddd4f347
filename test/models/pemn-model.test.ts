import assert from "node:assert/strict";
import { test } from "node:test";
import { type Tensor, tidy } from "../../src/engine/index.js";
import { createPemnModel, parseModelConfig } from "../../src/models/index.js";
import { MaskedWeight } from "../../src/nn/index.js";
import { parseWeightStrategy } from "../../src/weights/index.js";

const convMixer256x6 = parseModelConfig({
  name: "convmixer",
  dim: 256,
  depth: 6,
  kernel: 5,
  patch: 2,
  classes: 10,
  input: { channels: 3, height: 32, width: 32 },
});

test("ConvMixer-256/6 with RP 1e-3: 437,248 masked weights from 66 unique values, as the model holds them", () => {
  tidy(() => {
    const { model, plan } = createPemnModel({
      model: convMixer256x6,
      strategy: parseWeightStrategy({ kind: "rp", ratio: 1e-3, order: "copy" }),
      keepFraction: 0.5,
      seed: 11,
    });
    assert.equal(plan.maskedWeights, 437_248);
    assert.equal(plan.uniqueValues, 66);
    const weights = model
      .namedModules()
      .filter(([name]) => name.endsWith(".weight") || name === "weight")
      .map(([, module]) => module as MaskedWeight);
    const held = new Float32Array(
      weights.flatMap((w) => [...(w.values.toArray() as Float32Array)]),
    );
    assert.equal(held.length, 437_248);
    assert.equal(new Set(held).size, 66, "the model's fixed values are the 66 prototype values");
    const trainable = model.namedParameters().map(([name]) => name);
    const scores = trainable.filter((name) => name.endsWith(".weight.scores"));
    assert.equal(scores.length, 1 + 2 * 6 + 1, "one scores tensor per masked layer");
    assert.ok(
      trainable
        .filter((name) => !scores.includes(name))
        .every((name) => /\.(weight|bias)$/.test(name)),
      "the rest are norm parameters",
    );
    assert.ok(
      model.namedBuffers().every(([, t]: [string, Tensor]) => !t.requiresGrad),
      "fixed values and running statistics are not trained",
    );
    model.dispose();
  });
});

test("dense strategy trains the values and has no scores", () => {
  tidy(() => {
    const { model } = createPemnModel({
      model: parseModelConfig({
        name: "mlp",
        hidden: [8],
        classes: 3,
        input: { channels: 1, height: 2, width: 2 },
      }),
      strategy: parseWeightStrategy({ kind: "dense" }),
      keepFraction: 0.5,
      seed: 1,
    });
    const names = model.namedParameters().map(([name]) => name);
    assert.ok(names.some((name) => name.endsWith("weight.values")));
    assert.ok(!names.some((name) => name.endsWith("scores")));
    model.dispose();
  });
});

test("per-layer keep fractions override the model's, and unknown layers are refused", () => {
  tidy(() => {
    const small = parseModelConfig({
      name: "convmixer",
      dim: 16,
      depth: 1,
      kernel: 3,
      patch: 2,
      classes: 10,
      input: { channels: 1, height: 8, width: 8 },
    });
    const spec = {
      model: small,
      strategy: parseWeightStrategy({ kind: "mask" }),
      keepFraction: 0.5,
      keepFractionByLayer: { classifier: 0.1 },
      seed: 2,
    };
    const { model } = createPemnModel(spec);
    const kept = new Map(
      model
        .namedModules()
        .filter(([, module]) => module instanceof MaskedWeight)
        .map(([name, module]) => [name, ((module as MaskedWeight).mask() as Tensor).sum().item()]),
    );
    assert.equal(kept.get("classifier.weight"), Math.round(0.1 * 160));
    assert.equal(kept.get("blocks.0.pointwise.weight"), Math.round(0.5 * 256));
    model.dispose();
    assert.throws(
      () => createPemnModel({ ...spec, keepFractionByLayer: { "blocks.9.pointwise": 0.2 } }),
      /layers convmixer does not have: blocks\.9\.pointwise/,
    );
  });
});
