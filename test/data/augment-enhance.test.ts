import assert from "node:assert/strict";
import { test } from "node:test";
import {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustSharpness,
  luma,
} from "../../src/data/augment/enhance.js";

test("brightness scales towards black, clipped and truncated", () => {
  const image = Uint8Array.from([100, 200, 0, 10, 101]);
  adjustBrightness(image, 1.5);
  assert.deepEqual(Array.from(image), [150, 255, 0, 15, 151]);
  const darker = Uint8Array.from([101, 3]);
  adjustBrightness(darker, 0.5);
  assert.deepEqual(Array.from(darker), [50, 1]);
});

test("factor 1 is the identity for every adjustment", () => {
  const original = Uint8Array.from({ length: 27 }, (_, i) => (i * 53) % 256);
  const shape = { channels: 3, height: 3, width: 3 };
  const image = original.slice();
  adjustBrightness(image, 1);
  adjustContrast(image, shape, 1);
  adjustSaturation(image, shape, 1);
  adjustSharpness(image, new Uint8Array(27), shape, 1);
  assert.deepEqual(Array.from(image), Array.from(original));
});

test("contrast blends with the rounded mean grey level", () => {
  const shape = { channels: 1, height: 2, width: 2 };
  const image = Uint8Array.from([0, 100, 200, 100]);
  adjustContrast(image, shape, 2);
  assert.deepEqual(Array.from(image), [0, 100, 255, 100]);
  const flat = Uint8Array.from([0, 100, 200, 101]);
  adjustContrast(flat, shape, 0); // mean 100.25 -> 100
  assert.deepEqual(Array.from(flat), [100, 100, 100, 100]);
});

test("saturation uses PIL's fixed-point luma; no-op on one channel", () => {
  // 0.299 * 200 + 0.587 * 100 = 118.5 in exact decimals, but PIL's 16-bit weights give 118.
  assert.equal(luma(200, 100, 0), 118);
  assert.equal(luma(255, 255, 255), 255);
  const rgb = Uint8Array.from([200, 100, 0]);
  adjustSaturation(rgb, { channels: 3, height: 1, width: 1 }, 0);
  assert.deepEqual(Array.from(rgb), [118, 118, 118]);
  const vivid = Uint8Array.from([200, 100, 0]);
  adjustSaturation(vivid, { channels: 3, height: 1, width: 1 }, 2);
  assert.deepEqual(Array.from(vivid), [255, 82, 0]);
  const grey = Uint8Array.from([10, 200]);
  adjustSaturation(grey, { channels: 1, height: 1, width: 2 }, 0);
  assert.deepEqual(Array.from(grey), [10, 200]);
});

test("sharpness blends with PIL's SMOOTH filter; borders stay", () => {
  const shape = { channels: 1, height: 3, width: 3 };
  const spike = () => Uint8Array.from([0, 0, 0, 0, 130, 0, 0, 0, 0]);
  const smoothed = spike();
  adjustSharpness(smoothed, new Uint8Array(9), shape, 0);
  assert.deepEqual(Array.from(smoothed), [0, 0, 0, 0, 50, 0, 0, 0, 0]); // 5 * 130 / 13
  const sharpened = spike();
  adjustSharpness(sharpened, new Uint8Array(9), shape, 2);
  assert.deepEqual(Array.from(sharpened), [0, 0, 0, 0, 210, 0, 0, 0, 0]); // 50 + 2 * 80
});
