import { createPemnModel } from "../models/index.js";
import { type Evaluation, evaluate, readRunCheckpoint, restoreModel } from "../train/index.js";
import { readRunConfig } from "./read-run-config.js";
import { loadRunData } from "./run-data.js";

export type EvalSplit = "train" | "validation" | "test";

/** Evaluates a run's checkpoint ("last" or "best") on one of its splits. */
export function evaluateRun(
  runDir: string,
  checkpoint: "last" | "best",
  split: EvalSplit,
): Evaluation {
  const config = readRunConfig(runDir);
  const restored = readRunCheckpoint(runDir, checkpoint);
  const { model } = createPemnModel(config);
  try {
    restoreModel(model, restored);
    return evaluate(model, loadRunData(config)[split], config.train.batchSize);
  } finally {
    model.dispose();
  }
}
