import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify as toYaml } from "yaml";
import { sweepRunPaths } from "../../src/experiments/results-dir.js";
import {
  invocationSchema,
  type SweepRecord,
  sweepDescriptionSchema,
  sweepRecordSchema,
} from "../../src/experiments/sweep-record.js";

/*
 * pemn sweep end to end on small MLPs over a few thousand Fashion-MNIST images, one thread:
 * a quick run, a longer one (3 epochs of about a second, to be killed in its 2nd) and one
 * whose data directory does not exist.
 */

const temp = mkdtempSync(join(tmpdir(), "pemn-sweep-"));
after(() => rmSync(temp, { recursive: true, force: true }));

const RUNS = [
  { labels: { run: "quick" }, config: {} },
  {
    labels: { run: "long" },
    config: {
      model: { hidden: [512, 512] },
      strategy: { kind: "rp", ratio: 0.01 },
      data: { trainLimit: 2000 },
      train: { epochs: 3 },
    },
  },
  {
    labels: { run: "no data" },
    config: { data: { source: { name: "mnist", dir: join(temp, "missing") } } },
  },
];

function writeSpec(file: string, runs: typeof RUNS): string {
  writeFileSync(
    file,
    toYaml({
      name: "tiny",
      title: "Tiny",
      description: "MLPs on a few thousand Fashion-MNIST images",
      figure: "representation",
      base: {
        model: { name: "mlp", hidden: [64] },
        data: { validation: { size: { count: 200 } }, trainLimit: 500 },
        train: { epochs: 1, batchSize: 50, optimizer: { kind: "adamw", lr: 0.01 } },
      },
      runs,
    }),
  );
  return file;
}

const specFile = writeSpec(join(temp, "tiny.yaml"), RUNS);
/** The same runs less the failing one: the same run ids, as they depend on configs only. */
const succeedingSpec = writeSpec(join(temp, "succeeding.yaml"), RUNS.slice(0, 2));

const BIN = new URL("../../bin/pemn.js", import.meta.url).pathname;

function startSweep(out: string, extra: string[] = [], spec = specFile) {
  const child = spawn(
    process.execPath,
    [BIN, "sweep", spec, "--out", out, "--cores", "1", ...extra],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PEMN_THREADS: "1" } },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const finished = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr })),
  );
  return { child, finished };
}

const sweep = (out: string, extra: string[] = [], spec = specFile) =>
  startSweep(out, extra, spec).finished;

function records(out: string): SweepRecord[] {
  return readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => sweepRecordSchema.parse(JSON.parse(line)));
}

const byRun = (list: SweepRecord[]) =>
  new Map(list.map((record) => [record.labels.run as string, record]));

/** Each epoch's metrics without the timings. */
function metrics(out: string, runId: string) {
  return readFileSync(join(sweepRunPaths(out, runId).runDir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const { img_per_s: _, seconds: __, ...rest } = JSON.parse(line);
      return rest;
    });
}

const whole = join(temp, "whole");
let wholeRun: Promise<{ code: number | null; stderr: string }> | null = null;
const wholeSweep = () => {
  wholeRun ??= sweep(whole, ["--jobs", "2"]);
  return wholeRun;
};

test("a sweep runs every run, records a failed one and goes on, and exits non-zero", async () => {
  const { code, stderr } = await wholeSweep();
  assert.equal(code, 1, stderr);
  const list = records(whole);
  assert.equal(list.length, 3);
  const runs = byRun(list);
  const failed = runs.get("no data");
  assert.equal(failed?.status, "failed");
  assert.match(
    failed?.status === "failed" ? failed.error : "",
    /missing\/train-images-idx3-ubyte.*not found/,
  );
  for (const name of ["quick", "long"]) {
    const record = runs.get(name);
    assert.ok(record?.status === "ok", `${name}: ${JSON.stringify(record)}`);
    const paths = sweepRunPaths(whole, record.run_id);
    // results.jsonl holds each run's result.json as it is.
    assert.deepEqual(
      record,
      sweepRecordSchema.parse(JSON.parse(readFileSync(paths.result, "utf8"))),
    );
    assert.deepEqual(record.summary, JSON.parse(readFileSync(paths.summary, "utf8")));
    assert.deepEqual(
      record.packed.map((file) => [file.values, file.bytes]),
      (["seed", "stored"] as const).map((values) => [values, statSync(paths.packed(values)).size]),
    );
    assert.equal(record.environment.threads, 1);
    assert.ok(record.summary.test_accuracy !== null && record.summary.test_accuracy > 0.2); // chance: 0.1
  }
  assert.match(
    stderr,
    /\[1 done, 0 failed, 2 left .*\] [0-9a-f]{8} run=(quick|long): ok +test \d+\.\d\d%/,
  );
  assert.match(stderr, /2 done, 1 failed/);
  sweepDescriptionSchema.parse(JSON.parse(readFileSync(join(whole, "sweep.json"), "utf8")));
  const invocations = readFileSync(join(whole, "invocations.jsonl"), "utf8").trim().split("\n");
  assert.equal(invocations.length, 1);
  const invocation = invocationSchema.parse(JSON.parse(invocations[0] as string));
  assert.match(invocation.command, /^pemn sweep .*tiny\.yaml --out .* --jobs 2$/);
});

test("two shards together give the results of one sweep, and a later sweep finds them done", async () => {
  const sharded = join(temp, "sharded");
  const [first, second] = await Promise.all([
    sweep(sharded, ["--shard", "1/2"]),
    sweep(sharded, ["--shard", "2/2"]),
  ]);
  assert.match(first.stderr, /2 runs \(shard 1\/2 of 3\)/);
  assert.match(second.stderr, /1 runs \(shard 2\/2 of 3\)/);
  await wholeSweep();
  const summaryOf = (list: SweepRecord[]) =>
    [...byRun(list)].map(([name, record]) => [
      name,
      record.run_id,
      record.status,
      record.status === "ok" ? record.summary.test_accuracy : record.error,
    ]);
  assert.deepEqual(summaryOf(records(sharded)).sort(), summaryOf(records(whole)).sort());
  const long = byRun(records(whole)).get("long") as SweepRecord;
  assert.deepEqual(metrics(sharded, long.run_id), metrics(whole, long.run_id));

  const finishedAt = records(sharded).map((record) => [record.run_id, record.finished_at]);
  const again = await sweep(sharded);
  assert.match(again.stderr, /3 runs, 2 already done, 1 to run/);
  const retried = byRun(records(sharded));
  for (const [id, at] of finishedAt) {
    const record = [...retried.values()].find((candidate) => candidate.run_id === id);
    if (record?.status === "ok") assert.equal(record.finished_at, at);
    // The failed run was retried: its record replaced by a new one.
    else assert.notEqual(record?.finished_at, at);
  }
});

test("a sweep killed in a run's 2nd epoch resumes it and leaves finished runs alone", async () => {
  const killed = join(temp, "killed");
  await wholeSweep();
  const reference = byRun(records(whole));
  const longId = (reference.get("long") as SweepRecord).run_id;
  const quickId = (reference.get("quick") as SweepRecord).run_id;
  const { child, finished } = startSweep(killed, [], succeedingSpec);
  const metricsFile = join(sweepRunPaths(killed, longId).runDir, "metrics.jsonl");
  const epochsDone = () =>
    existsSync(metricsFile)
      ? readFileSync(metricsFile, "utf8").trim().split("\n").filter(Boolean).length
      : 0;
  while (epochsDone() < 1) await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill("SIGTERM");
  const stopped = await finished;
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /1 interrupted \(re-run the same command to resume\)/);
  assert.ok(epochsDone() < 3, "the kill came after the last epoch: make the long run longer");
  const quickResult = sweepRunPaths(killed, quickId).result;
  const quickModified = statSync(quickResult).mtimeMs;
  assert.equal(existsSync(sweepRunPaths(killed, longId).result), false);

  const resumed = await sweep(killed, [], succeedingSpec);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /2 runs, 1 already done, 1 to run/);
  assert.equal(statSync(quickResult).mtimeMs, quickModified);
  const log = readFileSync(sweepRunPaths(killed, longId).log, "utf8");
  assert.match(log, /pemn train .* --resume\n/);
  assert.deepEqual(metrics(killed, longId), metrics(whole, longId));
  const long = byRun(records(killed)).get("long");
  assert.ok(long?.status === "ok");
  const expected = reference.get("long");
  assert.ok(expected?.status === "ok");
  assert.equal(long.summary.test_accuracy, expected.summary.test_accuracy);
  assert.deepEqual(long.packed, expected.packed);
});
