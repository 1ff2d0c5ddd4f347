import { decodeFloat16, encodeFloat16, FLOAT16_OVERFLOW } from "./float16.js";
import { decodeFloat32, encodeFloat32 } from "./float32-bytes.js";
import type { NormDtype, NormTensor } from "./pemn-contents.js";
import { PemnFormatError } from "./pemn-format-error.js";

/*
 * A norm tensor's bytes in the norms section, by its dtype:
 *   fp32  4 bytes per element (IEEE binary32)
 *   fp16  2 bytes per element (IEEE binary16)
 *   int8  a float32 scale s, then 1 byte per element: a signed integer q in [-127, 127];
 *         the element is the float32 product q * s (s = max |value| / 127, rounded to float32)
 */

/** The bytes a norm tensor of `elements` elements takes. */
export function normByteLength(dtype: NormDtype, elements: number): number {
  switch (dtype) {
    case "fp32":
      return 4 * elements;
    case "fp16":
      return 2 * elements;
    case "int8":
      return 4 + elements;
  }
}

/** The largest integer an int8 norm element holds (symmetric: -127 to 127). */
const INT8_LEVELS = 127;

export function encodeNormValues(norm: NormTensor): Uint8Array {
  const { values } = norm;
  switch (norm.dtype) {
    case "fp32":
      return encodeFloat32(values);
    case "fp16": {
      const overflow = values.findIndex(
        (value) => Number.isFinite(value) && Math.abs(value) >= FLOAT16_OVERFLOW,
      );
      if (overflow >= 0) {
        throw new PemnFormatError(
          "invalid-contents",
          `norm tensor "${norm.name}" value ${values[overflow]} at ${overflow} overflows float16; store it as fp32`,
        );
      }
      return encodeFloat16(values);
    }
    case "int8": {
      const largest = values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
      const scale = Math.fround(largest / INT8_LEVELS);
      const bytes = new Uint8Array(4 + values.length);
      bytes.set(encodeFloat32(new Float32Array([scale])), 0);
      const levels = new Int8Array(bytes.buffer, 4);
      values.forEach((value, index) => {
        const level = scale === 0 ? 0 : Math.round(value / scale);
        levels[index] = Math.max(-INT8_LEVELS, Math.min(INT8_LEVELS, level));
      });
      return bytes;
    }
  }
}

/** The float32 values of a norm tensor's bytes (their length checked by the caller). */
export function decodeNormValues(dtype: NormDtype, bytes: Uint8Array, name: string): Float32Array {
  switch (dtype) {
    case "fp32":
      return decodeFloat32(bytes);
    case "fp16":
      return decodeFloat16(bytes);
    case "int8": {
      const scale = decodeFloat32(bytes.subarray(0, 4))[0] as number;
      if (!Number.isFinite(scale) || scale < 0) {
        throw new PemnFormatError("bad-norm", `norm tensor "${name}": int8 scale is ${scale}`);
      }
      const levels = new Int8Array(bytes.buffer, bytes.byteOffset + 4, bytes.length - 4);
      if (levels.includes(-128)) {
        throw new PemnFormatError("bad-norm", `norm tensor "${name}": int8 level -128 is not used`);
      }
      // Float32Array stores each float64 product rounded to float32: q * s in float32 exactly.
      return Float32Array.from(levels, (level) => level * scale);
    }
  }
}
