export { countWeights, type WeightCounts } from "./counts.js";
export {
  flattenedSize,
  type MaskedLayerSpec,
  maskedLayerListSchema,
  maxLayerIndex,
  validateMaskedLayers,
} from "./layer-spec.js";
export {
  type PlannedLayer,
  planWeights,
  type ValueSource,
  type WeightPlan,
  type WeightPlanRequest,
} from "./plan.js";
export { rpPrototypeLength } from "./prototype-length.js";
export {
  magnitudeRanking,
  type PruningLayer,
  type PruningRequest,
  type PruningSolution,
  solvePruningMasks,
} from "./pruning-masks.js";
export {
  indexBytes,
  type PrunedPayload,
  prunedPayload,
  relativeIndexBits,
  relativeIndexEntries,
} from "./pruning-storage.js";
export {
  DEFAULT_KEEP_FRACTION,
  type PrunedStrategy,
  type PruningIndex,
  parseWeightStrategy,
  pruningIndexSchema,
  type QuantizedStrategy,
  type Rescale,
  trainsValues,
  type WeightQuantization,
  type WeightStrategy,
  type WeightStrategyInput,
  type WeightStrategyKind,
  weightQuantization,
  weightStrategySchema,
} from "./strategy.js";
export { layerValueStream, pruningStream, RP_ORDER_STREAM } from "./weight-streams.js";
