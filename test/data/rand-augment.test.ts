import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyRandAugmentOp,
  RAND_AUGMENT_OPS,
  type RandAugmentOp,
  randAugmentStep,
  randAugmentStrength,
} from "../../src/data/augment/rand-augment.js";
import type { ImageShape } from "../../src/data/image-shape.js";
import type { RandomSource } from "../../src/data/random-source.js";
import { seededRandom } from "./helpers.js";

const cifar: ImageShape = { channels: 3, height: 32, width: 32 };

test("torchvision's strength tables at magnitude 12 of 31 bins", () => {
  const at = (op: RandAugmentOp, magnitude = 12, bins = 31) =>
    randAugmentStrength(op, magnitude, bins, cifar);
  assert.ok(Math.abs(at("shearX") - 0.12) < 1e-12);
  assert.ok(Math.abs(at("translateX") - (150 / 331) * 32 * 0.4) < 1e-12); // 5.80 -> 5 pixels
  assert.equal(at("rotate"), 12);
  assert.ok(Math.abs(at("brightness") - 0.36) < 1e-12);
  assert.equal(at("posterize"), 6); // 8 - round(12 / 7.5)
  assert.equal(at("solarize"), 153); // 255 - 8.5 * 12
  assert.deepEqual(
    [at("posterize", 0), at("solarize", 0), at("posterize", 30), at("solarize", 30)],
    [8, 255, 4, 0],
  );
  // On a 0..10 scale (11 bins) magnitude 5 is the middle of every range.
  assert.equal(at("rotate", 5, 11), 15);
  assert.equal(at("identity"), 0);
});

test("translate truncates to whole pixels; ops report which buffer holds the result", () => {
  const row: ImageShape = { channels: 1, height: 1, width: 8 };
  const image = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const scratch = new Uint8Array(8);
  const moved = applyRandAugmentOp("translateX", -5.8, image, scratch, row, 0);
  assert.equal(moved, scratch);
  assert.deepEqual(Array.from(moved), [6, 7, 8, 0, 0, 0, 0, 0]);
  const same = applyRandAugmentOp("identity", 0, image, scratch, row, 0);
  assert.equal(same, image);
  const posterized = applyRandAugmentOp("posterize", 6, image.slice(), scratch, row, 0);
  assert.deepEqual(Array.from(posterized), [0, 0, 0, 4, 4, 4, 4, 8]);
});

/** Counts the draws a step makes, to check the op index and sign come from the source. */
function counting(random: RandomSource): { random: RandomSource; draws: () => number } {
  let draws = 0;
  return {
    random: {
      nextFloat: () => {
        draws++;
        return random.nextFloat();
      },
      nextUint32: () => {
        draws++;
        return random.nextUint32();
      },
    },
    draws: () => draws,
  };
}

test("RandAugment is deterministic for a seed and changes with it", () => {
  const step = randAugmentStep({ numOps: 2, magnitude: 12, magnitudeBins: 31, fill: 0 }, cifar);
  const image = Uint8Array.from({ length: 3072 }, (_, i) => (i * 131) % 256);
  const run = (seed: number) =>
    Array.from(step.apply(image.slice(), new Uint8Array(3072), seededRandom(seed)));
  assert.deepEqual(run(7), run(7));
  const outputs = new Set([1, 2, 3, 4, 5, 6].map((seed) => run(seed).join(",")));
  assert.ok(outputs.size >= 4, `only ${outputs.size} distinct results from 6 seeds`);
});

test("zero ops is the identity and draws nothing", () => {
  const step = randAugmentStep({ numOps: 0, magnitude: 30, magnitudeBins: 31, fill: 0 }, cifar);
  const image = Uint8Array.from({ length: 3072 }, (_, i) => i % 256);
  const { random, draws } = counting(seededRandom(1));
  assert.deepEqual(
    Array.from(step.apply(image.slice(), new Uint8Array(3072), random)),
    Array.from(image),
  );
  assert.equal(draws(), 0);
});

/** Plays back fixed uint32 values (op index, then sign bit for signed ops). */
function scripted(values: number[]): RandomSource {
  let next = 0;
  const nextUint32 = () => values[next++] ?? assert.fail("script exhausted");
  return { nextUint32, nextFloat: () => nextUint32() / 2 ** 32 };
}

test("the drawn index picks the op from torchvision's list, a drawn bit flips its sign", () => {
  const row: ImageShape = { channels: 1, height: 1, width: 8 };
  const step = randAugmentStep({ numOps: 1, magnitude: 12, magnitudeBins: 31, fill: 0 }, row);
  const image = () => Uint8Array.from([200, 100, 3, 4, 5, 6, 7, 8]);
  // Index 11 is solarize (unsigned): threshold 153.
  const solarized = step.apply(image(), new Uint8Array(8), scripted([11]));
  assert.deepEqual(Array.from(solarized), [55, 100, 3, 4, 5, 6, 7, 8]);
  // Index 3 is translateX: 150/331 * 8 * 0.4 = 1.45 -> 1 pixel; sign bit 1 -> to the left.
  const left = step.apply(image(), new Uint8Array(8), scripted([3, 1]));
  assert.deepEqual(Array.from(left), [100, 3, 4, 5, 6, 7, 8, 0]);
  const right = step.apply(image(), new Uint8Array(8), scripted([3, 0]));
  assert.deepEqual(Array.from(right), [0, 200, 100, 3, 4, 5, 6, 7]);
  // Two geometric ops ping-pong between the image and the scratch buffer.
  const twice = randAugmentStep({ numOps: 2, magnitude: 12, magnitudeBins: 31, fill: 9 }, row);
  const moved = twice.apply(image(), new Uint8Array(8), scripted([3, 0, 3, 0]));
  assert.deepEqual(Array.from(moved), [9, 9, 200, 100, 3, 4, 5, 6]);
});

test("every op keeps pixels in range and leaves the magnitude-0 ones as they were", () => {
  const shape: ImageShape = { channels: 3, height: 6, width: 6 };
  const image = Uint8Array.from({ length: 108 }, (_, i) => (i * 97) % 256);
  for (const op of RAND_AUGMENT_OPS) {
    const strength = randAugmentStrength(op, 0, 31, shape);
    const out = applyRandAugmentOp(op, strength, image.slice(), new Uint8Array(108), shape, 0);
    assert.equal(out.length, 108);
    if (op !== "autocontrast" && op !== "equalize" && op !== "solarize") {
      assert.deepEqual(Array.from(out), Array.from(image), `${op} at magnitude 0`);
    }
  }
});
