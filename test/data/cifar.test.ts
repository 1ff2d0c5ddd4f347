import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseCifarRecords } from "../../src/data/cifar.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { assertDatasetError, cifarBytes, temporaryDirectory } from "./helpers.js";

const temp = temporaryDirectory();
after(temp.remove);

/** Writes the given files (name -> records' label bytes) into a new folder of the temp dir. */
function cifarDir(name: string, files: Record<string, number[][]>): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir);
  for (const [file, records] of Object.entries(files)) {
    writeFileSync(join(dir, file), cifarBytes(records));
  }
  return dir;
}

/** Label of each record per file (without .bin). */
const cifar10Records = {
  data_batch_1: [[1], [2]],
  data_batch_2: [[3]],
  data_batch_3: [[4], [5]],
  data_batch_4: [[6]],
  data_batch_5: [[7], [9]],
  test_batch: [[0], [8], [9]],
};

/** File name -> records, with some files replaced or (undefined) left out. */
function cifar10Files(overrides: Record<string, number[][] | undefined> = {}) {
  const files: Record<string, number[][]> = {};
  for (const [name, records] of Object.entries({ ...cifar10Records, ...overrides })) {
    if (records !== undefined) files[`${name}.bin`] = records;
  }
  return files;
}

test("CIFAR-10 train joins data_batch_1..5 in order; records keep their R, G, B planes", () => {
  const dir = cifarDir("c10", cifar10Files());
  const train = loadDataset({ name: "cifar10", dir }, "train");
  assert.equal(train.count, 8);
  assert.deepEqual([train.channels, train.height, train.width, train.classes], [3, 32, 32, 10]);
  assert.deepEqual(Array.from(train.labels), [1, 2, 3, 4, 5, 6, 7, 9]);
  // data_batch_2's only record was written as record 0: planes 0, 1, 2.
  const third = 2 * 3072;
  assert.deepEqual(
    [train.images[third], train.images[third + 1024], train.images[third + 2048 + 1023]],
    [0, 1, 2],
  );
  // data_batch_1's second record: planes 10, 11, 12.
  assert.deepEqual([train.images[3072], train.images[3072 + 1024]], [10, 11]);
  const testSet = loadDataset({ name: "cifar10", dir }, "test");
  assert.deepEqual(Array.from(testSet.labels), [0, 8, 9]);
  assert.equal(testSet.images.length, 3 * 3072);
});

test("CIFAR-100 uses fine labels by default and coarse labels on request", () => {
  const dir = cifarDir("c100", {
    "train.bin": [
      [3, 99],
      [19, 0],
    ],
    "test.bin": [[0, 42]],
  });
  const fine = loadDataset({ name: "cifar100", dir, labels: "fine" }, "train");
  assert.deepEqual(Array.from(fine.labels), [99, 0]);
  assert.equal(fine.classes, 100);
  assert.equal(fine.images[3072 + 1024], 11);
  const coarse = loadDataset({ name: "cifar100", dir, labels: "coarse" }, "train");
  assert.deepEqual(Array.from(coarse.labels), [3, 19]);
  assert.equal(coarse.classes, 20);
  assert.deepEqual(
    Array.from(loadDataset({ name: "cifar100", dir, labels: "fine" }, "test").labels),
    [42],
  );
});

test("a missing batch file is named", () => {
  const dir = cifarDir("c10-missing", cifar10Files({ data_batch_3: undefined }));
  assertDatasetError(
    () => loadDataset({ name: "cifar10", dir }, "train"),
    "missing-file",
    /data_batch_3\.bin: file not found$/,
  );
  rmSync(join(dir, "test_batch.bin"));
  assertDatasetError(
    () => loadDataset({ name: "cifar10", dir }, "test"),
    "missing-file",
    /test_batch\.bin: file not found$/,
  );
});

test("a file that is not whole records is truncated, naming the file and record size", () => {
  const dir = cifarDir("c10-cut", cifar10Files());
  writeFileSync(join(dir, "data_batch_4.bin"), cifarBytes([[1], [2]]).subarray(0, 3073 + 100));
  assertDatasetError(
    () => loadDataset({ name: "cifar10", dir }, "train"),
    "truncated",
    /data_batch_4\.bin: size 3173 is not a multiple of the 3073-byte cifar10 record \(last record has 100 bytes\)/,
  );
  assertDatasetError(
    () => parseCifarRecords(new Uint8Array(0), "empty.bin", { kind: "cifar10" }),
    "truncated",
    /^empty\.bin: file is empty$/,
  );
  // A CIFAR-10 file read as CIFAR-100 has the wrong record size.
  assertDatasetError(
    () =>
      parseCifarRecords(cifarBytes([[1], [2]]), "c10.bin", { kind: "cifar100", labels: "fine" }),
    "truncated",
    /3074-byte cifar100 record/,
  );
});

test("labels out of range are reported with file and record", () => {
  assertDatasetError(
    () => parseCifarRecords(cifarBytes([[1], [10]]), "b.bin", { kind: "cifar10" }),
    "label-out-of-range",
    /^b\.bin: record 1 has label 10, outside \[0, 10\)$/,
  );
  assertDatasetError(
    () => parseCifarRecords(cifarBytes([[0, 100]]), "t.bin", { kind: "cifar100", labels: "fine" }),
    "label-out-of-range",
    /^t\.bin: record 0 has fine label 100, outside \[0, 100\)$/,
  );
  // The unused coarse label is checked too: a bad byte means a corrupt file.
  assertDatasetError(
    () => parseCifarRecords(cifarBytes([[20, 5]]), "t.bin", { kind: "cifar100", labels: "fine" }),
    "label-out-of-range",
    /record 0 has coarse label 20, outside \[0, 20\)/,
  );
});
