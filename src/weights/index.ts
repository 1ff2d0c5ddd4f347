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
  parseWeightStrategy,
  type Rescale,
  type WeightStrategy,
  type WeightStrategyInput,
  type WeightStrategyKind,
  weightStrategySchema,
} from "./strategy.js";
export { layerValueStream, RP_ORDER_STREAM } from "./weight-streams.js";
