import { isNoValidation } from "../data/index.js";
import { type Checkpoint, type CheckpointChoice, readRunCheckpoint } from "../train/index.js";
import type { RunConfig } from "./run-config.js";

/**
 * A run's "last" or "best" checkpoint, read through its state.json. A run without a
 * validation split has no best one (its model is the last epoch): asking for it is refused
 * with that reason.
 */
export function readCheckpointOfConfig(
  runDir: string,
  config: RunConfig,
  which: CheckpointChoice,
): Checkpoint {
  if (which === "best" && isNoValidation(config.data.validation)) {
    throw new Error(
      `${runDir} has no best checkpoint: the run has no validation split (size 0), its model is the last epoch (use the last checkpoint)`,
    );
  }
  return readRunCheckpoint(runDir, which);
}
