import { encodeFloat32 } from "./float32-bytes.js";
import type { QuantizedScaleDtype, QuantizedValues } from "./pemn-contents.js";
import { PemnFormatError, type PemnFormatProblem } from "./pemn-format-error.js";

/*
 * A quantized layer's values (docs/format.md, "Quantized values"): one scale per output
 * channel (dim 0 of its shape; little-endian float32, or bfloat16: the float32's upper 16 bits
 * as a little-endian u16), then one level per weight in `bits` bits, packed LSB
 * first into a bitstream (stream bit k is bit k & 7 of byte k >> 3), the final byte's unused
 * bits 0. With 1 bit a level is -1 (bit 0) or +1 (bit 1); with 2 to 8 bits it is the
 * two's-complement integer in [-(2^(bits-1) - 1), 2^(bits-1) - 1] (the code -2^(bits-1) is not
 * a level). Weight i of channel c is the float32 product level_i x scale_c.
 */

export const MIN_QUANTIZED_BITS = 1;
export const MAX_QUANTIZED_BITS = 8;

const SCALE_BYTES: Record<QuantizedScaleDtype, number> = { fp32: 4, bf16: 2 };

/** Bytes of a quantized layer's scales and levels. */
export function quantizedValueBytes(
  shape: readonly number[],
  bits: number,
  scaleDtype: QuantizedScaleDtype,
): { readonly scales: number; readonly levels: number } {
  const weights = shape.reduce((product, length) => product * length, 1);
  return {
    scales: SCALE_BYTES[scaleDtype] * (shape[0] as number),
    levels: Math.ceil((weights * bits) / 8),
  };
}

/** The largest level of `bits` bits: 1 for one bit (levels -1 and +1), else 2^(bits-1) - 1. */
export function largestQuantizedLevel(bits: number): number {
  return bits === 1 ? 1 : 2 ** (bits - 1) - 1;
}

/**
 * Checks a layer's quantized values against its shape (width, counts, levels, scales), with
 * `problem` for the encoder ("invalid-contents").
 */
export function checkQuantizedValues(
  values: QuantizedValues,
  shape: readonly number[],
  weights: number,
  layerName: string,
  problem: PemnFormatProblem,
): void {
  const fail = (detail: string): never => {
    throw new PemnFormatError(problem, `quantized values of layer "${layerName}" ${detail}`);
  };
  const { bits, scales, levels } = values;
  if (!(Number.isInteger(bits) && bits >= MIN_QUANTIZED_BITS && bits <= MAX_QUANTIZED_BITS)) {
    fail(`have width ${bits}, not in [${MIN_QUANTIZED_BITS}, ${MAX_QUANTIZED_BITS}]`);
  }
  if (scales.length !== shape[0]) {
    fail(`have ${scales.length} scales, its ${shape[0]} output channels need as many`);
  }
  if (levels.length !== weights) fail(`have ${levels.length} levels for ${weights} weights`);
  checkScales(scales, fail);
  if (values.scaleDtype === "bf16") {
    const bits32 = new Uint32Array(scales.buffer, scales.byteOffset, scales.length);
    const inexact = bits32.findIndex((word) => (word & 0xffff) !== 0);
    if (inexact >= 0) fail(`have scale ${scales[inexact]} for channel ${inexact}, not a bfloat16`);
  }
  const top = largestQuantizedLevel(bits);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as number;
    if (bits === 1 ? level !== 1 && level !== -1 : level < -top || level > top) {
      fail(`hold level ${level} at ${i}, not ${bits === 1 ? "-1 or +1" : `in [${-top}, ${top}]`}`);
    }
  }
}

/** A layer's scales (little-endian float32 or bfloat16) then its levels, packed. */
export function encodeQuantizedValues(values: QuantizedValues): Uint8Array {
  const { bits, scales, levels } = values;
  const scaleBytes = values.scaleDtype === "fp32" ? encodeFloat32(scales) : encodeBfloat16(scales);
  const out = new Uint8Array(scaleBytes.length + Math.ceil((levels.length * bits) / 8));
  out.set(scaleBytes, 0);
  const codeMask = (1 << bits) - 1;
  let byte = scaleBytes.length;
  let buffer = 0;
  let filled = 0;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as number;
    const code = bits === 1 ? (level > 0 ? 1 : 0) : level & codeMask;
    buffer |= code << filled;
    filled += bits;
    while (filled >= 8) {
      out[byte++] = buffer & 0xff;
      buffer >>>= 8;
      filled -= 8;
    }
  }
  if (filled > 0) out[byte] = buffer;
  return out;
}

/**
 * The scales and levels of a quantized layer from its block of the values section (exactly
 * quantizedValueBytes long, checked by the section layout). A scale that is negative or not
 * finite, the code -2^(bits-1), or a set padding bit is "bad-values".
 */
export function decodeQuantizedValues(
  bytes: Uint8Array,
  shape: readonly number[],
  bits: number,
  scaleDtype: QuantizedScaleDtype,
  layerName: string,
): QuantizedValues {
  const fail = (detail: string): never => {
    throw new PemnFormatError("bad-values", `quantized values of layer "${layerName}" ${detail}`);
  };
  const channels = shape[0] as number;
  const weights = shape.reduce((product, length) => product * length, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scales = new Float32Array(channels);
  const scaleWords = new Uint32Array(scales.buffer);
  for (let c = 0; c < channels; c++) {
    // The bits of a non-finite scale do not matter (it is refused).
    if (scaleDtype === "fp32") scales[c] = view.getFloat32(4 * c, true);
    else scaleWords[c] = view.getUint16(2 * c, true) << 16;
  }
  checkScales(scales, fail);
  const levels = new Int8Array(weights);
  const codeMask = (1 << bits) - 1;
  const signBit = 1 << (bits - 1);
  let byte = SCALE_BYTES[scaleDtype] * channels;
  let buffer = 0;
  let filled = 0;
  for (let i = 0; i < weights; i++) {
    while (filled < bits) {
      buffer |= (bytes[byte++] as number) << filled;
      filled += 8;
    }
    const code = buffer & codeMask;
    buffer >>>= bits;
    filled -= bits;
    if (bits === 1) {
      levels[i] = code === 1 ? 1 : -1;
    } else if (code === signBit) {
      fail(`hold code ${code} (-${signBit}) at ${i}, which is not a level`);
    } else {
      levels[i] = code & signBit ? code - (1 << bits) : code;
    }
  }
  if (buffer !== 0) fail("set padding bits");
  return { kind: "quantized", bits, scaleDtype, scales, levels };
}

/** Each float32's upper 16 bits, little-endian (checkQuantizedValues made sure the rest is 0). */
function encodeBfloat16(values: Float32Array): Uint8Array {
  const words = new Uint32Array(Float32Array.from(values).buffer);
  const out = new Uint8Array(2 * values.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint16(2 * i, (words[i] as number) >>> 16, true);
  return out;
}

/**
 * A quantized layer's weights: level x scale of its channel, each one float32 product, a zero
 * being +0 (as the engine's forward pass gives it: the product plus the straight-through +0).
 */
export function dequantizedLayerValues(
  values: QuantizedValues,
  shape: readonly number[],
): Float32Array {
  const { scales, levels } = values;
  const perChannel = levels.length / (shape[0] as number);
  const out = new Float32Array(levels.length);
  for (let c = 0; c < scales.length; c++) {
    const scale = scales[c] as number;
    // |level| <= 127 and a float32 has 24 significant bits: the product is exact in float64,
    // so storing it into the Float32Array rounds once, as a float32 multiplication does;
    // + 0 turns -0 (-1 x a zero scale) into +0 and leaves every other value as it is.
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) {
      out[i] = (levels[i] as number) * scale + 0;
    }
  }
  return out;
}

function checkScales(scales: Float32Array, fail: (detail: string) => never): void {
  for (let c = 0; c < scales.length; c++) {
    const scale = scales[c] as number;
    if (!(Number.isFinite(scale) && scale >= 0)) fail(`have scale ${scale} for channel ${c}`);
  }
}
