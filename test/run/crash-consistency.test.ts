import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { getThreads } from "../../src/engine/index.js";
import {
  parseRunConfig,
  type RunSummary,
  readCheckpoint,
  readRunManifest,
  runTraining,
} from "../../src/run/index.js";
import type { Checkpoint } from "../../src/train/index.js";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";

const child = fileURLToPath(new URL("./fixtures/train-child.ts", import.meta.url));

/** What must not depend on where the run was killed (timings aside). */
function outcome(summary: RunSummary, runDir: string) {
  const metrics = readFileSync(join(runDir, "metrics.jsonl"), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => {
      const { img_per_s, seconds, ...rest } = JSON.parse(line);
      return rest;
    });
  const tensors = (checkpoint: Checkpoint) =>
    [...checkpoint.model].map(([name, data]) => [
      name,
      Buffer.from(data.data.buffer).toString("base64"),
    ]);
  return {
    summary: {
      val_accuracy: summary.val_accuracy,
      best_val_accuracy: summary.best_val_accuracy,
      best_val_epoch: summary.best_val_epoch,
      test_accuracy: summary.test_accuracy,
    },
    metrics,
    last: tensors(readCheckpoint(runDir, "last")),
    bestEpoch: readCheckpoint(runDir, "best").run.epochsCompleted,
  };
}

/** A killed run's directory holds one committed epoch (or none), whole and self-consistent. */
function assertConsistent(runDir: string, point: number): void {
  const where = `killed at point ${point}`;
  const manifest = readRunManifest(runDir);
  if (manifest === null) {
    assert.ok(!existsSync(join(runDir, "summary.json")), where);
    return;
  }
  const last = readCheckpoint(runDir, "last");
  const best = readCheckpoint(runDir, "best");
  assert.equal(last.run.epochsCompleted, manifest.epoch, where);
  assert.equal(best.run.epochsCompleted, last.run.bestValidation?.epoch, where);
  const lines = readFileSync(join(runDir, "metrics.jsonl"), "utf8").split("\n").filter(Boolean);
  assert.ok(lines.length >= manifest.epoch, `${where}: the committed epochs' metrics are there`);
  if (existsSync(join(runDir, "summary.json"))) {
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    assert.equal(summary.best_val_epoch, manifest.best.epoch, where);
  }
}

test("a run killed at any file operation leaves the old or the new epoch, and resumes to the uninterrupted result", async () => {
  const { dir, remove } = temporaryDirectory();
  try {
    writeSyntheticMnist(dir, 300, 60);
    const input = {
      model: { name: "mlp", hidden: [16] },
      data: { source: { name: "mnist", dir }, validation: { size: { count: 50 } } },
      train: { epochs: 2, batchSize: 50, optimizer: { kind: "adamw", lr: 0.05 } },
      seed: 11,
    };
    const config = parseRunConfig(input);
    const options = (runDir: string, resume: boolean) => ({
      runDir,
      resume,
      progress: "none" as const,
      version: "test",
    });
    const straightDir = join(dir, "straight");
    const expected = outcome(await runTraining(config, options(straightDir, false)), straightDir);
    let kills = 0;
    for (let point = 1; ; point++) {
      const runDir = join(dir, `killed-${point}`);
      const result = spawnSync(
        process.execPath,
        ["--import", "tsx", child, JSON.stringify(input), runDir],
        {
          encoding: "utf8",
          env: { ...process.env, PEMN_FAULT_AT: `*:${point}`, PEMN_THREADS: String(getThreads()) },
        },
      );
      if (result.status === 0) break; // the run has fewer file operations than `point`
      assert.equal(result.signal, "SIGKILL", result.stderr);
      kills += 1;
      assertConsistent(runDir, point);
      const resume = existsSync(join(runDir, "config.json"));
      const summary = await runTraining(config, options(runDir, resume));
      assert.deepEqual(outcome(summary, runDir), expected, `killed at point ${point}`);
    }
    // config.json; per epoch checkpoint, metrics line, state.json; summary.json.
    assert.ok(kills >= 12, `${kills} crash points`);
  } finally {
    remove();
  }
});
