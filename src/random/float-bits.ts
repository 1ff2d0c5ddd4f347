/**
 * Read access to the two 32-bit halves of a float64. A DataView is big-endian by default, so
 * the result does not depend on the platform's byte order. (Only reads: writing part of a
 * float64 and reading it back defeats store forwarding and costs about 10 ns; exact scaling by
 * a power of two does the same job, see power-of-two.ts.)
 */
const scratch = new DataView(new ArrayBuffer(8));

/** Sign, exponent and top 20 fraction bits, as a signed int32 (negative numbers give < 0). */
export function highWord(x: number): number {
  scratch.setFloat64(0, x);
  return scratch.getInt32(0);
}

/** Low 32 fraction bits, as a uint32. */
export function lowWord(x: number): number {
  scratch.setFloat64(0, x);
  return scratch.getUint32(4);
}
