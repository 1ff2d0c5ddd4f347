import assert from "node:assert/strict";
import { test } from "node:test";
import { autocontrast, equalize, posterize, solarize } from "../../src/data/augment/tone.js";

test("posterize keeps the top bits", () => {
  const image = Uint8Array.from([255, 3, 130, 77]);
  posterize(image, 6);
  assert.deepEqual(Array.from(image), [252, 0, 128, 76]);
  posterize(image, 1);
  assert.deepEqual(Array.from(image), [128, 0, 128, 0]);
  const same = Uint8Array.from([1, 2, 255]);
  posterize(same, 8);
  assert.deepEqual(Array.from(same), [1, 2, 255]);
});

test("solarize inverts values at or above the threshold", () => {
  const image = Uint8Array.from([0, 127, 128, 200, 255]);
  solarize(image, 128);
  assert.deepEqual(Array.from(image), [0, 127, 127, 55, 0]);
  const top = Uint8Array.from([254, 255]);
  solarize(top, 255);
  assert.deepEqual(Array.from(top), [254, 0]);
  const fractional = Uint8Array.from([153, 154]);
  solarize(fractional, 153.5);
  assert.deepEqual(Array.from(fractional), [153, 101]);
});

test("autocontrast stretches each channel; a flat channel stays", () => {
  // Channel 0 spans 0..51: scale 5. Channel 1 is flat.
  const image = Uint8Array.from([0, 10, 51, 25, 90, 90, 90, 90]);
  autocontrast(image, { channels: 2, height: 2, width: 2 });
  assert.deepEqual(Array.from(image), [0, 50, 255, 125, 90, 90, 90, 90]);
  // Offset range: 100..151 -> (v - 100) * 5.
  const shifted = Uint8Array.from([100, 110, 151, 125]);
  autocontrast(shifted, { channels: 1, height: 1, width: 4 });
  assert.deepEqual(Array.from(shifted), [0, 50, 255, 125]);
});

test("equalize spreads the histogram as PIL does", () => {
  // 510 pixels, 170 each of 5, 6, 7: step = (510 - 170) // 255 = 1, lut = cumulative counts before.
  const image = new Uint8Array(510);
  image.fill(5, 0, 170);
  image.fill(6, 170, 340);
  image.fill(7, 340);
  equalize(image, { channels: 1, height: 17, width: 30 });
  assert.deepEqual([image[0], image[170], image[509]], [0, 170, 255]);
  assert.equal(new Set(image.subarray(0, 170)).size, 1);
  // Too few pixels for a step of 1: unchanged.
  const small = Uint8Array.from([0, 0, 100, 200]);
  equalize(small, { channels: 1, height: 2, width: 2 });
  assert.deepEqual(Array.from(small), [0, 0, 100, 200]);
});
