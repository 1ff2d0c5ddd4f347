import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { inspectPemnFile } from "../../src/artifact/pemn-file.js";
import { expandSweep, parseSetting } from "../../src/experiments/expand-sweep.js";
import { presetSpec } from "../../src/experiments/presets/index.js";
import { sweepRunPaths } from "../../src/experiments/results-dir.js";
import { sweepRecordSchema } from "../../src/experiments/sweep-record.js";
import { cifarBytes, idxBytes } from "../data/helpers.js";

/*
 * The CIFAR presets start: their first and last runs (the smallest and largest backbone) for
 * one epoch on a few generated images in the official binary layout, the paper's recipe
 * (augmentation, optimizer, schedule) otherwise unchanged.
 */

const temp = mkdtempSync(join(tmpdir(), "pemn-sweep-cifar-"));
after(() => rmSync(temp, { recursive: true, force: true }));

/** `count` records per file with labels cycling through the classes (CIFAR-100: coarse, fine). */
function writeCifar(dir: string, files: string[], count: number, fine: boolean): string {
  mkdirSync(dir);
  files.forEach((file, f) => {
    const labels = Array.from({ length: count }, (_, i) =>
      fine ? [(i + f) % 20, (7 * i + f) % 100] : [(i + f) % 10],
    );
    writeFileSync(join(dir, file), cifarBytes(labels));
  });
  return dir;
}

const cifar10Dir = writeCifar(
  join(temp, "c10"),
  [1, 2, 3, 4, 5].map((batch) => `data_batch_${batch}.bin`).concat("test_batch.bin"),
  4,
  false,
);
const cifar100Dir = writeCifar(join(temp, "c100"), ["train.bin", "test.bin"], 12, true);

const smallRun = (dir: string) => [
  `data.source.dir=${dir}`,
  "data.trainLimit=8",
  "train.batchSize=4",
  "train.epochs=1",
];

const BIN = new URL("../../bin/pemn.js", import.meta.url).pathname;

/** Runs a preset's first and last runs (shard 1 of n - 1: indices 0 and n - 1) with `settings`. */
async function sweepFirstAndLast(preset: string, settings: readonly string[]) {
  const runs = expandSweep(presetSpec(preset), settings.map(parseSetting));
  const first = runs[0];
  const last = runs.at(-1);
  assert.ok(first && last);
  const out = join(temp, preset);
  const args = [BIN, "sweep", "--preset", preset, "--out", out, "--jobs", "2", "--cores", "2"];
  for (const setting of settings) args.push("--set", setting);
  args.push("--shard", `1/${runs.length - 1}`);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  assert.equal(await new Promise((resolve) => child.on("close", resolve)), 0, stderr);
  return { first, last, out };
}

for (const [preset, dir] of [
  ["fig3-cifar10", cifar10Dir],
  ["fig5-cifar10", cifar10Dir],
  ["fig4-cifar10", cifar10Dir],
  ["fig4-cifar100", cifar100Dir],
] as const) {
  test(`${preset} starts on generated files`, async () => {
    const settings = smallRun(dir);
    const { first, last, out } = await sweepFirstAndLast(preset, settings);
    const records = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => sweepRecordSchema.parse(JSON.parse(line)));
    assert.deepEqual(
      records.map((record) => record.run_id).sort(),
      [first.runId, last.runId].sort(),
    );
    for (const record of records) {
      assert.ok(record.status === "ok");
      assert.equal(record.summary.epochs, 1);
      assert.equal(record.summary.dataset, dir === cifar100Dir ? "cifar100" : "cifar10");
      assert.ok(record.summary.test_accuracy !== null);
      assert.ok(record.packed.length > 0);
    }
  });
}

/** Fashion-MNIST's files with 8 images each (a test set of 8 keeps the runs quick). */
function writeSmallFashion(dir: string): string {
  mkdirSync(dir);
  for (const prefix of ["train", "t10k"]) {
    const pixels = Array.from({ length: 8 * 28 * 28 }, (_, i) => (i * 37) % 256);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idxBytes(2051, [8, 28, 28], pixels));
    const labels = Array.from({ length: 8 }, (_, i) => i % 10);
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes(2049, [8], labels));
  }
  return dir;
}

test("smallest-fashion packs as it says (int8, folded) and its networks come to their budgets", async () => {
  const settings = [
    `data.source.dir=${writeSmallFashion(join(temp, "fashion"))}`,
    "train.batchSize=4",
    "train.epochs=1",
  ];
  // The first run (PEMN, the smallest network) and the last (pruned, the largest budget).
  const { first, last, out } = await sweepFirstAndLast("smallest-fashion", settings);
  for (const run of [first, last]) {
    const record = sweepRecordSchema.parse(
      JSON.parse(readFileSync(sweepRunPaths(out, run.runId).result, "utf8")),
    );
    assert.ok(record.status === "ok", JSON.stringify(record));
    const smallest = Math.min(...record.packed.map((file) => file.bytes));
    // "8 KB" is 8,192 bytes: the preset's widths were chosen to land within 5% of it.
    const budget = 1024 * Number.parseInt(run.labels.budget ?? "", 10);
    assert.ok(Math.abs(smallest / budget - 1) < 0.05, `${run.labels.budget}: ${smallest} bytes`);
    const file = record.packed.find((packed) => packed.bytes === smallest);
    const inspection = inspectPemnFile(
      sweepRunPaths(out, run.runId).packed(file?.values ?? "seed"),
    );
    assert.ok(inspection.norms.length > 0);
    for (const norm of inspection.norms) {
      assert.equal(norm.dtype, "int8", norm.name);
      assert.match(norm.name, /\.(scale|shift)$/, "BatchNorms folded");
    }
  }
});
