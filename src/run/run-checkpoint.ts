import { isNoValidation } from "../data/index.js";
import { runFiles } from "../train/index.js";
import type { RunConfig } from "./run-config.js";

/**
 * The file of a run's "last" or "best" checkpoint. A run without a validation split has no
 * best one (its model is the last epoch): asking for it is refused with that reason.
 */
export function runCheckpointFile(
  runDir: string,
  config: RunConfig,
  which: "last" | "best",
): string {
  if (which === "best" && isNoValidation(config.data.validation)) {
    throw new Error(
      `${runDir} has no best checkpoint: the run has no validation split (size 0), its model is the last epoch (use the last checkpoint)`,
    );
  }
  return runFiles(runDir)[which];
}
