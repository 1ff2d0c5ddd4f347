import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { evaluateRun, parseRunConfig, runSummarySchema, runTraining } from "../../src/run/index.js";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";

test("a run trains, writes its files and a summary that pemn eval reproduces", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeSyntheticMnist(dir, 600, 200);
    const runDir = join(dir, "run");
    const config = parseRunConfig({
      model: { name: "mlp", hidden: [32] },
      strategy: { kind: "rp", ratio: 0.01 },
      data: { source: { name: "mnist", dir }, validation: { size: { count: 100 } } },
      train: { epochs: 2, batchSize: 50, optimizer: { kind: "adamw", lr: 0.05 } },
      seed: 7,
    });
    const summary = await runTraining(config, { runDir, progress: "none", version: "test" });
    assert.deepEqual(runSummarySchema.parse(summary), summary, "summary.json keeps its contract");
    assert.deepEqual(JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")), summary);
    for (const file of ["config.json", "metrics.jsonl", "state.json", "epoch-2.ckpt"]) {
      assert.ok(existsSync(join(runDir, file)), `${file} written`);
    }
    assert.equal(summary.masked_weights, 784 * 32 + 32 * 10);
    assert.equal(summary.unique_values, Math.floor(784 * 32 * 0.01) + 1);
    assert.ok((summary.test_accuracy ?? 0) > 0.5, `learned something: ${summary.test_accuracy}`);
    const again = evaluateRun(runDir, "last", "test");
    assert.equal(
      again.accuracy,
      summary.test_accuracy,
      "eval of the last checkpoint gives the summary's figure",
    );
  } finally {
    remove();
  }
});

test("pemn train --epochs 0 builds and summarises without data; bad flags fail clearly", () => {
  const { dir, remove } = temporaryDirectory();
  const bin = fileURLToPath(new URL("../../bin/pemn.js", import.meta.url));
  try {
    const runDir = join(dir, "inspect");
    execFileSync(
      process.execPath,
      [
        bin,
        "train",
        "--epochs",
        "0",
        "--model",
        "convmixer",
        "--dim",
        "256",
        "--depth",
        "6",
        "--strategy",
        "rp",
        "--ratio",
        "1e-3",
        "--dataset",
        "cifar10",
        "--data-dir",
        join(dir, "absent"),
        "--run-dir",
        runDir,
        "--json",
      ],
      { encoding: "utf8" },
    );
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    assert.equal(summary.masked_weights, 437_248);
    assert.equal(summary.unique_values, 66);
    assert.equal(summary.test_accuracy, null);
    assert.throws(
      () =>
        execFileSync(
          process.execPath,
          [bin, "train", "--epochs", "0", "--keep", "2", "--run-dir", join(dir, "bad")],
          { encoding: "utf8", stdio: "pipe" },
        ),
      (error: { status: number; stderr: string }) =>
        // The flag reads the field's bounds from the schema and names them.
        error.status === 1 &&
        /option '--keep <k>' argument '2' is invalid\. expected a number in \(0, 1\]/.test(
          error.stderr,
        ),
    );
    assert.ok(!existsSync(join(dir, "bad")), "nothing written for an invalid config");
  } finally {
    remove();
  }
});
