/**
 * Artifacts, engine-free and browser-safe: the `.pemn` format, the model decoder
 * (inference-ready weights from a file's bytes), inspection and storage accounting.
 * Reading and writing files in Node: ./pemn-file.js. Packing on the engine: ../packing.
 */
export { firstBitDifference } from "./bit-difference.js";
export {
  type DecodedModel,
  type DecodedTensor,
  decodeModel,
  decodeModelBytes,
} from "./decode-model.js";
export * from "./format/index.js";
export {
  DEFAULT_INDEX_BITS,
  type FigurePair,
  inspectPemn,
  type PartCost,
  type PemnInspection,
  type PrunedComparison,
  type PrunedNetworkInspection,
} from "./inspect-pemn.js";
export {
  FOLDED_SCALE,
  FOLDED_SHIFT,
  foldBatchNorms,
  type NamedTensor,
  unfoldBatchNorms,
} from "./norm-folding.js";
export { PemnModelError, type PemnModelProblem } from "./pemn-model-error.js";
export { type PrunedLayerInput, prunedLayers } from "./pruned-layers.js";
export {
  FLOAT32_BITS,
  type PemnStorage,
  type PemnStorageInput,
  type PrunedStorage,
  type PrunedStorageInput,
  pemnStorage,
  prunedNetworkWithinBudget,
  prunedStorage,
  prunedStorageKeeping,
  type StorageFigure,
  storageFigure,
  type ValueStorage,
} from "./storage-accounting.js";
export { rejectUnknownTensors, requireStoredTensor } from "./stored-tensors.js";
