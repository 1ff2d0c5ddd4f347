/**
 * Threefry-4x32-20, the counter-based generator of Salmon, Moraes, Dror & Shaw, "Parallel Random
 * Numbers: As Easy as 1, 2, 3" (SC'11), exactly as in their Random123 library (threefry.h): a
 * 128-bit counter and a 128-bit key map to 128 random bits, so any block can be computed on its
 * own. Built from 32-bit add, rotate and xor only, which JavaScript does exactly and fast
 * (Philox needs the high half of 32x32-bit products, which costs about 2.5 times as much here).
 */

/** Threefish's key-schedule parity constant (SKEIN_KS_PARITY32). */
const KEY_PARITY = 0x1bd11bda;

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * Writes the block for counter (counter0..counter3) under key (key0..key3) to
 * `out[offset..offset+4)`. Arguments are uint32 values (int32 bit patterns work the same).
 * Twenty rounds; rotation constants R_32x4 of Random123; the key is injected before round 0 and
 * after every fourth round, rotating through the five schedule words, plus the injection number.
 */
export function threefryBlock(
  out: Uint32Array,
  offset: number,
  counter0: number,
  counter1: number,
  counter2: number,
  counter3: number,
  key0: number,
  key1: number,
  key2: number,
  key3: number,
): void {
  const k0 = key0 | 0;
  const k1 = key1 | 0;
  const k2 = key2 | 0;
  const k3 = key3 | 0;
  const k4 = KEY_PARITY ^ k0 ^ k1 ^ k2 ^ k3;
  let x0 = (counter0 + k0) | 0;
  let x1 = (counter1 + k1) | 0;
  let x2 = (counter2 + k2) | 0;
  let x3 = (counter3 + k3) | 0;

  // Rounds 0-3, rotations (10, 26) (11, 21) (13, 27) (23, 5); then injection 1.
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 10) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 26) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 11) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 21) ^ x2;
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 13) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 27) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 23) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 5) ^ x2;
  x0 = (x0 + k1) | 0;
  x1 = (x1 + k2) | 0;
  x2 = (x2 + k3) | 0;
  x3 = (x3 + k4 + 1) | 0;

  // Rounds 4-7, rotations (6, 20) (17, 11) (25, 10) (18, 20); then injection 2.
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 6) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 20) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 17) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 11) ^ x2;
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 25) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 10) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 18) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 20) ^ x2;
  x0 = (x0 + k2) | 0;
  x1 = (x1 + k3) | 0;
  x2 = (x2 + k4) | 0;
  x3 = (x3 + k0 + 2) | 0;

  // Rounds 8-11, as 0-3; then injection 3.
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 10) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 26) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 11) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 21) ^ x2;
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 13) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 27) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 23) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 5) ^ x2;
  x0 = (x0 + k3) | 0;
  x1 = (x1 + k4) | 0;
  x2 = (x2 + k0) | 0;
  x3 = (x3 + k1 + 3) | 0;

  // Rounds 12-15, as 4-7; then injection 4.
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 6) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 20) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 17) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 11) ^ x2;
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 25) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 10) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 18) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 20) ^ x2;
  x0 = (x0 + k4) | 0;
  x1 = (x1 + k0) | 0;
  x2 = (x2 + k1) | 0;
  x3 = (x3 + k2 + 4) | 0;

  // Rounds 16-19, as 0-3; then injection 5.
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 10) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 26) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 11) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 21) ^ x2;
  x0 = (x0 + x1) | 0;
  x1 = rotateLeft(x1, 13) ^ x0;
  x2 = (x2 + x3) | 0;
  x3 = rotateLeft(x3, 27) ^ x2;
  x0 = (x0 + x3) | 0;
  x3 = rotateLeft(x3, 23) ^ x0;
  x2 = (x2 + x1) | 0;
  x1 = rotateLeft(x1, 5) ^ x2;
  x0 = (x0 + k0) | 0;
  x1 = (x1 + k1) | 0;
  x2 = (x2 + k2) | 0;
  x3 = (x3 + k3 + 5) | 0;

  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}
