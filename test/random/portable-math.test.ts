import assert from "node:assert/strict";
import { test } from "node:test";
import { portableLog } from "../../src/random/portable-log.js";
import { portableSqrt } from "../../src/random/portable-sqrt.js";
import {
  bitsOf,
  compareExact,
  exactValue,
  fromBits,
  midpoint,
  positiveFiniteFromWords,
  square,
} from "./float-reference.js";

/** A fixed stream of varied 32-bit words (an LCG; quality is irrelevant here). */
function* words(seed: number): Generator<number> {
  let state = seed >>> 0;
  for (;;) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    yield state;
  }
}

function variedPositiveDoubles(count: number, seed: number): number[] {
  const source = words(seed);
  const result: number[] = [];
  for (let i = 0; i < count; i++) {
    result.push(positiveFiniteFromWords(source.next().value, source.next().value));
  }
  return result;
}

const SUBNORMALS = [2 ** -1074, 3 * 2 ** -1074, 2 ** -1060 * 1.5, 2 ** -1022 - 2 ** -1074];
const EDGES = [
  ...SUBNORMALS,
  2 ** -1022,
  Number.MIN_VALUE,
  Number.EPSILON,
  0.5,
  1 - 2 ** -53,
  1,
  1 + 2 ** -52,
  1 + 2 ** -21,
  1 - 2 ** -21,
  Math.SQRT2,
  Math.SQRT1_2,
  2,
  Math.E,
  10,
  2 ** 53,
  Number.MAX_VALUE,
];

test("portableLog handles the special values like Math.log", () => {
  assert.equal(portableLog(0), Number.NEGATIVE_INFINITY);
  assert.equal(portableLog(-0), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(portableLog(-1)));
  assert.ok(Number.isNaN(portableLog(-Number.MIN_VALUE)));
  assert.ok(Number.isNaN(portableLog(Number.NEGATIVE_INFINITY)));
  assert.ok(Number.isNaN(portableLog(Number.NaN)));
  assert.equal(portableLog(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  assert.ok(Object.is(portableLog(1), 0));
});

function assertCloseToMathLog(x: number): void {
  const expected = Math.log(x);
  const actual = portableLog(x);
  // Both are within 1 ulp of the true value, so they are within 2 ulps of each other.
  const tolerance = 2 * 2 ** -52 * Math.abs(expected);
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `log(${x}): ${actual} vs Math.log ${expected}`,
  );
}

test("portableLog agrees with Math.log to 2 ulps on edge cases and subnormals", () => {
  for (const x of EDGES) assertCloseToMathLog(x);
  for (let k = -1074; k <= 1023; k++) assertCloseToMathLog(2 ** k);
});

test("portableLog agrees with Math.log to 2 ulps over the whole positive range", () => {
  for (const x of variedPositiveDoubles(200_000, 7)) assertCloseToMathLog(x);
});

test("portableLog agrees with Math.log on (0, 1), where the normal sampler uses it", () => {
  const source = words(99);
  for (let i = 0; i < 200_000; i++) {
    assertCloseToMathLog((source.next().value + 0.5) / 2 ** 32);
  }
  // Near 1 both of fdlibm's small-|f| and general branches are used.
  for (let i = 1; i < 5_000; i++) {
    assertCloseToMathLog(1 + i * 2 ** -40);
    assertCloseToMathLog(1 - i * 2 ** -40);
  }
});

// Pinned outputs, each the correctly rounded logarithm (checked with 50-digit decimals).
const PINNED_LOGS: ReadonlyArray<readonly [number, bigint]> = [
  [0.5, 0xbfe62e42fefa39efn],
  [2, 0x3fe62e42fefa39efn],
  [10, 0x40026bb1bbb55516n],
  [0.1, 0xc0026bb1bbb55515n],
  [0.7, 0xbfd6d3c324e13f50n],
  [1e-300, 0xc085963447f87fb5n],
  [Number.MIN_VALUE, 0xc0874385446d71c3n],
  [1 + 2 ** -30, 0x3e0fffffffc00000n],
];

test("portableLog gives the pinned bit patterns", () => {
  for (const [x, bits] of PINNED_LOGS) {
    assert.equal(bitsOf(portableLog(x)).toString(16), bits.toString(16), `log(${x})`);
  }
});

test("portableSqrt handles the special values", () => {
  assert.ok(Object.is(portableSqrt(0), 0));
  assert.ok(Object.is(portableSqrt(-0), -0));
  assert.equal(portableSqrt(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(portableSqrt(-1)));
  assert.ok(Number.isNaN(portableSqrt(Number.NEGATIVE_INFINITY)));
  assert.ok(Number.isNaN(portableSqrt(Number.NaN)));
  assert.equal(portableSqrt(4), 2);
  assert.equal(portableSqrt(2 ** -1074), 2 ** -537);
});

/** True iff y is the correctly rounded sqrt of x, decided exactly with BigInt arithmetic. */
function isCorrectlyRoundedSqrt(x: number, y: number): boolean {
  const below = fromBits(bitsOf(y) - 1n);
  const above = fromBits(bitsOf(y) + 1n);
  const value = exactValue(x);
  const lowerMidpoint = square(midpoint(exactValue(below), exactValue(y)));
  const upperMidpoint = square(midpoint(exactValue(y), exactValue(above)));
  // sqrt(x) is never exactly a midpoint, so strict inequalities decide.
  return compareExact(lowerMidpoint, value) < 0 && compareExact(value, upperMidpoint) < 0;
}

test("portableSqrt is correctly rounded (checked exactly, independently of Math.sqrt)", () => {
  for (const x of [...EDGES, ...variedPositiveDoubles(20_000, 3)]) {
    assert.ok(isCorrectlyRoundedSqrt(x, portableSqrt(x)), `sqrt(${x}) = ${portableSqrt(x)}`);
  }
});

test("portableSqrt is correctly rounded next to rounding midpoints", () => {
  // x = (y + ulp/2)^2 rounded: the hardest inputs, where a 1-ulp error would show.
  const source = words(11);
  for (let i = 0; i < 5_000; i++) {
    const y = 1 + (source.next().value * 2 ** -32 + 0.5) * 0.9;
    const mid = y + 2 ** -53;
    for (const x of [
      mid * mid,
      fromBits(bitsOf(mid * mid) - 1n),
      fromBits(bitsOf(mid * mid) + 1n),
    ]) {
      assert.ok(isCorrectlyRoundedSqrt(x, portableSqrt(x)), `sqrt(${x})`);
    }
  }
});

test("portableSqrt equals Math.sqrt bit for bit where the engine's sqrt is IEEE (V8 is)", () => {
  for (const x of variedPositiveDoubles(300_000, 5)) {
    assert.equal(portableSqrt(x), Math.sqrt(x), `sqrt(${x})`);
  }
});
