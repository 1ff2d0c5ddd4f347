/** Training: optimizers, learning-rate schedules, the loop, evaluation, checkpoints, metrics. */
export { AdamW } from "./adamw.js";
export {
  type Checkpoint,
  encodeTrainingCheckpoint,
  readTrainingCheckpoint,
  restoreModel,
  restoreOptimizer,
  writeTrainingCheckpoint,
} from "./checkpoint.js";
export {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MAGIC,
  type CheckpointContents,
  decodeCheckpoint,
  encodeCheckpoint,
  firstNonFinite,
  type TensorData,
} from "./checkpoint-container.js";
export { CheckpointError } from "./checkpoint-error.js";
export { clipGradNorm } from "./clip-grad-norm.js";
export { createOptimizer } from "./create-optimizer.js";
export {
  DataParallel,
  type DataParallelOptions,
  DEFAULT_BUCKET_BYTES,
} from "./data-parallel.js";
export { type BestValidation, type EpochMetrics, epochMetricsSchema } from "./epoch-metrics.js";
export { type BatchLogits, type Evaluation, evaluate } from "./evaluation.js";
export {
  interpolate,
  learningRateAt,
  progressAfterStep,
  type ScheduleContext,
} from "./learning-rate.js";
export {
  type NamedParameters,
  Optimizer,
  type OptimizerState,
  type ParameterState,
} from "./optimizer.js";
export {
  type AdamWConfig,
  type OptimizerConfig,
  type OptimizerConfigInput,
  optimizerConfigSchema,
  type SgdConfig,
} from "./optimizer-config.js";
export {
  type EvaluationProgress,
  evaluationBar,
  formatLearningRate,
  type ProgressMode,
} from "./progress.js";
export type { RunState } from "./run-state.js";
export {
  type ScheduleConfig,
  type ScheduleConfigInput,
  scheduleConfigSchema,
} from "./schedule-config.js";
export { Sgd } from "./sgd.js";
export {
  type EpochEnd,
  type TrainData,
  type TrainOptions,
  type TrainResult,
  train,
} from "./train.js";
export {
  MAX_EPOCHS,
  parseTrainConfig,
  seedSchema,
  type TrainConfig,
  type TrainConfigInput,
  trainConfigSchema,
} from "./train-config.js";
export { TrainingDivergedError } from "./training-diverged-error.js";
