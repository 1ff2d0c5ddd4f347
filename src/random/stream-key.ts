/**
 * How a seed and a stream key become Threefry's 128-bit key: words 0-1 from the seed, words 2-3
 * from the stream. See docs/generator.md, "Seeding and streams".
 */

/** A stream is named by a non-negative safe integer or by a string (hashed). */
export type StreamKey = number | string;

const TWO_POW_32 = 2 ** 32;
const TWO_POW_64 = 1n << 64n;
const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const STRING_STREAM_FLAG = 0x80000000;

/** Checks a seed, an integer in [0, 2^64) given as a safe integer or a bigint; returns the bigint. */
export function normalizeSeed(seed: number | bigint): bigint {
  if (typeof seed === "bigint") {
    if (seed < 0n || seed >= TWO_POW_64) {
      throw new RangeError(`seed must be an integer in [0, 2^64), got ${seed}`);
    }
    return seed;
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `seed must be a non-negative safe integer (or a bigint below 2^64), got ${seed}`,
    );
  }
  return BigInt(seed);
}

/** The seed as key words [0, 1] = [low, high]. */
export function seedKeyWords(seed: number | bigint): readonly [number, number] {
  const value = normalizeSeed(seed);
  return [Number(value & 0xffffffffn), Number(value >> 32n)];
}

/** 64-bit FNV-1a (Fowler, Noll, Vo) of a byte string. */
export function fnv1a64(bytes: Uint8Array): bigint {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of bytes) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & (TWO_POW_64 - 1n);
  }
  return hash;
}

/**
 * The stream as key words [2, 3] = [low, high]. Integers map to themselves
 * (below 2^53, so bit 63 is clear); strings map to FNV-1a-64 of their UTF-8 bytes with bit 63
 * set, so no string can name the same stream as an integer.
 */
export function streamKeyWords(stream: StreamKey): readonly [number, number] {
  if (typeof stream === "string") {
    const hash = fnv1a64(new TextEncoder().encode(stream));
    return [Number(hash & 0xffffffffn), (Number(hash >> 32n) | STRING_STREAM_FLAG) >>> 0];
  }
  if (!Number.isSafeInteger(stream) || stream < 0) {
    throw new RangeError(
      `stream must be a non-negative safe integer or a string, got ${String(stream)}`,
    );
  }
  return [stream % TWO_POW_32, Math.floor(stream / TWO_POW_32)];
}
