import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPemnModel } from "../models/index.js";
import {
  type Evaluation,
  evaluate,
  readTrainingCheckpoint,
  restoreModel,
  runFiles,
} from "../train/index.js";
import { parseRunConfig } from "./run-config.js";
import { loadRunData } from "./run-data.js";
import { RUN_CONFIG_FILE } from "./run-training.js";

export type EvalSplit = "train" | "validation" | "test";

/** Evaluates a run's checkpoint ("last" or "best") on one of its splits. */
export function evaluateRun(
  runDir: string,
  checkpoint: "last" | "best",
  split: EvalSplit,
): Evaluation {
  const configFile = join(runDir, RUN_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(configFile, "utf8");
  } catch {
    throw new Error(`${runDir} is not a run directory: ${configFile} cannot be read`);
  }
  const config = parseRunConfig(JSON.parse(text));
  const restored = readTrainingCheckpoint(runFiles(runDir)[checkpoint]);
  const { model } = createPemnModel({
    model: config.model,
    strategy: config.strategy,
    keepFraction: config.keepFraction,
    seed: config.seed,
  });
  try {
    restoreModel(model, restored);
    return evaluate(model, loadRunData(config)[split], config.train.batchSize);
  } finally {
    model.dispose();
  }
}
