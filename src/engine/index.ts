/** pemn's engine: libtorch tensors, ops and autograd through the native addon. */
export * from "./creation.js";
export * from "./device.js";
export {
  DTYPE_BYTES,
  type DType,
  ELEMENT_BYTES,
  type EngineTypedArray,
  type HalfDType,
  isArrayDType,
  type TypedArrayOf,
} from "./dtype.js";
export * from "./engine-info.js";
export * from "./errors.js";
export * from "./foreach.js";
export * as F from "./functional.js";
export type { CudaStatus, MemoryFormat, Reduction } from "./native.js";
export { nativeAvailable } from "./native.js";
export * from "./process-group.js";
export * from "./runtime.js";
export { type Disposable, keep, scopeSize, tidy } from "./scope.js";
export { type Operand, Tensor, type ValuesAndIndices } from "./tensor.js";
export { maxThreads } from "./thread-limit.js";
export { topKMasks } from "./top-k-masks.js";
