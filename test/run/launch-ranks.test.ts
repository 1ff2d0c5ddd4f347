import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";

const BIN = fileURLToPath(new URL("../../bin/pemn.js", import.meta.url));

function pemn(args: readonly string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, PEMN_THREADS: "1" },
    timeout: 60_000,
  });
}

test("pemn train --nproc 2 trains as 2 local ranks; rank 0 alone writes; resume needs the same world size", () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeSyntheticMnist(dir, 300, 100);
    const runDir = join(dir, "run");
    const train = [
      "train",
      "--model",
      "mlp",
      "--hidden",
      "16",
      "--dataset",
      "mnist",
      "--data-dir",
      dir,
      "--val-fraction",
      "0.2",
      "--epochs",
      "1",
      "--batch-size",
      "40",
      "--progress",
      "lines",
      "--run-dir",
      runDir,
      "--collective-timeout",
      "10",
    ];
    const launched = pemn([...train, "--nproc", "2"]);
    assert.equal(launched.status, 0, launched.stderr);
    // One report and one line per epoch: the second rank prints nothing.
    assert.equal(launched.stdout.match(/run directory:/g)?.length, 1, launched.stdout);
    assert.equal(launched.stderr.match(/^epoch 1\/1/gm)?.length, 1, launched.stderr);
    assert.match(launched.stderr, /\| 2 ranks, [\d.]+ MB all-reduced\/step/);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    assert.equal(summary.world_size, 2);
    // Scores of 784 x 16 and 16 x 10 weights, BatchNorm's 16 + 16: float32 each.
    assert.equal(summary.all_reduced_bytes_per_step, (784 * 16 + 16 * 10 + 16 + 16) * 4);
    const alone = pemn([...train, "--resume"]);
    assert.equal(alone.status, 1);
    assert.match(alone.stderr, /trained by 2 rank\(s\), this resume has 1/);
  } finally {
    remove();
  }
});
