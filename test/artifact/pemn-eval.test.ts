import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { encodePemn, PemnModelError } from "../../src/artifact/index.js";
import { readDecodedModel } from "../../src/artifact/pemn-file.js";
import { BatchLoader, loadDataset, parseDatasetSource } from "../../src/data/index.js";
import { noGrad, tidy } from "../../src/engine/index.js";
import { createPemnModel } from "../../src/models/index.js";
import type { Layer } from "../../src/nn/index.js";
import { buildDecodedModel } from "../../src/packing/index.js";
import { evaluatePemnFile } from "../../src/run/evaluate-pemn.js";
import { evaluateRun, readCheckpoint } from "../../src/run/index.js";
import { packRunToFile } from "../../src/run/pack-run.js";
import { batchTensors } from "../../src/train/batch-tensors.js";
import { restoreModel } from "../../src/train/index.js";
import { cifarBytes, temporaryDirectory } from "../data/helpers.js";
import { convMixerFixture, fixtureContents } from "./pemn-fixtures.js";
import { trainTinyRun, writeSyntheticMnist } from "./run-fixtures.js";
import { assertSameBits } from "./same-bits-assert.js";

/** Every test image's logits, in order. */
function allLogits(model: Layer, dataDir: string): Float32Array {
  const loader = new BatchLoader(loadDataset({ name: "mnist", dir: dataDir }, "test"), {
    mode: "evaluate",
    batchSize: 40,
  });
  const parts: number[] = [];
  noGrad(() => {
    for (const batch of loader.epoch()) {
      tidy(() => {
        parts.push(...model.forward(batchTensors(batch).images).toArray<"float32">());
      });
    }
  });
  return Float32Array.from(parts);
}

test("a .pemn file evaluates as the checkpoint it came from, image for image", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeSyntheticMnist(dir, 400, 120);
    const runDir = join(dir, "run");
    const config = await trainTinyRun(dir, runDir, {
      model: { name: "convmixer", dim: 16, depth: 1, kernel: 3, patch: 4 },
      strategy: { kind: "rp", ratio: 0.05 },
      train: { epochs: 1, batchSize: 50, optimizer: { kind: "adamw", lr: 0.01 } },
    });
    const fromCheckpoint = evaluateRun(runDir, "last", "test");
    assert.ok(fromCheckpoint.accuracy > 0.2, `learned something: ${fromCheckpoint.accuracy}`);
    const trained = createPemnModel(config).model.eval();
    try {
      restoreModel(trained, readCheckpoint(runDir, "last"));
      const expected = allLogits(trained, dir);
      for (const values of ["seed", "stored"] as const) {
        const file = join(dir, `${values}.pemn`);
        packRunToFile(runDir, file, { values, norms: "fp32", checkpoint: "last" });
        const fromFile = evaluatePemnFile(file, {
          source: { name: "mnist", dir },
          split: "test",
          batchSize: config.train.batchSize,
        });
        assert.deepEqual(fromFile, fromCheckpoint, `${values}: accuracy, loss and count`);
        const rebuilt = buildDecodedModel(readDecodedModel(file));
        try {
          assertSameBits(allLogits(rebuilt, dir), expected, `${values}: every test image's logits`);
        } finally {
          rebuilt.dispose();
        }
      }
      const file = join(dir, "seed.pemn");
      assert.throws(
        () =>
          evaluatePemnFile(file, {
            source: { name: "cifar10", dir },
            split: "test",
            batchSize: 10,
          }),
        (error: unknown) =>
          error instanceof PemnModelError &&
          error.code === "dataset-mismatch" &&
          error.message.startsWith(`${file}: `) &&
          /1x28x28 images in 10 classes, cifar10 has 3x32x32/.test(error.message),
      );
    } finally {
      trained.dispose();
    }
  } finally {
    remove();
  }
});

test("a CIFAR-100 model of 20 classes is evaluated on the coarse labels, a 100-class one on the fine", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    // Records of [coarse, fine] label bytes; the labels the evaluation sees are caught.
    const labels = [
      [3, 97],
      [19, 0],
      [0, 55],
    ];
    writeFileSync(join(dir, "test.bin"), cifarBytes(labels));
    const seen = (classes: number): number[] => {
      const file = join(dir, `classes-${classes}.pemn`);
      const fixture = convMixerFixture(8, 1, 3, classes);
      writeFileSync(
        file,
        encodePemn({ ...fixtureContents({ seed: 1, ...fixture }), dataset: { name: "cifar100" } }),
      );
      const caught: number[] = [];
      const evaluation = evaluatePemnFile(file, {
        source: parseDatasetSource({ name: "cifar100", dir }),
        split: "test",
        batchSize: 2,
        predictions: () => (batch) => caught.push(...Array.from(batch.labels, Number)),
      });
      assert.equal(evaluation.count, labels.length);
      return caught;
    };
    assert.deepEqual(seen(20), [3, 19, 0]);
    assert.deepEqual(seen(100), [97, 0, 55]);
  } finally {
    remove();
  }
});
