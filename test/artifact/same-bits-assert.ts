import assert from "node:assert/strict";
import { firstBitDifference } from "../../src/artifact/index.js";

/** Asserts that two float32 arrays hold the same bit patterns, naming the first difference. */
export function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const first = firstBitDifference(actual, expected);
  assert.equal(
    first,
    -1,
    `${what}: element ${first} is ${actual[first]}, expected ${expected[first]} (bit for bit)`,
  );
}
