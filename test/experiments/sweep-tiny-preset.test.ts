import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { expandSweep, parseSetting } from "../../src/experiments/expand-sweep.js";
import { presetSpec } from "../../src/experiments/presets/index.js";
import { sweepRecordSchema } from "../../src/experiments/sweep-record.js";
import { temporaryDirectory } from "../data/helpers.js";
import { type MadeImage, makeImage, writeTree } from "../data/image-trees.js";

/*
 * fig3-tiny starts: its first and last runs for one epoch on a generated Tiny-ImageNet of
 * 200 classes (one small training image each, 20 validation images), the paper's recipe
 * otherwise unchanged; the summaries name the 200 classes as words.txt does.
 */

const WNIDS = Array.from(
  { length: 200 },
  (_, i) => `n${String(1000000 + 37 * i).padStart(8, "0")}`,
);
let work: ReturnType<typeof temporaryDirectory>;
let root: string;
before(async () => {
  work = temporaryDirectory();
  root = join(work.dir, "tiny-imagenet-200");
  const files: Record<string, MadeImage> = {};
  WNIDS.forEach((wnid, c) => {
    files[`train/${wnid}/images/${wnid}_0.JPEG`] = makeImage(c, { height: 8, width: 8 });
  });
  for (let i = 0; i < 20; i++)
    files[`val/images/val_${i}.JPEG`] = makeImage(500 + i, { height: 8, width: 8 });
  await writeTree(root, files);
  writeFileSync(join(root, "wnids.txt"), WNIDS.join("\n"));
  writeFileSync(join(root, "words.txt"), WNIDS.map((wnid, i) => `${wnid}\tthing ${i}`).join("\n"));
  writeFileSync(
    join(root, "val", "val_annotations.txt"),
    Array.from({ length: 20 }, (_, i) => `val_${i}.JPEG\t${WNIDS[7 * i]}\t0\t0\t7\t7`).join("\n"),
  );
});
after(() => work.remove());

const BIN = new URL("../../bin/pemn.js", import.meta.url).pathname;

test("fig3-tiny starts on a generated Tiny-ImageNet", async () => {
  const settings = [
    `data.source.dir=${root}`,
    "data.trainLimit=8",
    "train.batchSize=4",
    "train.epochs=1",
  ];
  const runs = expandSweep(presetSpec("fig3-tiny"), settings.map(parseSetting));
  const first = runs[0];
  const last = runs.at(-1);
  assert.ok(first && last);
  assert.equal(first.config.model.classes, 200);
  assert.deepEqual(first.config.model.input, { channels: 3, height: 64, width: 64 });
  const out = join(work.dir, "results");
  const args = [BIN, "sweep", "--preset", "fig3-tiny", "--out", out, "--jobs", "1"];
  for (const setting of settings) args.push("--set", setting);
  args.push("--shard", `1/${runs.length - 1}`);
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, PEMN_DATA: join(work.dir, "cache") },
  });
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
  assert.deepEqual(records.map((record) => record.run_id).sort(), [first.runId, last.runId].sort());
  for (const record of records) {
    assert.ok(record.status === "ok", JSON.stringify(record));
    assert.equal(record.summary.dataset, "tiny-imagenet");
    assert.equal(record.summary.classes, 200);
    assert.deepEqual(
      record.summary.class_names,
      WNIDS.map((_, i) => `thing ${i}`),
    );
    assert.ok(record.summary.test_accuracy !== null);
    assert.ok(record.packed.length > 0);
  }
});
