import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type RunConfigInput, runTraining } from "../../src/run/index.js";
import { tinyMnistRuns } from "./helpers.js";

/*
 * A new run never deletes or rewrites a file it did not write: a directory holding a file
 * under a name the run writes (metrics.jsonl, a checkpoint, pretrain/, distributed.json) but
 * no run is refused, naming the file; any other file is left where it is.
 */

const work = tinyMnistRuns();
const tinyConfig = work.config;

const options = (runDir: string) => ({ runDir, progress: "none" as const, version: "test" });

for (const name of ["metrics.jsonl", "epoch-3.ckpt", "distributed.json"]) {
  test(`a new run in a directory holding someone else's ${name} is refused and leaves it`, async () => {
    const runDir = join(work.dir, `foreign-${name}`);
    mkdirSync(runDir);
    writeFileSync(join(runDir, name), "not a run's\n");
    await assert.rejects(runTraining(tinyConfig(), options(runDir)), (error: Error) => {
      assert.equal((error as { code?: string }).code, "foreign-file");
      assert.match(error.message, new RegExp(`holds ${name.replace(".", "\\.")}`));
      return true;
    });
    assert.deepEqual(readdirSync(runDir), [name]);
    assert.equal(readFileSync(join(runDir, name), "utf8"), "not a run's\n");
  });
}

test("a new run in a directory holding a pretrain/ directory it did not make is refused", async () => {
  const runDir = join(work.dir, "foreign-pretrain");
  mkdirSync(join(runDir, "pretrain"), { recursive: true });
  await assert.rejects(runTraining(tinyConfig(), options(runDir)), /holds pretrain/);
  assert.deepEqual(readdirSync(runDir), ["pretrain"]);
});

test("other files stay: beside a finished run, and beside a failed one (whose files go)", async () => {
  const runDir = join(work.dir, "with-notes");
  mkdirSync(runDir);
  writeFileSync(join(runDir, "notes.txt"), "mine\n");
  await runTraining(tinyConfig(), options(runDir));
  assert.equal(readFileSync(join(runDir, "notes.txt"), "utf8"), "mine\n");
  assert.ok(existsSync(join(runDir, "summary.json")));

  const failedDir = join(work.dir, "failed-with-notes");
  mkdirSync(failedDir);
  writeFileSync(join(failedDir, "notes.txt"), "mine\n");
  // Diverges in its first epoch, after config.json was written.
  const diverging = tinyConfig({
    train: { epochs: 1, batchSize: 50, optimizer: { kind: "sgd", lr: 1e30 } },
  } as Partial<RunConfigInput>);
  await assert.rejects(runTraining(diverging, options(failedDir)), /diverged/);
  assert.deepEqual(readdirSync(failedDir), ["notes.txt"]);
});
