const SMALLEST_EXPONENT = -1074;
const LARGEST_EXPONENT = 1023;

/** 2^k for every k a float64 can hold, built by exact doubling and halving. */
const table = new Float64Array(LARGEST_EXPONENT - SMALLEST_EXPONENT + 1);
table[-SMALLEST_EXPONENT] = 1;
for (let k = 1; k <= LARGEST_EXPONENT; k++) {
  table[k - SMALLEST_EXPONENT] = (table[k - 1 - SMALLEST_EXPONENT] as number) * 2;
}
for (let k = -1; k >= SMALLEST_EXPONENT; k--) {
  table[k - SMALLEST_EXPONENT] = (table[k + 1 - SMALLEST_EXPONENT] as number) / 2;
}

/**
 * 2^k, exactly, for integer k in [-1074, 1023]. Multiplying by it is exact whenever the result
 * is a normal number, which is how this module moves exponents without writing float bits.
 */
export function powerOfTwo(k: number): number {
  return table[k - SMALLEST_EXPONENT] as number;
}
