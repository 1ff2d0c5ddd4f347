import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { temporaryDirectory } from "../data/helpers.js";
import { trainTinyRun, writeSyntheticMnist } from "./run-fixtures.js";

const bin = fileURLToPath(new URL("../../bin/pemn.js", import.meta.url));

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pemn ...args` in `cwd`; resolves with its exit status and output, success or not. */
function pemn(cwd: string, ...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function succeeded(outcome: Outcome): string {
  assert.equal(outcome.status, 0, outcome.stderr);
  return outcome.stdout;
}

let work: ReturnType<typeof temporaryDirectory>;
before(async () => {
  work = temporaryDirectory();
  writeSyntheticMnist(work.dir, 300, 60);
  await trainTinyRun(work.dir, join(work.dir, "run"), {
    model: { name: "mlp", hidden: [24] },
    strategy: { kind: "rp", ratio: 0.01 },
  });
});
after(() => work.remove());

test("pemn pack, inspect, eval and export work on a trained run", async () => {
  const { dir } = work;
  const [packed, packedStored] = await Promise.all([
    pemn(dir, "pack", "run", "-o", "model.pemn"),
    pemn(
      dir,
      "pack",
      "run/epoch-1.ckpt",
      "-o",
      "stored.pemn",
      "--values",
      "stored",
      "--norm",
      "fp16",
    ),
  ]);
  assert.match(succeeded(packed), /^model\.pemn: [\d,]+ bytes, [\d.]+ bits per masked weight/);
  succeeded(packedStored);

  const [json, table, fromFile, fromRun, exported] = await Promise.all([
    pemn(dir, "inspect", "model.pemn", "--json"),
    pemn(dir, "inspect", "stored.pemn", "--layers", "--index-bits", "16"),
    // MNIST, the dataset the file records (without the record: Fashion-MNIST, absent here).
    pemn(dir, "eval", "model.pemn", "--data-dir", ".", "--batch-size", "50", "--json"),
    pemn(dir, "eval", "run", "--json"),
    pemn(dir, "export", "model.pemn", "--onnx", "model.onnx"),
  ]);
  const inspection = JSON.parse(succeeded(json));
  assert.equal(inspection.totalBytes, statSync(join(dir, "model.pemn")).size);
  assert.equal(inspection.valueMode, "seed");
  const weights = 784 * 24 + 24 * 10;
  const unique = Math.floor(784 * 24 * 0.01) + 1;
  assert.equal(inspection.maskedWeights, weights);
  assert.equal(inspection.uniqueValues, unique);
  assert.equal(
    inspection.compression.paper.withoutNorms.compressionRatio,
    1 - (32 * unique + weights) / (32 * weights),
  );
  assert.equal(inspection.pruned.indexBits, 8);
  const text = succeeded(table);
  assert.match(text, /values: +stored; the strategy's unique values 189, stored in the file 189/);
  assert.match(text, /hidden\.0\.linear +24x784/);
  assert.match(text, /hidden\.0\.norm\.runningVar +24 +fp16/);
  assert.match(text, /2 index entries of 16 bits per kept weight/);
  const fileResult = JSON.parse(succeeded(fromFile));
  const runResult = JSON.parse(succeeded(fromRun));
  assert.equal(fileResult.file, "model.pemn");
  for (const field of ["accuracy", "loss", "count"]) {
    assert.equal(fileResult[field], runResult[field], field);
  }
  assert.match(succeeded(exported), /^model\.onnx: [\d,]+ bytes; input "input"/);
  const session = await ort.InferenceSession.create(readFileSync(join(dir, "model.onnx")));
  const outputs = await session.run({
    input: new ort.Tensor("float32", new Float32Array(2 * 784), [2, 1, 28, 28]),
  });
  assert.deepEqual(outputs.logits?.dims, [2, 10]);
  await session.release();
});

test("bad input fails with a message naming the file, and writes nothing", async () => {
  const { dir } = work;
  writeFileSync(join(dir, "notes.txt"), "not a model");
  const failures = await Promise.all([
    pemn(dir, "inspect", "notes.txt"),
    pemn(dir, "export", "missing.pemn", "--onnx", "missing.onnx"),
    pemn(dir, "pack", "no-run", "-o", "no-run.pemn"),
    pemn(dir, "pack", "notes.txt", "-o", "notes.pemn"),
    pemn(dir, "eval", "notes.txt", "--dataset", "mnist", "--data-dir", "."),
    pemn(dir, "eval", "notes.txt", "--split", "validation"),
    pemn(dir, "pack", "run", "-o", "no-such-directory/model.pemn"),
  ]);
  const expected = [
    /^pemn: notes\.txt: bad-magic: not a \.pemn file/,
    /^pemn: missing\.pemn: no such file/,
    /^pemn: no-run: no such run directory or checkpoint file/,
    /^pemn: notes\.txt: a checkpoint needs its run's config\.json beside it/,
    /^pemn: notes\.txt: bad-magic/,
    /^pemn: notes\.txt: a \.pemn file does not record its run's validation split/,
    /^pemn: no-such-directory\/model\.pemn: cannot write it \(no such directory\)/,
  ];
  failures.forEach((outcome, index) => {
    assert.equal(outcome.status, 1, `failure ${index} exits with 1`);
    assert.match(outcome.stderr, expected[index] as RegExp);
  });
  for (const file of ["missing.onnx", "no-run.pemn", "notes.pemn"]) {
    assert.ok(!existsSync(join(dir, file)), `${file} not written`);
  }
});
