/**
 * Packing on the engine: a built (trained) model's `.pemn` contents, and the engine model a
 * decoded `.pemn` describes. The format and the pure decoder are ../artifact; runs are ../run.
 */
export { buildDecodedModel } from "./build-decoded-model.js";
export {
  importSupermaskFile,
  type SupermaskImportOptions,
  type SupermaskImportReport,
} from "./import-supermask.js";
export { normTensors } from "./norm-tensors.js";
export { type PackOptions, packModel, type ValueMode } from "./pack-model.js";
export { PemnPackError, type PemnPackProblem } from "./pemn-pack-error.js";
export { supermaskMasks } from "./supermask-masks.js";
