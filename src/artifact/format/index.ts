/** The `.pemn` container, pure TypeScript (no Node built-ins): runs in Node and in browsers. */
export { crc32 } from "../../checksum/crc32.js";
export { decodePemn } from "./decode-pemn.js";
export {
  describePemn,
  type LayerDescription,
  type NormDescription,
  type PemnDescription,
  type PemnPartBytes,
} from "./describe-pemn.js";
export { encodePemn } from "./encode-pemn.js";
export {
  FLOAT16_OVERFLOW,
  float16BitsToNumber,
  float32ToFloat16Bits,
} from "./float16.js";
export { FORMAT_LIMITS, PEMN_FORMAT_VERSION, PEMN_MAGIC } from "./format-spec.js";
export type { JsonObject } from "./json-value.js";
export { countKept, maskByteLength, packMask, unpackMask } from "./mask-bits.js";
export type { MaskEncoding } from "./mask-encoding.js";
export type {
  DatasetRecord,
  GeneratorRecord,
  MaskedLayer,
  NormDtype,
  NormTensor,
  PemnContents,
  PositionIndex,
  QuantizedScaleDtype,
  QuantizedValues,
  ValueRecord,
  ValueReference,
} from "./pemn-contents.js";
export { DEFAULT_NORM_DTYPE, NORM_DTYPES } from "./pemn-contents.js";
export { PemnFormatError, type PemnFormatProblem } from "./pemn-format-error.js";
export {
  dequantizedLayerValues,
  largestQuantizedLevel,
  quantizedValueBytes,
} from "./quantized-values.js";
export { keptLayerValues, storedLayerValues } from "./stored-layer-values.js";
