import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeFloat16,
  encodeFloat16,
  FLOAT16_OVERFLOW,
  float16BitsToFloat32Bits,
  float16BitsToNumber,
  float32BitsToFloat16Bits,
  float32ToFloat16Bits,
} from "../../src/artifact/format/float16.js";
import { testRandom } from "../helpers/test-random.js";

test("float32 -> float16 gives the known bit patterns, ties to even", () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [1 / 3, 0x3555],
    [0.1, 0x2e66],
    [65504, 0x7bff], // largest finite
    [65519, 0x7bff],
    [65520, 0x7c00], // halfway to 2^16: ties to even = infinity
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // halfway to the smallest subnormal: ties to even = 0
    [1.5 * 2 ** -25, 0x0001],
    [2 ** -26, 0x0000],
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and 1 + 2^-10: even mantissa stays
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between odd and even: rounds up to even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above halfway
    [2 ** -24 * 1.5, 0x0002], // halfway between subnormals 1 and 2: to even 2
    [2 ** -24 * 2.5, 0x0002], // halfway between 2 and 3: to even 2
  ];
  for (const [value, bits] of cases) {
    assert.equal(float32ToFloat16Bits(value), bits, `${value}`);
  }
  assert.equal(float32ToFloat16Bits(Number.NaN) & 0x7e00, 0x7e00, "NaN stays a quiet NaN");
  assert.equal(FLOAT16_OVERFLOW, 65520);
  assert.equal(
    float32ToFloat16Bits(Math.fround(65520 - 2 ** -8)),
    0x7bff,
    "just below the threshold",
  );
});

test("float16 -> float32 gives the known values", () => {
  assert.equal(float16BitsToNumber(0x3c00), 1);
  assert.equal(float16BitsToNumber(0x7bff), 65504);
  assert.equal(float16BitsToNumber(0x0001), 2 ** -24);
  assert.equal(float16BitsToNumber(0x03ff), 2 ** -14 - 2 ** -24);
  assert.equal(float16BitsToNumber(0x0400), 2 ** -14);
  assert.equal(float16BitsToNumber(0xfc00), -Infinity);
  assert.ok(Object.is(float16BitsToNumber(0x8000), -0));
  assert.ok(Number.isNaN(float16BitsToNumber(0x7e00)));
  assert.equal(float16BitsToFloat32Bits(0x7e01), 0x7fc02000, "NaN payload moves up 13 bits");
});

test("every float16 survives float16 -> float32 -> float16 (quiet NaNs with their payload)", () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const back = float32BitsToFloat16Bits(float16BitsToFloat32Bits(bits));
    const isSignallingNaN = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0 && !(bits & 0x200);
    assert.equal(back, isSignallingNaN ? bits | 0x200 : bits, `0x${bits.toString(16)}`);
  }
});

test("float32 -> float16 is the nearest float16 (ties to even) for 200,000 random float32", () => {
  // Reference: every non-negative finite float16 value in order, plus 2^16 standing for
  // infinity (so values past 65504 round to it exactly as IEEE overflow does).
  const candidates: { value: number; bits: number }[] = [];
  for (let bits = 0; bits < 0x7c00; bits++)
    candidates.push({ value: float16BitsToNumber(bits), bits });
  candidates.push({ value: 65536, bits: 0x7c00 });
  const nearest = (magnitude: number): number => {
    if (magnitude >= 65536) return 0x7c00;
    let low = 0;
    let high = candidates.length - 1;
    while (high - low > 1) {
      const middle = (low + high) >>> 1;
      if ((candidates[middle] as { value: number }).value <= magnitude) low = middle;
      else high = middle;
    }
    const below = candidates[low] as { value: number; bits: number };
    const above = candidates[high] as { value: number; bits: number };
    const toBelow = magnitude - below.value;
    const toAbove = above.value - magnitude;
    if (toBelow !== toAbove) return toBelow < toAbove ? below.bits : above.bits;
    return (below.bits & 1) === 0 ? below.bits : above.bits;
  };
  const random = testRandom(16);
  const scratch = new Float32Array(1);
  const scratchBits = new Uint32Array(scratch.buffer);
  for (let i = 0; i < 200_000; i++) {
    // Exponents concentrated on float16's range (and a little beyond on both sides).
    scratchBits[0] =
      ((random() < 0.5 ? 0x80000000 : 0) |
        ((Math.floor(random() * 50) + 127 - 30) << 23) |
        Math.floor(random() * 0x800000)) >>>
      0;
    const value = scratch[0] as number;
    const expected = (value < 0 ? 0x8000 : 0) | nearest(Math.abs(value));
    assert.equal(float32ToFloat16Bits(value), expected, `${value}`);
  }
});

test("float16 arrays are little-endian, two bytes a value", () => {
  const bytes = encodeFloat16(Float32Array.of(1, -2, 65504));
  assert.deepEqual(Array.from(bytes), [0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b]);
  assert.deepEqual(Array.from(decodeFloat16(bytes)), [1, -2, 65504]);
});
