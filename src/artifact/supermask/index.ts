/**
 * Supermask checkpoints of PyTorch code (edge-popup's fixed weights and scores, norm tensors)
 * read as a pemn model and packed with stored values, pure: the engine computes the masks
 * (src/packing/supermask-masks.ts). docs/interop.md.
 */
export {
  CHECKPOINT_NAMINGS,
  type CheckpointNaming,
  type ExpectedTensor,
  expectedTensors,
  isIgnoredTensor,
  type MaskSource,
  namingUnsupported,
} from "./checkpoint-naming.js";
export {
  packSupermask,
  referenceKeptCount,
  type SupermaskPack,
  tiesAtThreshold,
} from "./pack-supermask.js";
export {
  readSupermask,
  type SupermaskCheckpoint,
  type SupermaskLayer,
} from "./read-supermask.js";
export { type LayerValues, type SharedValues, shareValues } from "./shared-values.js";
export { SupermaskError, type SupermaskProblem } from "./supermask-error.js";
