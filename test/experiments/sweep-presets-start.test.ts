import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { expandSweep, parseSetting } from "../../src/experiments/expand-sweep.js";
import { presetSpec } from "../../src/experiments/presets/index.js";
import { sweepRecordSchema } from "../../src/experiments/sweep-record.js";
import { cifarBytes } from "../data/helpers.js";

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

for (const [preset, dir] of [
  ["fig3-cifar10", cifar10Dir],
  ["fig5-cifar10", cifar10Dir],
  ["fig4-cifar10", cifar10Dir],
  ["fig4-cifar100", cifar100Dir],
] as const) {
  test(`${preset} starts on generated files`, async () => {
    const settings = smallRun(dir);
    const runs = expandSweep(presetSpec(preset), settings.map(parseSetting));
    const first = runs[0];
    const last = runs.at(-1);
    assert.ok(first && last);
    // index % (n - 1) == 0: the first run and the last.
    const out = join(temp, preset);
    const args = [BIN, "sweep", "--preset", preset, "--out", out, "--jobs", "2", "--cores", "2"];
    for (const setting of settings) args.push("--set", setting);
    args.push("--shard", `1/${runs.length - 1}`);
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
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
