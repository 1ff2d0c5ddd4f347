import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { ConfigError } from "../../src/config/parse-config.js";
import type { Labels } from "../../src/data/dataset.js";
import { FASHION_MNIST_DEFAULT_DIR, parseDatasetSource } from "../../src/data/dataset-source.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { assertDatasetError, idxBytes, temporaryDirectory } from "./helpers.js";

const temp = temporaryDirectory();
after(temp.remove);

interface IdxSplitFiles {
  images: Uint8Array;
  labels: Uint8Array;
}

/** Two 2x3 images labelled 7 and 2. */
function goodSplit(): IdxSplitFiles {
  return {
    images: idxBytes(0x803, [2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]),
    labels: idxBytes(0x801, [2], [7, 2]),
  };
}

function mnistDir(name: string, train: IdxSplitFiles, compress = true): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir);
  const write = (file: string, bytes: Uint8Array) =>
    compress
      ? writeFileSync(join(dir, `${file}.gz`), gzipSync(bytes))
      : writeFileSync(join(dir, file), bytes);
  write("train-images-idx3-ubyte", train.images);
  write("train-labels-idx1-ubyte", train.labels);
  write("t10k-images-idx3-ubyte", idxBytes(0x803, [1, 2, 3], [9, 9, 9, 9, 9, 9]));
  write("t10k-labels-idx1-ubyte", idxBytes(0x801, [1], [5]));
  return dir;
}

test("MNIST from a user directory, gzip-compressed", () => {
  const dir = mnistDir("mnist-gz", goodSplit());
  const train = loadDataset(parseDatasetSource({ name: "mnist", dir }), "train");
  assert.equal(train.name, "mnist");
  assert.deepEqual(
    [train.count, train.channels, train.height, train.width, train.classes],
    [2, 1, 2, 3, 10],
  );
  assert.deepEqual(Array.from(train.labels), [7, 2]);
  assert.deepEqual(Array.from(train.images.subarray(6)), [10, 11, 12, 13, 14, 15]);
  const testSet = loadDataset({ name: "mnist", dir }, "test");
  assert.deepEqual(Array.from(testSet.labels), [5]);
});

test("uncompressed IDX files with the same names load too", () => {
  const dir = mnistDir("mnist-raw", goodSplit(), false);
  assert.deepEqual(Array.from(loadDataset({ name: "fashion-mnist", dir }, "train").labels), [7, 2]);
});

test("missing files name the path looked for", () => {
  assertDatasetError(
    () => loadDataset({ name: "mnist", dir: join(temp.dir, "nowhere") }, "train"),
    "missing-file",
    /nowhere\/train-images-idx3-ubyte\.gz: file not found \(nor .*nowhere\/train-images-idx3-ubyte\)$/,
  );
});

test("label count different from image count names both files", () => {
  const dir = mnistDir("mnist-count", { ...goodSplit(), labels: idxBytes(0x801, [3], [1, 2, 3]) });
  assertDatasetError(
    () => loadDataset({ name: "mnist", dir }, "train"),
    "count-mismatch",
    /train-labels-idx1-ubyte\.gz: holds 3 labels but .*train-images-idx3-ubyte\.gz holds 2 images$/,
  );
});

test("a label outside 0..9 is reported with its index", () => {
  const dir = mnistDir("mnist-range", { ...goodSplit(), labels: idxBytes(0x801, [2], [3, 10]) });
  assertDatasetError(
    () => loadDataset({ name: "mnist", dir }, "train"),
    "label-out-of-range",
    /train-labels-idx1-ubyte\.gz: label 1 is 10, outside \[0, 10\)$/,
  );
});

test("swapped image and label files fail on the magic number", () => {
  const good = goodSplit();
  const dir = mnistDir("mnist-swapped", { images: good.labels, labels: good.images });
  assertDatasetError(
    () => loadDataset({ name: "mnist", dir }, "train"),
    "bad-magic",
    /train-images-idx3-ubyte\.gz: bad magic number 0x00000801/,
  );
});

test("dataset sources: defaults and messages that name the field", () => {
  assert.deepEqual(parseDatasetSource({ name: "fashion-mnist" }), {
    name: "fashion-mnist",
    dir: FASHION_MNIST_DEFAULT_DIR,
  });
  assert.deepEqual(parseDatasetSource({ name: "cifar100", dir: "/d" }), {
    name: "cifar100",
    dir: "/d",
    labels: "fine",
  });
  assert.throws(
    () => parseDatasetSource({ name: "mnist" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /dir: the directory holding the MNIST files is required/);
      assert.match(error.message, /at dir/);
      return true;
    },
  );
  assert.throws(() => parseDatasetSource({ name: "imagenet", dir: "/d" }), /at name/);
  assert.throws(
    () => parseDatasetSource({ name: "cifar100", dir: "/d", labels: "medium" }),
    /at labels/,
  );
});

test("a source without a name is the default dataset's; an unknown name lists the known ones", () => {
  assert.deepEqual(parseDatasetSource({ dir: "/d" }), { name: "fashion-mnist", dir: "/d" });
  assert.throws(
    () => parseDatasetSource({ name: "imagenet", dir: "/d" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /name must be one of "fashion-mnist", "mnist", "cifar10", "cifar100", "tiny-imagenet", "folder", not "imagenet"/,
      );
      assert.doesNotMatch(error.message, /discriminator/i);
      return true;
    },
  );
  assert.deepEqual(parseDatasetSource({ name: "folder", dir: "/d" }), {
    name: "folder",
    dir: "/d",
    size: 32,
    color: "rgb",
    testFraction: 0.2,
    splitSeed: 0,
  });
  assert.throws(
    () => parseDatasetSource({ name: "folder", dir: "/d", classes: ["a", "a"] }),
    /classes must not repeat a folder/,
  );
  assert.throws(
    () => parseDatasetSource({ name: "folder", dir: "/d", classes: ["a", "../b"] }),
    /a class must be one folder name/,
  );
  assert.throws(() => parseDatasetSource({ name: "folder", dir: "/d", size: 0 }), /at size/);
});

const fashionPresent = existsSync(join(FASHION_MNIST_DEFAULT_DIR, "train-images-idx3-ubyte.gz"));

test("real Fashion-MNIST from Debian's dataset-fashion-mnist package", {
  skip: fashionPresent
    ? false
    : `${FASHION_MNIST_DEFAULT_DIR} absent: apt-get install dataset-fashion-mnist to run this test`,
}, () => {
  const source = parseDatasetSource({ name: "fashion-mnist" });
  const train = loadDataset(source, "train");
  const testSet = loadDataset(source, "test");
  assert.deepEqual([train.count, train.height, train.width, train.classes], [60000, 28, 28, 10]);
  assert.equal(testSet.count, 10000);
  assert.equal(train.images.length, 60000 * 28 * 28);
  // Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
  const perClass = (labels: Labels) => {
    const counts = new Array<number>(10).fill(0);
    for (const label of labels) counts[label] = (counts[label] as number) + 1;
    return counts;
  };
  assert.deepEqual(perClass(train.labels), new Array(10).fill(6000));
  assert.deepEqual(perClass(testSet.labels), new Array(10).fill(1000));
  // The mean pixel is the published normalisation mean 0.2860 (x 255).
  let sum = 0;
  for (const value of train.images) sum += value;
  assert.ok(Math.abs(sum / train.images.length / 255 - 0.286) < 5e-4);
});
