import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readRunManifest } from "../../src/run/index.js";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { PEMN_BIN } from "../helpers/run-pemn.js";

/*
 * `pemn train` stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP gives its run directory up:
 * run.lock is removed, a new run with no committed epoch takes its files away (so the same
 * command can start again), a run with one keeps it to resume; the exit status is 128 + n.
 * An epoch of 12,000 images through a 256-256 MLP on one thread takes seconds, and the
 * signal comes as soon as config.json shows the run has started training.
 */

let work: ReturnType<typeof temporaryDirectory>;
let configFile: string;
before(() => {
  work = temporaryDirectory();
  writeSyntheticMnist(work.dir, 12000, 60);
  configFile = join(work.dir, "config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      model: { name: "mlp", hidden: [256, 256] },
      data: { source: { name: "mnist", dir: work.dir }, validation: { size: { count: 100 } } },
      train: { epochs: 3, batchSize: 25, optimizer: { kind: "adamw", lr: 0.01 } },
    }),
  );
});
after(() => work.remove());

function startTrain(runDir: string, config = configFile) {
  const child = spawn(
    process.execPath,
    [PEMN_BIN, "train", "--config", config, "--run-dir", runDir, "--progress", "none"],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PEMN_THREADS: "1" } },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

async function waitFor(file: string, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (!existsSync(file)) {
    assert.ok(!done, `the run ended before ${file} appeared`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a run, signals it in its first epoch, and checks how it ended. */
async function interruptFirstEpoch(runDir: string, signal: NodeJS.Signals) {
  const { child, exited } = startTrain(runDir);
  await waitFor(join(runDir, "config.json"), exited);
  child.kill(signal);
  const outcome = await exited;
  assert.equal(outcome.signal, null, `killed by ${outcome.signal}: the signal was not handled`);
  assert.equal(outcome.code, 128 + constants.signals[signal], outcome.stderr);
  assert.equal(readRunManifest(runDir), null, "the signal came after the first epoch");
}

for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  test(`${signal} in a new run's first epoch: lock and files gone, exit ${128 + constants.signals[signal]}`, async () => {
    const runDir = join(work.dir, `new-${signal}`);
    await interruptFirstEpoch(runDir, signal);
    assert.equal(existsSync(runDir), false, "the directory the run made is removed");
  });
}

test("Ctrl-C in a new run's first epoch leaves the directory as it was: the same command starts again", async () => {
  const runDir = join(work.dir, "new-SIGINT");
  mkdirSync(runDir);
  writeFileSync(join(runDir, "notes.txt"), "mine\n");
  await interruptFirstEpoch(runDir, "SIGINT");
  assert.deepEqual(readdirSync(runDir), ["notes.txt"]);
  // Not refused as "a run already lives here": it gets as far as training again.
  await interruptFirstEpoch(runDir, "SIGINT");
  assert.deepEqual(readdirSync(runDir), ["notes.txt"]);
});

test("SIGTERM after a committed epoch: the lock is gone, the epoch stays to resume", async () => {
  const runDir = join(work.dir, "committed");
  const { child, exited } = startTrain(runDir);
  await waitFor(join(runDir, "state.json"), exited);
  child.kill("SIGTERM");
  const outcome = await exited;
  assert.equal(outcome.code, 143, outcome.stderr);
  assert.equal(existsSync(join(runDir, "run.lock")), false);
  assert.ok(existsSync(join(runDir, "config.json")));
  assert.ok((readRunManifest(runDir)?.epoch ?? 0) >= 1);
});

test("SIGTERM during the final test pass is handled once it ends, not dropped", async () => {
  // One epoch, then a test pass over 30,000 images: the signal comes while it runs.
  const dataDir = join(work.dir, "big-test");
  mkdirSync(dataDir);
  writeSyntheticMnist(dataDir, 2000, 30000);
  const file = join(work.dir, "one-epoch.json");
  writeFileSync(
    file,
    JSON.stringify({
      model: { name: "mlp", hidden: [256, 256] },
      data: { source: { name: "mnist", dir: dataDir }, validation: { size: { count: 100 } } },
      train: { epochs: 1, batchSize: 25, optimizer: { kind: "adamw", lr: 0.01 } },
    }),
  );
  const runDir = join(work.dir, "final-test");
  const { child, exited } = startTrain(runDir, file);
  await waitFor(join(runDir, "state.json"), exited);
  child.kill("SIGTERM");
  const outcome = await exited;
  assert.equal(outcome.signal, null, "the signal was dropped with its listener");
  assert.equal(outcome.code, 143, outcome.stderr);
  assert.equal(existsSync(join(runDir, "run.lock")), false);
  assert.ok(existsSync(join(runDir, "summary.json")), "the finished run keeps its summary");
  assert.ok(existsSync(join(runDir, "config.json")));
});
