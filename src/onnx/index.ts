/** ONNX export of a decoded `.pemn` model: pure (no engine), for Node and browsers alike. */
export { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "./export-onnx.js";
