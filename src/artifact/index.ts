/**
 * Artifacts: the pure part (./pure.js: the `.pemn` format, the model decoder, inspection,
 * storage accounting; ./format/index.js alone for the container), Node file helpers, and the
 * engine-bound part: packing runs, rebuilding and evaluating models, ONNX export.
 */

export { buildDecodedModel } from "./build-decoded-model.js";
export { evaluatePemnFile, type PemnEvalOptions } from "./evaluate-pemn.js";
export { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from "./onnx/export-onnx.js";
export { exportOnnxFile } from "./onnx/export-onnx-file.js";
export { type PackOptions, packModel, type ValueMode } from "./pack-model.js";
export { type PackRunOptions, packRun, packRunToFile } from "./pack-run.js";
export {
  attributeToFile,
  describePemnFile,
  inspectPemnFile,
  readDecodedModel,
  readPemnFile,
  writePemnFile,
} from "./pemn-file.js";
export { PemnPackError, type PemnPackProblem } from "./pemn-pack-error.js";
export * from "./pure.js";
export { trainedState } from "./trained-state.js";
export { ArtifactWriteError, writeArtifact } from "./write-artifact.js";
