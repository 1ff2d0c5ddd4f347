/** ONNX export of a decoded `.pemn` model: pure (no engine), for Node and browsers alike. */
export { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "./export-onnx.js";
export {
  INPUT_SCALING,
  ONNX_METADATA_KEYS,
  type OnnxInputSpec,
  onnxMetadataEntries,
  readOnnxInputSpec,
  readOnnxMetadata,
} from "./onnx-metadata.js";
