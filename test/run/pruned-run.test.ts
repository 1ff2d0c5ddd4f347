import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { decodeModelBytes, encodePemn } from "../../src/artifact/index.js";
import { readDecodedModel } from "../../src/artifact/pemn-file.js";
import { noGrad, tensor, tidy } from "../../src/engine/index.js";
import {
  createPemnModel,
  maskedLayout,
  maskedWeightsOf,
  parseModelConfig,
} from "../../src/models/index.js";
import type { MaskedWeight } from "../../src/nn/index.js";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "../../src/onnx/index.js";
import { packModel } from "../../src/packing/index.js";
import { createGenerator } from "../../src/random/index.js";
import { evaluatePemnFile } from "../../src/run/evaluate-pemn.js";
import {
  evaluateRun,
  PRETRAIN_DIR,
  parseRunConfig,
  type RunSummary,
  readCheckpoint,
  runTraining,
} from "../../src/run/index.js";
import { packRunToFile } from "../../src/run/pack-run.js";
import { restoreModel, train } from "../../src/train/index.js";
import {
  type PrunedStrategy,
  parseWeightStrategy,
  solvePruningMasks,
} from "../../src/weights/index.js";
import { trainTinyRun, writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { syntheticDataset } from "../train/helpers.js";

test("a pruned layer's dropped weights stay +0 through training while its kept values change", async () => {
  const strategy = parseWeightStrategy({
    kind: "pruned",
    criterion: "random",
    compression: 0.9,
  }) as PrunedStrategy;
  const model = parseRunConfig({ model: { name: "mlp", hidden: [16] }, data: {} }).model;
  const { model: network } = createPemnModel({ model, strategy, keepFraction: 0.5, seed: 2 });
  try {
    const weights = maskedWeightsOf(network, maskedLayout(model));
    const before = weights.map((weight) => weight.values.toArray<"float32">());
    const { masks } = solvePruningMasks({
      strategy,
      seed: 2,
      layers: maskedLayout(model).map((layer, i) => ({
        name: layer.name,
        values: before[i] as Float32Array,
      })),
    });
    weights.forEach((weight, i) => {
      weight.prune(masks[i] as Uint8Array);
    });
    const data = syntheticDataset({ count: 200, classes: 10, side: 28, seed: 1 });
    await train({
      model: network,
      data: { train: data, validation: data, test: data },
      config: { epochs: 1, batchSize: 50, seed: 2, optimizer: { kind: "adamw", lr: 0.01 } },
      progress: "none",
    });
    weights.forEach((weight, i) => {
      const mask = masks[i] as Uint8Array;
      const after = weight.values.toArray<"float32">();
      const start = before[i] as Float32Array;
      let changed = 0;
      let kept = 0;
      for (let w = 0; w < after.length; w++) {
        if (mask[w] === 0) {
          if (!Object.is(after[w], 0)) assert.fail(`layer ${i} weight ${w}: ${after[w]}, not +0`);
          continue;
        }
        kept++;
        if (after[w] !== start[w]) changed++;
      }
      assert.ok(kept > 0);
      assert.ok(changed > 0.9 * kept, `layer ${i}: ${changed} of ${kept} kept values changed`);
      const effective = tidy(() => weight.effective().toArray<"float32">());
      assert.deepEqual(effective, after, "W * M is the values: dropped ones are +0 already");
    });
  } finally {
    network.dispose();
  }
});

test("magnitude after dense pre-training: its own resumable phase, the mask from the trained values, packed and evaluated as the run", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeSyntheticMnist(dir, 400, 120);
    const runDir = join(dir, "run");
    const strategy = {
      kind: "pruned" as const,
      criterion: "magnitude" as const,
      pretrainEpochs: 1,
      compression: 0.92,
      index: { kind: "relative" as const, bits: 8 },
    };
    const config = await trainTinyRun(dir, runDir, {
      strategy,
      data: { source: { name: "mnist", dir }, validation: { size: { fraction: 0 } } },
    });
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary;
    assert.equal(summary.target_compression, 0.92);
    assert.equal(summary.pretrain_epochs, 1);
    assert.ok(Math.abs((summary.achieved_compression as number) - 0.92) < 0.001);
    assert.equal(summary.selection, "last-epoch");
    assert.equal(summary.val_accuracy, null);
    const state = JSON.parse(readFileSync(join(runDir, "state.json"), "utf8"));
    assert.deepEqual(state.best, state.last, "no validation: the last epoch is the model");
    assert.throws(
      () => evaluateRun(runDir, "best", "test"),
      /no best checkpoint: the run has no validation split/,
    );

    // The masks are the magnitude masks of the values the dense phase ended with.
    const layout = maskedLayout(config.model);
    const pretrained = readCheckpoint(join(runDir, PRETRAIN_DIR), "last");
    const final = readCheckpoint(runDir, "last");
    const expected = solvePruningMasks({
      strategy: config.strategy as PrunedStrategy,
      seed: config.seed,
      layers: layout.map((layer) => ({
        name: layer.name,
        values: pretrained.model.get(`${layer.name}.weight.values`)?.data as Float32Array,
      })),
    });
    layout.forEach((layer, i) => {
      const mask = final.model.get(`${layer.name}.weight.mask`)?.data as Float32Array;
      assert.deepEqual(Uint8Array.from(mask), expected.masks[i], layer.name);
    });
    assert.equal(
      expected.keptWeights,
      summary.kept_weights,
      "summary.json counts the masks' kept weights",
    );

    // Packed: the file's weights are the checkpoint's W * M bit for bit, and evaluate the same.
    const file = join(dir, "pruned.pemn");
    packRunToFile(runDir, file, { values: "seed", norms: "fp32", checkpoint: "last" });
    const decoded = readDecodedModel(file);
    const trained = createPemnModel(config).model;
    try {
      restoreModel(trained, final);
      maskedWeightsOf(trained, layout).forEach((weight, i) => {
        const name = (layout[i] as { name: string }).name;
        const effective = tidy(() => weight.effective().toArray<"float32">());
        const fromFile = decoded.maskedWeights.get(name)?.values as Float32Array;
        assert.deepEqual(
          new Uint8Array(fromFile.buffer),
          new Uint8Array(effective.buffer),
          `${name} bit for bit`,
        );
      });
    } finally {
      trained.dispose();
    }
    const fromRun = evaluateRun(runDir, "last", "test");
    const fromFile = evaluatePemnFile(file, {
      source: { name: "mnist", dir },
      split: "test",
      batchSize: 50,
    });
    assert.equal(fromFile.accuracy, fromRun.accuracy);
    assert.equal(fromFile.loss, fromRun.loss);
    assert.equal(fromRun.accuracy, summary.test_accuracy);

    // Killed after the dense phase: resuming fine-tunes from its checkpoint to the same end.
    for (const name of readdirSync(runDir)) {
      if (/^(state\.json|epoch-\d+\.ckpt|metrics\.jsonl|summary\.json)$/.test(name)) {
        rmSync(join(runDir, name));
      }
    }
    const resumed = await runTraining(config, {
      runDir,
      resume: true,
      progress: "none",
      version: "test",
    });
    assert.equal(resumed.test_accuracy, summary.test_accuracy);
    assert.equal(resumed.achieved_compression, summary.achieved_compression);
  } finally {
    remove();
  }
});

test("a pruned ResNet's .pemn exports to ONNX that predicts as the engine's model", async () => {
  const strategy = parseWeightStrategy({
    kind: "pruned",
    criterion: "magnitude",
    scope: "global",
    compression: 0.9,
    index: { kind: "bitmap" },
  }) as PrunedStrategy;
  const input = { channels: 1, height: 12, width: 12 };
  const model = parseModelConfig({ name: "resnet", depth: 8, input, classes: 10 });
  const spec = { model, strategy, keepFraction: 0.5, seed: 3 };
  const { model: network } = createPemnModel(spec);
  const session = { current: null as ort.InferenceSession | null };
  try {
    const layout = maskedLayout(model);
    const weights = maskedWeightsOf(network, layout);
    const { masks } = solvePruningMasks({
      strategy,
      seed: 3,
      layers: layout.map((layer, i) => ({
        name: layer.name,
        values: (weights[i] as MaskedWeight).values.toArray<"float32">(),
      })),
    });
    weights.forEach((weight, i) => {
      weight.prune(masks[i] as Uint8Array);
    });
    network.eval();
    const decoded = decodeModelBytes(
      encodePemn(packModel(network, spec, { values: "stored", norms: "fp32" })),
    );
    session.current = await ort.InferenceSession.create(exportOnnx(decoded), {
      intraOpNumThreads: 1,
    });
    const images = createGenerator(5, "test/images").fillNormal(new Float32Array(4 * 144), 0, 1);
    const expected = noGrad(() =>
      tidy(() => network.forward(tensor(images, [4, 1, 12, 12])).toArray<"float32">()),
    );
    const outputs = await session.current.run({
      [ONNX_INPUT]: new ort.Tensor("float32", images, [4, 1, 12, 12]),
    });
    const actual = (outputs[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
    const difference = Math.max(
      ...actual.map((value, i) => Math.abs(value - (expected[i] as number))),
    );
    assert.ok(Math.max(...expected.map(Math.abs)) > 0.01, "logits of some size");
    assert.ok(difference <= 1e-5, `max difference ${difference}`);
  } finally {
    await session.current?.release();
    network.dispose();
  }
});
