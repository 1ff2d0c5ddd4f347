import {
  type EpochMetrics,
  encodeCheckpoint,
  parseTrainConfig,
  type TrainOptions,
  type TrainResult,
  train,
} from "../train/index.js";
import {
  checkFreeForNewRun,
  commitEpoch,
  prepareCheckpointDirectory,
  readCheckpoint,
  readRunManifest,
  rewriteMetrics,
} from "./checkpoint-store.js";
import { compareResumeConfig } from "./resume-config.js";

export interface DirectoryTrainOptions extends Omit<TrainOptions, "resumeFrom" | "onEpoch"> {
  /** Where the epochs are committed: state.json, epoch-<n>.ckpt, metrics.jsonl. */
  readonly dir: string;
  /**
   * Continue from the last committed epoch in `dir` (a directory with none starts afresh);
   * its config must be this one, or ask for fewer epochs (the run is extended). Without it,
   * `dir` must hold no run.
   */
  readonly resume?: boolean;
  /** Called after each epoch, once it is committed (its checkpoint and metrics line on disk). */
  readonly onEpoch?: (record: EpochMetrics) => void | Promise<void>;
}

/**
 * train() with its epochs committed to `dir` (src/run/checkpoint-store.ts), resumable after a
 * crash at any point. Rank 0 of a data-parallel run alone writes; the other ranks read the
 * committed state to resume from it. The caller must own `dir` (runTraining locks its run).
 */
export async function trainInDirectory(options: DirectoryTrainOptions): Promise<TrainResult> {
  const { dir, resume: resumeOption, onEpoch, ...trainOptions } = options;
  const resume = resumeOption === true;
  const writes = options.dataParallel?.writes ?? true;
  const config = parseTrainConfig(options.config);
  if (writes && !resume) checkFreeForNewRun(dir, { runMarks: [], written: [] });
  let manifest = writes ? prepareCheckpointDirectory(dir) : resume ? readRunManifest(dir) : null;
  const resumeFrom = manifest === null ? undefined : readCheckpoint(dir, "last");
  if (resumeFrom) {
    const resumed = compareResumeConfig(resumeFrom.file, resumeFrom.run.config, config, "epochs");
    if (writes) {
      rewriteMetrics(dir, resumeFrom.run.history);
      if (resumed.kind === "extends" && config.schedule.kind !== "constant") {
        // The schedule is a function of the total: the epochs to come follow the new span.
        const done = resumeFrom.run.epochsCompleted;
        process.stderr.write(
          `extending the run from ${resumed.from} to ${config.epochs} epochs: the ${config.schedule.kind} schedule now spans ${config.epochs} epochs, so ${epochSpan(done + 1, config.epochs)} take its rates there (${epochSpan(1, done)} trained under the ${resumed.from}-epoch span)\n`,
        );
      }
    }
  }
  return train({
    ...trainOptions,
    config,
    resumeFrom,
    onEpoch: async (epoch) => {
      if (writes) {
        manifest = commitEpoch(dir, manifest, {
          record: epoch.record,
          checkpoint: encodeCheckpoint(epoch.checkpoint()),
          improved: epoch.improved,
        });
      }
      await onEpoch?.(epoch.record);
    },
  });
}

/** "epoch 3" or "epochs 2-5". */
function epochSpan(first: number, last: number): string {
  return first === last ? `epoch ${first}` : `epochs ${first}-${last}`;
}
