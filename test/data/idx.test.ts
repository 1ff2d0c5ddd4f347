import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { parseIdxImages, parseIdxLabels } from "../../src/data/idx.js";
import { assertDatasetError, idxBytes } from "./helpers.js";

const IMAGES = 0x803;
const LABELS = 0x801;

test("parses idx3 images with big-endian dimensions", () => {
  const pixels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const images = parseIdxImages(idxBytes(IMAGES, [2, 2, 3], pixels), "imgs");
  assert.equal(images.count, 2);
  assert.equal(images.height, 2);
  assert.equal(images.width, 3);
  assert.deepEqual(Array.from(images.pixels), pixels);
  assert.equal(images.pixels.constructor, Uint8Array);
});

test("parses idx1 labels, gzip-compressed or not", () => {
  const raw = idxBytes(LABELS, [4], [3, 1, 4, 1]);
  assert.deepEqual(Array.from(parseIdxLabels(raw, "labels")), [3, 1, 4, 1]);
  assert.deepEqual(Array.from(parseIdxLabels(gzipSync(raw), "labels.gz")), [3, 1, 4, 1]);
});

test("a label file is not an image file: bad magic names the file and both magics", () => {
  assertDatasetError(
    () => parseIdxImages(idxBytes(LABELS, [4], [0, 0, 0, 0]), "/x/train-images.gz"),
    "bad-magic",
    /^\/x\/train-images\.gz: bad magic number 0x00000801, expected 0x00000803/,
  );
});

test("too few pixels for the announced dimensions is truncated", () => {
  assertDatasetError(
    () => parseIdxImages(idxBytes(IMAGES, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7]), "imgs"),
    "truncated",
    /^imgs: truncated: header announces 2 x 2 x 2 = 8 bytes of images, file holds 7/,
  );
});

test("a header cut short is truncated", () => {
  assertDatasetError(
    () => parseIdxImages(idxBytes(IMAGES, [2], []), "imgs"),
    "truncated",
    /imgs: only 8 bytes, the IDX images header needs 16/,
  );
  assertDatasetError(
    () => parseIdxLabels(new Uint8Array([0, 0]), "lbl"),
    "truncated",
    /^lbl: only 2 bytes/,
  );
});

test("bytes after the announced data are a size mismatch", () => {
  assertDatasetError(
    () => parseIdxLabels(idxBytes(LABELS, [2], [1, 2, 3]), "lbl"),
    "size-mismatch",
    /^lbl: 1 unexpected bytes after the 2 labels/,
  );
});

test("corrupt gzip data is reported as such", () => {
  const compressed = gzipSync(idxBytes(LABELS, [3], [1, 2, 3]));
  assertDatasetError(
    () => parseIdxLabels(compressed.subarray(0, compressed.length - 6), "cut.gz"),
    "bad-gzip",
    /^cut\.gz: corrupt gzip data/,
  );
});
