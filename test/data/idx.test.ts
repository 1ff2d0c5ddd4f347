import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { DatasetError } from "../../src/data/dataset-error.js";
import { gunzipIfCompressed } from "../../src/data/gzip.js";
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

test("a gzip bomb is stopped at the size it declares, before inflating the rest", () => {
  const raw = idxBytes(LABELS, [3], [1, 2, 3]);
  const bomb = new Uint8Array(gzipSync(new Uint8Array(1 << 22))); // 4 MiB of zeros in ~4 KiB
  assert.throws(
    () => gunzipIfCompressed(bomb, "bomb.gz", 1 << 20),
    (e: unknown) =>
      e instanceof DatasetError &&
      /bomb\.gz: gzip data inflates past the 1048576 bytes a dataset file may hold/.test(e.message),
  );
  // A trailer that lies about the size: zlib stops one byte past what it declares.
  const lying = bomb.slice();
  new DataView(lying.buffer).setUint32(lying.length - 4, 1000, true);
  assert.throws(
    () => gunzipIfCompressed(lying, "lying.gz"),
    /lying\.gz: .*inflates past the 1000 bytes it declares/,
  );
  assert.deepEqual(gunzipIfCompressed(new Uint8Array(gzipSync(raw)), "ok.gz"), new Uint8Array(raw));
});
