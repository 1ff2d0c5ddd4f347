import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/parse-config.js";
import type { Dataset } from "../../src/data/dataset.js";
import { parseValidationSplit, splitValidation } from "../../src/data/validation-split.js";
import { seededRandom, tinyDataset } from "./helpers.js";

/** First pixel of every image: tinyDataset stores the original index there. */
function ids(dataset: Dataset): number[] {
  return Array.from({ length: dataset.count }, (_, i) => dataset.images[i * 2] as number);
}

function counts(dataset: Dataset): number[] {
  const result = new Array<number>(dataset.classes).fill(0);
  for (const label of dataset.labels) result[label] = (result[label] as number) + 1;
  return result;
}

const labels = Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : i < 80 ? 1 : 2));

test("a fraction is held out; the parts are disjoint, complete, ordered and keep labels", () => {
  const dataset = tinyDataset(labels);
  const { train, validation } = splitValidation(
    dataset,
    parseValidationSplit({ size: { fraction: 0.1 } }),
    seededRandom(5),
  );
  assert.equal(validation.count, 10);
  assert.equal(train.count, 90);
  const all = [...ids(train), ...ids(validation)].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(
    ids(validation),
    [...ids(validation)].sort((a, b) => a - b),
  );
  for (const part of [train, validation]) {
    ids(part).forEach((id, i) => {
      assert.equal(part.labels[i], labels[id]);
    });
  }
});

test("the same seed gives the same split, another seed another", () => {
  const dataset = tinyDataset(labels);
  const split = parseValidationSplit({ size: { count: 20 } });
  const first = ids(splitValidation(dataset, split, seededRandom(9)).validation);
  assert.deepEqual(ids(splitValidation(dataset, split, seededRandom(9)).validation), first);
  assert.notDeepEqual(ids(splitValidation(dataset, split, seededRandom(10)).validation), first);
});

test("stratified splits keep class shares exactly", () => {
  const dataset = tinyDataset(labels);
  const split = parseValidationSplit({ size: { count: 10 }, stratified: true });
  assert.deepEqual(counts(splitValidation(dataset, split, seededRandom(1)).validation), [5, 3, 2]);
  // Equal remainders go to the lower class: 4 of 3 + 3 + 3 -> 2, 1, 1.
  const even = tinyDataset([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  const split4 = parseValidationSplit({ size: { count: 4 }, stratified: true });
  const { train, validation } = splitValidation(even, split4, seededRandom(2));
  assert.deepEqual(counts(validation), [2, 1, 1]);
  assert.deepEqual(counts(train), [1, 2, 2]);
});

test("sizes that leave a side empty, and malformed specs, are rejected", () => {
  const dataset = tinyDataset(labels);
  assert.throws(
    () =>
      splitValidation(
        dataset,
        parseValidationSplit({ size: { fraction: 0.001 } }),
        seededRandom(1),
      ),
    (error: unknown) => error instanceof ConfigError && /0 of 100 images/.test(error.message),
  );
  assert.throws(
    () => splitValidation(dataset, parseValidationSplit({ size: { count: 100 } }), seededRandom(1)),
    /100 of 100/,
  );
  assert.throws(
    () => parseValidationSplit({ size: { fraction: 1.5 } }),
    /fraction must be below 1/,
  );
  assert.throws(
    () => parseValidationSplit({ size: { count: 2.5 } }),
    /size must be \{ fraction: number in \[0, 1\) \} or \{ count: non-negative integer \}\n {2}→ at size/,
  );
  assert.throws(() => parseValidationSplit({ size: { count: 5 }, stratify: true }), /stratify/);
});

test("a size of exactly 0 is no validation split: every image trains, in order", () => {
  const dataset = tinyDataset(labels);
  for (const size of [{ fraction: 0 }, { count: 0 }]) {
    for (const stratified of [false, true]) {
      const { train, validation } = splitValidation(
        dataset,
        parseValidationSplit({ size, stratified }),
        seededRandom(3),
      );
      assert.equal(validation.count, 0);
      assert.deepEqual(
        ids(train),
        Array.from({ length: 100 }, (_, i) => i),
      );
    }
  }
  assert.throws(() => parseValidationSplit({ size: { count: -1 } }), /count must be at least 0/);
  assert.throws(
    () => parseValidationSplit({ size: { fraction: -0.1 } }),
    /fraction must be at least 0/,
  );
});
