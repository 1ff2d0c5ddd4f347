import { highWord } from "./float-bits.js";
import { powerOfTwo } from "./power-of-two.js";

/*
 * Square root, correctly rounded (round to nearest), as IEEE-754 defines sqrt, so it agrees bit
 * for bit with C sqrt, Python math.sqrt, Rust f64::sqrt and so on.
 *
 * ECMAScript only asks Math.sqrt for an "implementation-approximated" value. Every engine in
 * practice returns the correctly rounded one, so it serves as the first guess; the guess is then
 * checked exactly (Tuckerman's test, with products made exact by Dekker's algorithm) and moved
 * one ulp at a time until it passes. The result therefore does not depend on Math.sqrt's
 * accuracy, only the time taken does.
 */

const TWO_POW_108 = 2 ** 108;
const SMALLEST_NORMAL = 2 ** -1022;
const ULP_OF_ONE = 2 ** -52;
const LARGEST_BELOW_TWO = 2 - ULP_OF_ONE;
const VELTKAMP_SPLITTER = 2 ** 27 + 1;

/** Rounding error of `product = fl(a * b)`, exact (Dekker's two-product, no fused multiply). */
function productError(a: number, b: number, product: number): number {
  const aScaled = VELTKAMP_SPLITTER * a;
  const aHigh = aScaled - (aScaled - a);
  const aLow = a - aHigh;
  const bScaled = VELTKAMP_SPLITTER * b;
  const bHigh = bScaled - (bScaled - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
}

/** Whether the exact `a * b` is below m, for a product within a few ulps of m. */
function productIsBelow(a: number, b: number, m: number): boolean {
  const product = a * b;
  // m - product is exact (Sterbenz), so this compares a*b = product + error with m exactly.
  return productError(a, b, product) < m - product;
}

/**
 * The correctly rounded sqrt of m in [1, 4), starting from a guess. The answer lies in
 * [1, 2 - 2^-52], where one ulp is 2^-52: y = RN(sqrt(m)) iff y(y - ulp) < m <= y(y + ulp).
 */
function roundedSqrtOfReduced(m: number, guess: number): number {
  let y = guess >= 1 ? Math.min(guess, LARGEST_BELOW_TWO) : 1; // also catches a NaN guess
  for (;;) {
    if (y < LARGEST_BELOW_TWO && productIsBelow(y, y + ULP_OF_ONE, m)) {
      y += ULP_OF_ONE;
    } else if (y > 1 && !productIsBelow(y, y - ULP_OF_ONE, m)) {
      y -= ULP_OF_ONE;
    } else {
      return y;
    }
  }
}

export function portableSqrt(x: number): number {
  if (x === 0 || x === Number.POSITIVE_INFINITY) return x; // keeps the sign of -0
  if (!(x > 0)) return Number.NaN;
  // Write x = m * 2^(2h) with m in [1, 4), so sqrt(x) = sqrt(m) * 2^h; all scalings are exact.
  let scaled = x;
  let resultShift = 0;
  if (x < SMALLEST_NORMAL) {
    scaled = x * TWO_POW_108;
    resultShift = -54;
  }
  const half = ((highWord(scaled) >> 20) - 1023) >> 1; // floor(exponent / 2)
  const m = scaled * powerOfTwo(-2 * half);
  const shift = half + resultShift;
  return roundedSqrtOfReduced(m, Math.sqrt(x) * powerOfTwo(-shift)) * powerOfTwo(shift);
}
