/**
 * The random stream every seeded data operation draws from (shuffles, splits, augmentations).
 * Structurally the same as the project's generator in src/random/, declared here so data code
 * depends only on these two methods.
 */
export interface RandomSource {
  /** Uniform in [0, 1). */
  nextFloat(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
}

const TWO_POW_32 = 2 ** 32;

/** Uniform integer in [0, bound), without modulo bias (rejection sampling). */
export function randomBelow(random: RandomSource, bound: number): number {
  if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
    throw new RangeError(`randomBelow: bound must be an integer in [1, 2^32], got ${bound}`);
  }
  const limit = TWO_POW_32 - (TWO_POW_32 % bound);
  for (;;) {
    const value = random.nextUint32();
    if (value < limit) return value % bound;
  }
}

/** Uniform in [low, high). */
export function randomBetween(random: RandomSource, low: number, high: number): number {
  return low + (high - low) * random.nextFloat();
}

/** Standard normal draw (Box-Muller; 1 - u keeps the logarithm finite). */
export function randomNormal(random: RandomSource): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random.nextFloat()));
  return radius * Math.cos(2 * Math.PI * random.nextFloat());
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace(values: Int32Array, random: RandomSource): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomBelow(random, i + 1);
    const held = values[i] as number;
    values[i] = values[j] as number;
    values[j] = held;
  }
  return values;
}
