import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tidy } from "../../src/engine/index.js";
import type { BatchNorm } from "../../src/nn/index.js";
import {
  evaluateRun,
  readCheckpoint,
  readRunManifest,
  runTraining,
  trainInDirectory,
} from "../../src/run/index.js";
import { lockRunDirectory, RUN_IN_USE_EXIT_STATUS, RunLockError } from "../../src/run/run-lock.js";
import { TrainingDivergedError } from "../../src/train/index.js";
import { temporaryDirectory } from "../data/helpers.js";
import { syntheticDataset, TinyMaskedMlp } from "../train/helpers.js";
import { tinyMnistRuns } from "./helpers.js";

const bin = fileURLToPath(new URL("../../bin/pemn.js", import.meta.url));
const work = tinyMnistRuns();
const tinyConfig = work.config;

const options = (runDir: string, resume = false) => ({
  runDir,
  resume,
  progress: "none" as const,
  version: "test",
});

/** Every file of a run directory with its bytes, to show that nothing changed. */
function snapshot(runDir: string): Map<string, string> {
  return new Map(
    readdirSync(runDir)
      .sort()
      .map((name) => [name, readFileSync(join(runDir, name)).toString("base64")]),
  );
}

test("a refused train leaves the run it refused untouched; resume names the differing fields", async () => {
  const runDir = join(work.dir, "refused");
  await runTraining(tinyConfig(), options(runDir));
  const before = snapshot(runDir);
  const accuracy = evaluateRun(runDir, "last", "test").accuracy;
  await assert.rejects(
    runTraining(tinyConfig({ seed: 99 }), options(runDir)),
    /a run already lives here \(it holds config\.json\): pass --resume/,
  );
  assert.deepEqual(snapshot(runDir), before, "config.json still says seed 7");
  assert.equal(evaluateRun(runDir, "last", "test").accuracy, accuracy);
  await assert.rejects(
    runTraining(tinyConfig({ seed: 99, keepFraction: 0.25 }), options(runDir, true)),
    /holds a different config \(keepFraction, seed, train\.seed differ\)/,
  );
  assert.deepEqual(snapshot(runDir), before);
  const resumed = await runTraining(tinyConfig(), options(runDir, true));
  assert.equal(resumed.test_accuracy, accuracy, "the true config still resumes");
});

test("a held run directory is refused naming the holder's pid; a dead holder's lock is taken over", async () => {
  const runDir = join(work.dir, "locked");
  mkdirSync(runDir);
  const held = lockRunDirectory(runDir);
  try {
    await assert.rejects(runTraining(tinyConfig(), options(runDir)), (error: Error) => {
      // The code tells a busy directory from a failure (a sweep relies on it), not the message.
      assert.ok(error instanceof RunLockError && error.code === "in-use", error.message);
      assert.equal(error.holder.pid, process.pid);
      assert.match(error.message, new RegExp(`in use by pemn process ${process.pid} `));
      return true;
    });
    assert.deepEqual(readdirSync(runDir), ["run.lock"], "nothing but the holder's lock");
  } finally {
    held.release();
  }
  assert.deepEqual(readdirSync(runDir), [], "release removes the lock");
  // A holder that died (its pid gone), and one whose pid lives on in a later process.
  const dead = Number(execFileSync(process.execPath, ["-p", "process.pid"], { encoding: "utf8" }));
  for (const holder of [
    { pid: dead, start: 1, host: hostname() },
    { pid: process.pid, start: 1, host: hostname() },
  ]) {
    writeFileSync(join(runDir, "run.lock"), JSON.stringify(holder));
    const taken = lockRunDirectory(runDir);
    assert.equal(JSON.parse(readFileSync(join(runDir, "run.lock"), "utf8")).pid, process.pid);
    taken.release();
  }
});

test("two pemn train on one run directory at once: one trains, the other is refused and writes nothing", async () => {
  const runDir = join(work.dir, "concurrent");
  const args = [
    bin,
    "train",
    ...["--model", "mlp", "--hidden", "16", "--dataset", "mnist", "--data-dir", work.dir],
    ...["--val-fraction", "0.2", "--epochs", "2", "--batch-size", "50"],
    ...["--progress", "none", "--run-dir", runDir],
  ];
  const run = (seed: string) =>
    promisify(execFile)(process.execPath, [...args, "--seed", seed], {
      env: { ...process.env, PEMN_THREADS: "1" },
    }).then(
      () => ({ status: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => ({ status: error.code, stderr: error.stderr }),
    );
  const results = await Promise.all([run("3"), run("4")]);
  const statuses = results.map((result) => result.status).sort((a, b) => a - b);
  const refused = results.find((result) => result.status !== 0);
  // Refused by the lock (busy: 75, EX_TEMPFAIL), or, if the first had finished, by its run (1).
  const expected = /is in use by pemn process \d+/.test(refused?.stderr ?? "")
    ? [0, RUN_IN_USE_EXIT_STATUS]
    : [0, 1];
  assert.deepEqual(statuses, expected, results.map((result) => result.stderr).join("\n"));
  assert.match(refused?.stderr ?? "", /is in use by pemn process \d+|a run already lives here/);
  const config = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8"));
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  assert.equal(summary.seed, config.seed, "config and summary come from the same run");
  const lines = readFileSync(join(runDir, "metrics.jsonl"), "utf8").trimEnd().split("\n");
  assert.deepEqual(
    lines.map((line) => JSON.parse(line).epoch),
    [1, 2],
  );
  assert.equal(evaluateRun(runDir, "last", "test").accuracy, summary.test_accuracy);
});

test("a new run that fails leaves no directory, config or empty metrics behind", async () => {
  const missingData = join(work.dir, "no-data-run");
  await assert.rejects(
    runTraining(
      tinyConfig({ data: { source: { name: "mnist", dir: join(work.dir, "absent") } } }),
      options(missingData),
    ),
  );
  assert.ok(!existsSync(missingData));
  // The divergence: a dense MLP, SGD at lr 1e30, one batch per epoch.
  const diverging = join(work.dir, "diverging");
  await assert.rejects(
    runTraining(
      tinyConfig({
        strategy: { kind: "dense" },
        data: {
          source: { name: "mnist", dir: work.dir },
          validation: { size: { count: 50 } },
          trainLimit: 128,
        },
        train: {
          epochs: 2,
          batchSize: 128,
          optimizer: { kind: "sgd", lr: 1e30 },
          schedule: { kind: "constant" },
        },
      }),
      options(diverging),
    ),
    (error: unknown) =>
      error instanceof TrainingDivergedError && /training diverged/.test(error.message),
  );
  assert.ok(!existsSync(diverging), "no config.json, no metrics.jsonl, no directory");
});

test("a non-finite state stops the run before the last good checkpoint is replaced", async () => {
  const { dir, remove } = temporaryDirectory();
  const data = {
    train: syntheticDataset({ count: 64, classes: 3, side: 4, seed: 1 }),
    validation: syntheticDataset({ count: 32, classes: 3, side: 4, seed: 2 }),
    test: syntheticDataset({ count: 32, classes: 3, side: 4, seed: 3 }),
  };
  const model = new TinyMaskedMlp({ inputs: 16, hidden: 8, classes: 3, seed: 1 });
  try {
    const config = { epochs: 3, batchSize: 16, optimizer: { kind: "adamw", lr: 0.01 } } as const;
    await assert.rejects(
      trainInDirectory({
        model,
        data,
        config,
        dir: dir,
        progress: "none",
        // After epoch 1, a running variance (used only in evaluation) goes NaN.
        onEpoch: (record) => {
          if (record.epoch !== 1) return;
          const norm = model.norm as BatchNorm;
          tidy(() => norm.runningVar.copy_(norm.runningVar.mul(Number.NaN)));
        },
      }),
      /training diverged in epoch 2: val_loss is NaN; nothing of epoch 2 was written, the run directory keeps epoch 1/,
    );
    assert.equal(readRunManifest(dir)?.epoch, 1);
    assert.equal(readCheckpoint(dir, "last").run.epochsCompleted, 1);
  } finally {
    model.dispose();
    remove();
  }
});

test("a resumed run cleans what killed writes left; a replaced checkpoint is refused", async () => {
  const runDir = join(work.dir, "leftovers");
  await runTraining(tinyConfig({ train: { epochs: 2, batchSize: 50 } }), options(runDir));
  const manifest = readRunManifest(runDir);
  assert.equal(manifest?.epoch, 2);
  const stale = [".epoch-3.ckpt.4242.0123456789ab.tmp", ".state.json.4242.ba9876543210.tmp"];
  for (const name of stale) writeFileSync(join(runDir, name), "torn");
  writeFileSync(join(runDir, "epoch-3.ckpt"), "uncommitted");
  await runTraining(tinyConfig({ train: { epochs: 2, batchSize: 50 } }), options(runDir, true));
  for (const name of [...stale, "epoch-3.ckpt"]) assert.ok(!existsSync(join(runDir, name)), name);
  // One flipped byte in the committed checkpoint: state.json's CRC tells.
  const file = join(runDir, (manifest as NonNullable<typeof manifest>).last.file);
  const bytes = readFileSync(file);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
  writeFileSync(file, bytes);
  assert.throws(
    () => readCheckpoint(runDir, "last"),
    /is not the file state\.json committed .*: it was replaced or damaged/,
  );
});

test("processes racing to take over one stale lock: exactly one gets it", {
  timeout: 30_000,
}, async () => {
  const runDir = join(work.dir, "race");
  mkdirSync(runDir);
  const dead = Number(execFileSync(process.execPath, ["-p", "process.pid"], { encoding: "utf8" }));
  writeFileSync(
    join(runDir, "run.lock"),
    JSON.stringify({ pid: dead, start: 1, host: hostname() }),
  );
  const child = fileURLToPath(new URL("./fixtures/lock-child.ts", import.meta.url));
  const release = join(work.dir, "race-release");
  const children = Array.from({ length: 4 }, () =>
    spawn(process.execPath, ["--import", "tsx", child, runDir, release], { stdio: "pipe" }),
  );
  let refused = 0;
  const outcomes = await Promise.all(
    children.map(
      (process) =>
        new Promise<string>((resolve) => {
          let output = "";
          process.stdout.on("data", (chunk) => {
            output += chunk;
          });
          process.on("exit", () => {
            // The winner holds on until every other process has been refused.
            if (output.trim() === "refused" && ++refused === children.length - 1) {
              writeFileSync(release, "");
            }
            resolve(output.trim());
          });
        }),
    ),
  );
  assert.deepEqual(outcomes.sort(), ["locked", "refused", "refused", "refused"]);
  assert.ok(!existsSync(join(runDir, "run.lock")), "the winner released it");
});
