import assert from "node:assert/strict";
import { test } from "node:test";
import {
  affineNearest,
  rotation,
  shearX,
  shearY,
  translation,
} from "../../src/data/augment/affine.js";
import { flipHorizontalInPlace, horizontalFlipStep } from "../../src/data/augment/flip.js";
import { cropPadded, randomCropStep } from "../../src/data/augment/random-crop.js";
import {
  drawSquareCropBox,
  randomResizedCropStep,
  resizeCropBilinear,
} from "../../src/data/augment/resized-crop.js";
import type { ImageShape } from "../../src/data/image-shape.js";
import { seededRandom } from "./helpers.js";

const shape = (channels: number, height: number, width: number): ImageShape => ({
  channels,
  height,
  width,
});

test("horizontal flip of a 1x2x3 image mirrors each row", () => {
  const image = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  flipHorizontalInPlace(image, shape(1, 2, 3));
  assert.deepEqual(Array.from(image), [3, 2, 1, 6, 5, 4]);
  const rgb = Uint8Array.from([1, 2, 10, 20, 100, 200]);
  flipHorizontalInPlace(rgb, shape(3, 1, 2));
  assert.deepEqual(Array.from(rgb), [2, 1, 20, 10, 200, 100]);
});

test("flip step: p = 1 always, p = 0 never, p = 0.5 about half the time", () => {
  const s = shape(1, 1, 2);
  const scratch = new Uint8Array(2);
  const random = seededRandom(4);
  const always = horizontalFlipStep(1, s).apply(Uint8Array.from([1, 2]), scratch, random);
  assert.deepEqual(Array.from(always), [2, 1]);
  const never = horizontalFlipStep(0, s).apply(Uint8Array.from([1, 2]), scratch, random);
  assert.deepEqual(Array.from(never), [1, 2]);
  const half = horizontalFlipStep(0.5, s);
  let flipped = 0;
  for (let i = 0; i < 1000; i++)
    flipped += half.apply(Uint8Array.from([1, 2]), scratch, random)[0] === 2 ? 1 : 0;
  assert.ok(flipped > 430 && flipped < 570, `flipped ${flipped} of 1000`);
});

test("crop with padding shifts content and brings in the fill", () => {
  const image = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const out = new Uint8Array(9);
  cropPadded(image, out, shape(1, 3, 3), 1, 0, 0, 0);
  assert.deepEqual(Array.from(out), [0, 0, 0, 0, 1, 2, 0, 4, 5]);
  cropPadded(image, out, shape(1, 3, 3), 1, 2, 1, 0);
  assert.deepEqual(Array.from(out), [4, 5, 6, 7, 8, 9, 0, 0, 0]);
  cropPadded(image, out, shape(1, 3, 3), 1, 1, 1, 0);
  assert.deepEqual(Array.from(out), Array.from(image));
  cropPadded(image, out, shape(1, 3, 3), 2, 4, 0, 7);
  assert.deepEqual(Array.from(out), [7, 7, 7, 7, 7, 7, 7, 7, 7]);
});

test("random crop offsets stay within the padding and cover all of it", () => {
  const step = randomCropStep(2, 0, shape(1, 5, 5));
  const seen = new Set<string>();
  const random = seededRandom(8);
  const image = new Uint8Array(25);
  image[12] = 255; // centre pixel: where it lands tells the offset
  for (let i = 0; i < 400; i++) {
    const out = step.apply(image.slice(), new Uint8Array(25), random);
    const at = out.indexOf(255);
    assert.ok(at >= 0, "a padding of 2 never pushes the centre of a 5x5 image out");
    seen.add(`${Math.floor(at / 5)},${at % 5}`);
  }
  assert.equal(seen.size, 25);
});

test("bilinear resize of a known gradient", () => {
  // Row [0, 100] stretched to 4 pixels: half-pixel centres at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  const row = Uint8Array.from([0, 100, 200, 255]);
  const out = new Uint8Array(4);
  resizeCropBilinear(row, out, shape(1, 1, 4), { top: 0, left: 0, height: 1, width: 2 });
  assert.deepEqual(Array.from(out), [0, 25, 75, 100]);
  // A 2x2 window of the plane v = 10x + 50y stretched to 4x4, as PIL does it: rows first, rounded
  // (60 70 -> 60 63 68 70; 110 120 -> 110 113 118 120), then columns with weights 1/4, 3/4.
  const plane = Uint8Array.from({ length: 16 }, (_, i) => 10 * (i % 4) + 50 * Math.floor(i / 4));
  const big = new Uint8Array(16);
  resizeCropBilinear(plane, big, shape(1, 4, 4), { top: 1, left: 1, height: 2, width: 2 });
  assert.deepEqual(
    Array.from(big),
    [60, 63, 68, 70, 73, 76, 81, 83, 98, 101, 106, 108, 110, 113, 118, 120],
  );
  // The full image as the box is the identity.
  resizeCropBilinear(plane, big, shape(1, 4, 4), { top: 0, left: 0, height: 4, width: 4 });
  assert.deepEqual(Array.from(big), Array.from(plane));
});

test("random-resized-crop boxes are squares of the asked area inside the image", () => {
  const random = seededRandom(11);
  const s = shape(3, 32, 32);
  for (let i = 0; i < 500; i++) {
    const box = drawSquareCropBox(random, s, [0.25, 0.5]);
    assert.equal(box.height, box.width);
    assert.ok(box.height >= 16 && box.height <= Math.round(Math.sqrt(512)), `side ${box.height}`);
    assert.ok(
      box.top >= 0 && box.top + box.height <= 32 && box.left >= 0 && box.left + box.width <= 32,
    );
  }
  assert.deepEqual(drawSquareCropBox(random, s, [1, 1]), {
    top: 0,
    left: 0,
    height: 32,
    width: 32,
  });
  // A wide image: no square of the full area fits, so 10 tries fail and the central square is used.
  assert.deepEqual(drawSquareCropBox(random, shape(1, 2, 8), [1, 1]), {
    top: 0,
    left: 3,
    height: 2,
    width: 2,
  });
});

test("random-resized-crop step is deterministic for a seed", () => {
  const step = randomResizedCropStep([0.3, 1], shape(3, 8, 8));
  const image = Uint8Array.from({ length: 192 }, (_, i) => (i * 37) % 256);
  const run = (seed: number) =>
    Array.from(step.apply(image.slice(), new Uint8Array(192), seededRandom(seed)));
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test("affine: translation, quarter-turn rotation and shears with nearest sampling", () => {
  const image = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const s = shape(1, 2, 3);
  const out = new Uint8Array(6);
  affineNearest(image, out, s, translation(1, 0), 0);
  assert.deepEqual(Array.from(out), [0, 1, 2, 0, 4, 5]);
  affineNearest(image, out, s, translation(0, -1), 9);
  assert.deepEqual(Array.from(out), [4, 5, 6, 9, 9, 9]);
  // Row y samples x + 1 * (y + 0.5) at pixel centres: row 0 moves left by 1, row 1 by 2.
  affineNearest(image, out, s, shearX(1), 0);
  assert.deepEqual(Array.from(out), [2, 3, 0, 6, 0, 0]);
  const square = Uint8Array.from([1, 2, 3, 4]);
  const turned = new Uint8Array(4);
  affineNearest(square, turned, shape(1, 2, 2), rotation(90, shape(1, 2, 2)), 0);
  assert.deepEqual(Array.from(turned), [2, 4, 1, 3]);
  affineNearest(square, turned, shape(1, 2, 2), rotation(-90, shape(1, 2, 2)), 0);
  assert.deepEqual(Array.from(turned), [3, 1, 4, 2]);
  affineNearest(square, turned, shape(1, 2, 2), rotation(0, shape(1, 2, 2)), 0);
  assert.deepEqual(Array.from(turned), [1, 2, 3, 4]);
  // Column x samples y + 1 * (x + 0.5): column 0 moves up by 1.
  const column = Uint8Array.from([1, 2, 3, 4]);
  affineNearest(column, turned, shape(1, 2, 2), shearY(1), 0);
  assert.deepEqual(Array.from(turned), [3, 0, 0, 0]);
});
