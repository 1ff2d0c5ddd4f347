/**
 * Artifacts: the `.pemn` format (pure, also importable alone from ./format/index.js for
 * browser bundles), storage accounting (pure), and Node file helpers.
 */

export * from "./format/index.js";
export { describePemnFile, readPemnFile, writePemnFile } from "./pemn-file.js";
export {
  FLOAT32_BITS,
  type PemnStorage,
  type PemnStorageInput,
  type PrunedStorage,
  type PrunedStorageInput,
  pemnStorage,
  prunedNetworkWithinBudget,
  prunedStorage,
  type StorageFigure,
  type ValueStorage,
} from "./storage-accounting.js";
