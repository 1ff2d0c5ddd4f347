/**
 * float32 arrays <-> little-endian bytes, copying bit patterns (NaN payloads survive, which a
 * DataView round trip through JavaScript numbers does not promise).
 */

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A copy of `values` as little-endian bytes, four per value. */
export function encodeFloat32(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
  if (!HOST_IS_LITTLE_ENDIAN) reverseEachWord(bytes);
  return bytes;
}

/** Little-endian bytes (length a multiple of 4) as a new Float32Array. */
export function decodeFloat32(bytes: Uint8Array): Float32Array {
  // new Uint8Array(typedArray) always copies into a fresh, aligned buffer (Buffer#slice would not).
  const copy = new Uint8Array(bytes);
  if (!HOST_IS_LITTLE_ENDIAN) reverseEachWord(copy);
  return new Float32Array(copy.buffer, 0, copy.length >>> 2);
}

function reverseEachWord(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1] as number;
    bytes[i] = bytes[i + 3] as number;
    bytes[i + 1] = bytes[i + 2] as number;
    bytes[i + 2] = b1;
    bytes[i + 3] = b0;
  }
}
