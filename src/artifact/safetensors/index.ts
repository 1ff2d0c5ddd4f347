/**
 * safetensors in and out, pure (no engine, no Node built-ins): the container
 * (safetensors-format.ts), pemn's names in PyTorch's (torch-names.ts), a `.pemn` model as
 * safetensors (export-safetensors.ts). Node file helpers: ./safetensors-file.js.
 */
export {
  pemnToSafetensors,
  SAFETENSORS_FORMS,
  SAFETENSORS_METADATA,
  type SafetensorsExport,
  type SafetensorsForm,
} from "./export-safetensors.js";
export { SafetensorsError, type SafetensorsProblem } from "./safetensors-error.js";
export {
  decodeSafetensors,
  elementCount,
  encodeSafetensors,
  isSafetensorsDtype,
  MAX_HEADER_BYTES,
  METADATA_KEY,
  SAFETENSORS_DTYPES,
  type SafetensorsContents,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from "./safetensors-format.js";
export {
  pemnStateName,
  TORCH_MASK,
  TORCH_SCORES,
  TORCH_WEIGHT,
  torchStateName,
  torchTensorName,
} from "./torch-names.js";
