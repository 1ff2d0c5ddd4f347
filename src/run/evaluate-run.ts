import { type DatasetSource, datasetClassNames, isNoValidation } from "../data/index.js";
import { resolveDevice } from "../engine/index.js";
import { createPemnModel } from "../models/index.js";
import type { PredictionsReceiver } from "../predict/predictions.js";
import {
  type Evaluation,
  type EvaluationProgress,
  evaluate,
  restoreModel,
} from "../train/index.js";
import { loadRunData } from "./run-data.js";
import { readRunCheckpoint, readRunConfig } from "./run-directory.js";

export type EvalSplit = "train" | "validation" | "test";

/** Evaluates a run's checkpoint ("last" or "best") on one of its splits. */
export function evaluateRun(
  runDir: string,
  checkpoint: "last" | "best",
  split: EvalSplit,
  options: {
    device?: string;
    progress?: (split: string, images: number) => EvaluationProgress;
    /** The run's dataset read from elsewhere (pemn eval --download: the cache's copy). */
    source?: DatasetSource;
    /** Takes every batch's logits (per-image predictions), named as the run's data names them. */
    predictions?: PredictionsReceiver;
  } = {},
): Evaluation {
  const config = readRunConfig(runDir);
  if (split === "validation" && isNoValidation(config.data.validation)) {
    throw new Error(`${runDir} has no validation split (size 0): evaluate on train or test`);
  }
  const restored = readRunCheckpoint(runDir, config, checkpoint);
  const { model } = createPemnModel(config);
  try {
    restoreModel(model, restored);
    model.to(resolveDevice(options.device ?? "cpu"));
    const { source } = options;
    const data = loadRunData(
      source === undefined ? config : { ...config, data: { ...config.data, source } },
    )[split];
    return evaluate(
      model,
      data,
      config.train.batchSize,
      undefined,
      options.progress?.(split, data.count),
      options.predictions?.(datasetClassNames(config.data.source) ?? undefined),
    );
  } finally {
    model.dispose();
  }
}
