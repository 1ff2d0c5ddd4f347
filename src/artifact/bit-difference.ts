/**
 * The first index where two float32 arrays differ in bit pattern (so -0 differs from 0, and a
 * NaN equals the same NaN), the shorter length if one is a prefix of the other, or -1.
 */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const left = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const right = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const common = Math.min(left.length, right.length);
  for (let i = 0; i < common; i++) if (left[i] !== right[i]) return i;
  return left.length === right.length ? -1 : common;
}
