/** Element types the engine moves across the JavaScript boundary. */
export type DType = "float32" | "float64" | "int64" | "int32" | "uint8" | "bool";

/**
 * The 16-bit floats of mixed precision: tensors of them live on a device (autocast makes
 * them) and have no typed array; toFloat32Array() reads them.
 */
export type HalfDType = "float16" | "bfloat16";

/** The typed array that carries each dtype (bool travels as 0/1 bytes). */
export interface TypedArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type EngineTypedArray = TypedArrayOf[DType];

/** Bytes of one element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** Bytes of one element, the 16-bit floats too. */
export const ELEMENT_BYTES: Readonly<Record<DType | HalfDType, number>> = {
  ...DTYPE_BYTES,
  float16: 2,
  bfloat16: 2,
};

/** Whether a typed array carries this dtype (the 16-bit floats have none). */
export function isArrayDType(dtype: DType | HalfDType): dtype is DType {
  return dtype in DTYPE_BYTES;
}

/** The dtype a typed array holds by default (Uint8Array means uint8, not bool). */
export function dtypeOfArray(array: EngineTypedArray): DType {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Float64Array) return "float64";
  if (array instanceof BigInt64Array) return "int64";
  if (array instanceof Int32Array) return "int32";
  return "uint8";
}
