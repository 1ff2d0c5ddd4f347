import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import { expandSweep } from "../../src/experiments/expand-sweep.js";
import { sweepRunPaths } from "../../src/experiments/results-dir.js";
import { sweepRecordSchema } from "../../src/experiments/sweep-record.js";
import { readSweepSpec } from "../../src/experiments/sweep-spec.js";
import { writeSyntheticMnist } from "../artifact/run-fixtures.js";
import { temporaryDirectory } from "../data/helpers.js";
import { PEMN_BIN } from "../helpers/run-pemn.js";

/*
 * A run another live process holds is busy, not failed: the sweep writes no record for it,
 * waits for the holder to let go, then takes up what is left of the run (here: all of it),
 * and exits 0 once every run finished. Tiny MLPs on synthetic MNIST.
 */

const lockChild = fileURLToPath(new URL("../run/fixtures/lock-child.ts", import.meta.url));

let work: ReturnType<typeof temporaryDirectory>;
let oneRun: string;
let twoSmokeRuns: string;
before(() => {
  work = temporaryDirectory();
  writeSyntheticMnist(work.dir, 300, 60);
  oneRun = writeSpec("one-run.yaml", 1, [{ labels: { seed: "1" }, config: { seed: 1 } }]);
  // Runs of 0 epochs only build their model: one short child each, nothing to pack.
  twoSmokeRuns = writeSpec("two-runs.yaml", 0, [
    { labels: { seed: "1" }, config: { seed: 1 } },
    { labels: { seed: "2" }, config: { seed: 2 } },
  ]);
});
after(() => work.remove());

function writeSpec(name: string, epochs: number, runs: unknown[]): string {
  const file = join(work.dir, name);
  writeFileSync(
    file,
    toYaml({
      name: "busy",
      title: "Busy",
      description: "tiny MLPs on synthetic MNIST",
      figure: "representation",
      base: {
        model: { name: "mlp", hidden: [16] },
        data: { source: { name: "mnist", dir: work.dir }, validation: { size: { count: 50 } } },
        train: { epochs, batchSize: 50, optimizer: { kind: "adamw", lr: 0.05 } },
      },
      runs,
    }),
  );
  return file;
}

function startSweep(specFile: string, out: string) {
  const child = spawn(
    process.execPath,
    [PEMN_BIN, "sweep", specFile, "--out", out, "--cores", "1"],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PEMN_THREADS: "1" } },
  );
  const state = { stderr: "", exited: false };
  child.stderr.on("data", (chunk) => {
    state.stderr += chunk;
  });
  const finished = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => {
      state.exited = true;
      resolve({ code, stderr: state.stderr });
    }),
  );
  return { state, finished };
}

function records(out: string) {
  return readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => sweepRecordSchema.parse(JSON.parse(line)));
}

/** How many times the sweep started `pemn train` for a run. */
function trainings(out: string, runId: string): number {
  const log = readFileSync(sweepRunPaths(out, runId).log, "utf8");
  return log.split("\n").filter((line) => /^# \S+ pemn train /.test(line)).length;
}

test("a run another process holds (an orphaned child) is waited for, not recorded as failed", async () => {
  const out = join(work.dir, "orphan");
  const [held] = expandSweep(readSweepSpec(oneRun));
  assert.ok(held);
  const runDir = sweepRunPaths(out, held.runId).runDir;
  mkdirSync(runDir, { recursive: true });
  // Stands for a `pemn train` left running by a sweep killed outright.
  const releaseFile = join(work.dir, "release-orphan");
  const holder = spawn(process.execPath, ["--import", "tsx", lockChild, runDir, releaseFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const holderExited = new Promise((resolve) => holder.on("close", resolve));
  await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));

  const { state, finished } = startSweep(oneRun, out);
  // The holder lets go once the sweep says it waits (or has ended: the old behaviour).
  while (!/waiting for 1 run/.test(state.stderr) && !state.exited) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  writeFileSync(releaseFile, "");
  await holderExited;
  const { code, stderr } = await finished;
  assert.equal(code, 0, stderr);
  assert.match(stderr, /busy \(pemn process \d+ holds it\)/);
  assert.match(stderr, /1 done, 0 failed/);
  assert.deepEqual(
    records(out).map((record) => record.status),
    ["ok"],
  );
});

test("two sweeps on one results directory at once: each run trains once, both exit 0", async () => {
  const out = join(work.dir, "twice");
  const first = startSweep(twoSmokeRuns, out);
  const second = startSweep(twoSmokeRuns, out);
  const outcomes = await Promise.all([first.finished, second.finished]);
  for (const { code, stderr } of outcomes) {
    assert.equal(code, 0, stderr);
    assert.match(stderr, /2 done, 0 failed/);
  }
  const list = records(out);
  assert.deepEqual(
    list.map((record) => record.status),
    ["ok", "ok"],
  );
  for (const record of list) assert.equal(trainings(out, record.run_id), 1, record.run_id);
});
