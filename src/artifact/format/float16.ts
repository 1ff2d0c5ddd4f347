/**
 * IEEE 754 binary16 <-> binary32, on bit patterns so that NaN payloads, signed zeros and
 * subnormals are exact. float32 -> float16 rounds to nearest, ties to even.
 */

/** Magnitudes from here up round to infinity in float16 (halfway from 65504 to 2^16, to even). */
export const FLOAT16_OVERFLOW = 65520;

const SCRATCH_FLOAT = new Float32Array(1);
const SCRATCH_BITS = new Uint32Array(SCRATCH_FLOAT.buffer);

/** The float16 bit pattern nearest to the float32 with bit pattern `bits` (ties to even). */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Infinity stays infinite; NaN keeps its top payload bits and is forced quiet.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent >= 1) {
    // A carry out of the mantissa correctly bumps the exponent, up to infinity (0x7c00).
    return sign | roundShiftRight((halfExponent << 10) | (mantissa >>> 13), mantissa & 0x1fff, 13);
  }
  // Subnormal in float16: value = m * 2^(exponent - 150) = h * 2^-24, so h = m >> (14 - e).
  const shift = 14 - halfExponent;
  if (shift > 24) return sign; // below half the smallest subnormal (2^-25): rounds to zero
  const significand = exponent === 0 ? mantissa : mantissa | 0x800000;
  const dropped = significand & ((1 << shift) - 1);
  return sign | roundShiftRight(significand >>> shift, dropped, shift);
}

/** `kept` plus one if the `shift` dropped low bits `dropped` round it up (nearest, ties to even). */
function roundShiftRight(kept: number, dropped: number, shift: number): number {
  const half = 1 << (shift - 1);
  return dropped > half || (dropped === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** The float32 bit pattern of the float16 with bit pattern `bits` (exact: every float16 fits). */
export function float16BitsToFloat32Bits(bits: number): number {
  const sign = (bits & 0x8000) << 16;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 127 - 15) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal: normalise so the leading one becomes the implicit bit.
  const leading = 31 - Math.clz32(mantissa); // 0..9
  const normalised = (mantissa << (23 - leading)) & 0x7fffff;
  return (sign | ((leading - 24 + 127) << 23) | normalised) >>> 0;
}

/** The float16 bit pattern nearest to `value` after rounding `value` to float32. */
export function float32ToFloat16Bits(value: number): number {
  SCRATCH_FLOAT[0] = value;
  return float32BitsToFloat16Bits(SCRATCH_BITS[0] as number);
}

/** The value of a float16 bit pattern. */
export function float16BitsToNumber(bits: number): number {
  SCRATCH_BITS[0] = float16BitsToFloat32Bits(bits);
  return SCRATCH_FLOAT[0] as number;
}

/** `values` as little-endian float16, two bytes each. */
export function encodeFloat16(values: Float32Array): Uint8Array {
  const sourceBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const bytes = new Uint8Array(2 * values.length);
  for (let i = 0; i < values.length; i++) {
    const half = float32BitsToFloat16Bits(sourceBits[i] as number);
    bytes[2 * i] = half & 0xff;
    bytes[2 * i + 1] = half >>> 8;
  }
  return bytes;
}

/** Little-endian float16 bytes (even length) as float32 values. */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  const bits = new Uint32Array(bytes.length >>> 1);
  for (let i = 0; i < bits.length; i++) {
    bits[i] = float16BitsToFloat32Bits(
      (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8),
    );
  }
  return new Float32Array(bits.buffer);
}
