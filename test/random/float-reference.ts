/** Exact float64 helpers for the tests, on BigInt bit patterns (shares nothing with src/). */

const view = new DataView(new ArrayBuffer(8));

export function bitsOf(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

export function fromBits(bits: bigint): number {
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

export function float32BitsOf(x: number): number {
  view.setFloat32(0, x);
  return view.getUint32(0);
}

/** A finite positive double as an exact rational: numerator * 2^exponent. */
export function exactValue(x: number): { numerator: bigint; exponent: number } {
  const bits = bitsOf(x);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { numerator: fraction, exponent: -1074 };
  return { numerator: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** Sign of a - b for exact values a = p * 2^e, b = q * 2^f. */
export function compareExact(
  a: { numerator: bigint; exponent: number },
  b: { numerator: bigint; exponent: number },
): number {
  const shift = Math.min(a.exponent, b.exponent);
  const left = a.numerator << BigInt(a.exponent - shift);
  const right = b.numerator << BigInt(b.exponent - shift);
  return left > right ? 1 : left < right ? -1 : 0;
}

export function square(a: { numerator: bigint; exponent: number }): {
  numerator: bigint;
  exponent: number;
} {
  return { numerator: a.numerator * a.numerator, exponent: 2 * a.exponent };
}

/** Midpoint of two exact values. */
export function midpoint(
  a: { numerator: bigint; exponent: number },
  b: { numerator: bigint; exponent: number },
): { numerator: bigint; exponent: number } {
  const shift = Math.min(a.exponent, b.exponent);
  const sum =
    (a.numerator << BigInt(a.exponent - shift)) + (b.numerator << BigInt(b.exponent - shift));
  return { numerator: sum, exponent: shift - 1 };
}

/** A varied double from 64 random-looking bits (positive, finite). */
export function positiveFiniteFromWords(high: number, low: number): number {
  const exponentAndFraction = BigInt(high % 0x7ff00000) << 32n;
  return fromBits(exponentAndFraction | BigInt(low >>> 0));
}
