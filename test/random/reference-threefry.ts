/**
 * An independent, deliberately plain reimplementation of the generator's word stream for the
 * tests: BigInt arithmetic, tables instead of unrolled code, the spec's words rather than the
 * library's. It shares no code with src/random.
 */

const MASK_32 = 0xffffffffn;
const MASK_64 = (1n << 64n) - 1n;
const ROTATIONS: ReadonlyArray<readonly [bigint, bigint]> = [
  [10n, 26n],
  [11n, 21n],
  [13n, 27n],
  [23n, 5n],
  [6n, 20n],
  [17n, 11n],
  [25n, 10n],
  [18n, 20n],
];

function rotl32(value: bigint, bits: bigint): bigint {
  return ((value << bits) | (value >> (32n - bits))) & MASK_32;
}

/** Threefry-4x32-20 as described in Random123's threefry.h, one round at a time. */
export function referenceThreefry(
  counter: readonly bigint[],
  key: readonly bigint[],
): readonly bigint[] {
  const schedule = [...key, key.reduce((acc, word) => acc ^ word, 0x1bd11bdan)];
  const x = counter.map((word, i) => (word + (schedule[i] as bigint)) & MASK_32);
  for (let round = 0; round < 20; round++) {
    const [r0, r1] = ROTATIONS[round % 8] as readonly [bigint, bigint];
    // Even rounds mix (0,1) and (2,3); odd rounds mix (0,3) and (2,1).
    const [a, b, c, d] = round % 2 === 0 ? [0, 1, 2, 3] : [0, 3, 2, 1];
    x[a] = ((x[a] as bigint) + (x[b] as bigint)) & MASK_32;
    x[b] = rotl32(x[b] as bigint, r0) ^ (x[a] as bigint);
    x[c] = ((x[c] as bigint) + (x[d] as bigint)) & MASK_32;
    x[d] = rotl32(x[d] as bigint, r1) ^ (x[c] as bigint);
    if (round % 4 === 3) {
      const injection = BigInt((round + 1) / 4);
      for (let i = 0; i < 4; i++) {
        const word = schedule[(Number(injection) + i) % 5] as bigint;
        x[i] = ((x[i] as bigint) + word + (i === 3 ? injection : 0n)) & MASK_32;
      }
    }
  }
  return x;
}

function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & MASK_64;
  }
  return hash;
}

/** The first `count` words of stream (seed, stream), per docs/generator.md. */
export function referenceWords(
  seed: bigint,
  stream: bigint | string,
  count: number,
): readonly number[] {
  const streamValue = typeof stream === "string" ? fnv1a64(stream) | (1n << 63n) : stream;
  const key = [seed & MASK_32, seed >> 32n, streamValue & MASK_32, streamValue >> 32n];
  const words: number[] = [];
  for (let block = 0n; words.length < count; block++) {
    const counter = [block & MASK_32, block >> 32n, 0n, 0n];
    for (const word of referenceThreefry(counter, key)) words.push(Number(word));
  }
  return words.slice(0, count);
}

/** nextFloat per the spec: 27 high bits of one word, 26 of the next, over 2^53. */
export function referenceFloat(first: number, second: number): number {
  const bits = (BigInt(first >>> 5) << 26n) | BigInt(second >>> 6);
  return Number(bits) / 2 ** 53;
}
