import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type RandomSource,
  randomBelow,
  randomNormal,
  shuffleInPlace,
} from "../../src/data/random-source.js";
import { seededRandom } from "./helpers.js";

/** Plays back fixed uint32 values. */
function scripted(values: number[]): RandomSource {
  let next = 0;
  const nextUint32 = () => {
    const value = values[next++];
    if (value === undefined) throw new Error("script exhausted");
    return value;
  };
  return { nextUint32, nextFloat: () => nextUint32() / 2 ** 32 };
}

test("randomBelow rejects the biased top of the 32-bit range", () => {
  // bound 3: 2^32 % 3 = 1, so 2^32 - 1 is rejected and the next draw used.
  assert.equal(randomBelow(scripted([2 ** 32 - 1, 7]), 3), 1);
  assert.equal(randomBelow(scripted([2 ** 32 - 2]), 3), (2 ** 32 - 2) % 3);
  assert.throws(() => randomBelow(scripted([]), 0), /bound must be an integer/);
});

test("shuffles are permutations, fixed by the seed", () => {
  const shuffle = (seed: number) =>
    Array.from(
      shuffleInPlace(
        Int32Array.from({ length: 50 }, (_, i) => i),
        seededRandom(seed),
      ),
    );
  const first = shuffle(1);
  assert.deepEqual(
    [...first].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(shuffle(1), first);
  assert.notDeepEqual(shuffle(2), first);
});

test("normal draws have mean 0 and variance 1", () => {
  const random = seededRandom(3);
  let sum = 0;
  let squares = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const value = randomNormal(random);
    sum += value;
    squares += value * value;
  }
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(squares / n - 1) < 0.05);
});
