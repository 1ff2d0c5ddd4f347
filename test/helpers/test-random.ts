import type { RandomSource } from "../../src/random/index.js";

/**
 * mulberry32, a tiny seeded stream for test inputs and for standing in for the project's
 * generator: tests must not depend on the code under test for their data.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { nextUint32, nextFloat: () => nextUint32() / 2 ** 32 };
}

/** Uniform values in [0, 1) from seededRandom. */
export function testRandom(seed: number): () => number {
  const source = seededRandom(seed);
  return () => source.nextFloat();
}

/** n values uniform in [-1, 1). */
export function randomValues(n: number, seed: number): Float64Array {
  const next = testRandom(seed);
  return Float64Array.from({ length: n }, () => next() * 2 - 1);
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what = "",
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const scale = Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tolerance * scale)) {
      throw new Error(`${what}: element ${i} is ${a}, expected ${e} (tolerance ${tolerance})`);
    }
  }
}
