import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { BatchLoader } from "../../src/data/batch-loader.js";
import { BatchWorkerPool } from "../../src/data/batch-workers.js";
import { subsetDataset } from "../../src/data/dataset.js";
import {
  type Dataset,
  loadDataset,
  parseDatasetSource,
  prepareDataset,
} from "../../src/data/index.js";
import { runPemn } from "../helpers/run-pemn.js";
import { temporaryDirectory } from "./helpers.js";
import { type MadeImage, writeTree } from "./image-trees.js";

/*
 * An image folder of more classes than a byte can label: 300 class folders in train/ and in
 * val/, a PNG of 2x2 pixels in each, whose first pixel spells the class's number (red: low byte, green: high byte). The
 * names sort differently as text and as numbers ("c-10" before "c-2"), so each label is
 * checked against the sorted names, computed here.
 */
const CLASSES = 300;
const names = Array.from({ length: CLASSES }, (_, c) => `c-${c}`);
const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function classImage(c: number, i: number): MadeImage {
  const pixels = new Uint8Array(2 * 2 * 3).fill(i);
  pixels.set([c & 0xff, c >> 8]);
  return { height: 2, width: 2, channels: 3, pixels };
}

let work: ReturnType<typeof temporaryDirectory>;
let dir: string;
let cacheDir: string;
before(async () => {
  work = temporaryDirectory();
  dir = join(work.dir, "images");
  cacheDir = join(work.dir, "cache");
  const files: Record<string, MadeImage> = {};
  names.forEach((name, c) => {
    files[`train/${name}/0.png`] = classImage(c, 0);
    files[`val/${name}/1.png`] = classImage(c, 1);
  });
  await writeTree(dir, files);
});
after(() => work.remove());

const source = () => parseDatasetSource({ name: "folder", dir, size: 2 });

/** Each image's label as its pixels say: its class folder's place among the sorted names. */
function expectedLabels(dataset: Dataset): number[] {
  return Array.from({ length: dataset.count }, (_, n) => {
    // Channel-major 3x2x2: red of pixel 0 at 0, green of pixel 0 at 4.
    const image = dataset.images.subarray(n * 12, (n + 1) * 12);
    const c = (image[0] as number) + 256 * (image[4] as number);
    return sorted.indexOf(`c-${c}`);
  });
}

test("an image folder of 300 classes: every image labelled by its class folder, beyond 255", async () => {
  await prepareDataset(source(), { cacheDir });
  for (const split of ["train", "test"] as const) {
    const dataset = loadDataset(source(), split, { cacheDir });
    assert.equal(dataset.classes, CLASSES);
    assert.equal(dataset.count, CLASSES);
    assert.deepEqual(dataset.classNames, sorted);
    const expected = expectedLabels(dataset);
    assert.deepEqual([...dataset.labels], expected, split);
    assert.equal(Math.max(...dataset.labels), CLASSES - 1);

    // Batches (int64 labels for the loss), made here and in a worker thread, and a subset.
    const batches = (loader: BatchLoader) => [...loader.epoch()].flatMap((b) => [...b.labels]);
    const evaluate = () => new BatchLoader(dataset, { mode: "evaluate", batchSize: 64 });
    assert.deepEqual(batches(evaluate()).map(Number), expected);
    const pool = await BatchWorkerPool.start(dataset, { workers: 1, augmentation: [] });
    try {
      const stream = pool.stream(evaluate());
      const fromWorker: bigint[] = [];
      for (;;) {
        await stream.ready();
        const batch = stream.take();
        if (batch === null) break;
        fromWorker.push(...batch.labels);
      }
      assert.deepEqual(fromWorker.map(Number), expected, `${split}: from a worker`);
    } finally {
      await pool.close();
    }
    const subset = subsetDataset(dataset, [299, 0, 150]);
    assert.deepEqual(
      [...subset.labels],
      [299, 0, 150].map((i) => expected[i]),
    );
  }
});

test("pemn train on 300 class folders trains, packs and evaluates a 300-class model", async () => {
  const runDir = join(work.dir, "run");
  const env = { PEMN_DATA: cacheDir };
  const trained = await runPemnWith(
    env,
    ...["train", "--dataset", "folder", "--data-dir", dir, "--image-size", "2"],
    ...["--val-fraction", "0", "--epochs", "1"],
    ...["--model", "mlp", "--hidden", "8", "--batch-size", "64"],
    ...["--run-dir", runDir, "--progress", "none", "--json"],
  );
  assert.equal(trained.status, 0, trained.stderr);
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  assert.equal(summary.classes, CLASSES);
  assert.deepEqual(summary.class_names, sorted);
  // The packed file evaluates on the folder it records, as the run's checkpoint does.
  const model = join(work.dir, "model.pemn");
  assert.equal((await runPemn("pack", runDir, "-o", model)).status, 0);
  const fromFile = await runPemnWith(env, "eval", model, "--data-dir", dir, "--json");
  assert.equal(fromFile.status, 0, fromFile.stderr);
  const evaluated = JSON.parse(fromFile.stdout);
  assert.equal(evaluated.count, CLASSES);
  assert.equal(evaluated.accuracy, summary.test_accuracy);
});

test("a folder's classes are limited to what 16-bit labels hold, and the error says so", () => {
  const many = Array.from({ length: 65_537 }, (_, i) => `k${i}`);
  assert.throws(
    () => parseDatasetSource({ name: "folder", dir, classes: many }),
    /classes must name at most 65536 folders/,
  );
});

async function runPemnWith(env: Record<string, string>, ...args: string[]) {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await runPemn(...args);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
