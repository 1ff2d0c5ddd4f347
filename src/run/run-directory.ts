import { existsSync, rmdirSync, rmSync } from "node:fs";
import { isNoValidation } from "../data/index.js";
import { makeDirectory, writeFileAtomic } from "../io/atomic-write.js";
import { readFailureReason, readInputText } from "../io/read-input-file.js";
import type { Checkpoint } from "../train/index.js";
import {
  type CheckpointChoice,
  checkFreeForNewRun,
  readCheckpoint,
  removeUnreferencedCheckpoints,
} from "./checkpoint-store.js";
import { compareResumeConfig } from "./resume-config.js";
import { parseRunConfig, type RunConfig } from "./run-config.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { lockRunDirectory } from "./run-lock.js";
import {
  DISTRIBUTED_RUN_FILE,
  PRETRAIN_DIR,
  RUN_CONFIG_FILE,
  RUN_SUMMARY_FILE,
  runPaths,
} from "./run-paths.js";
import type { RunSummary } from "./run-summary.js";
import { onTermination } from "./termination-cleanup.js";

/** The config of the run in `runDir`, validated again. Errors name the file. */
export function readRunConfig(runDir: string): RunConfig {
  const file = runPaths(runDir).config;
  try {
    return parseRunConfig(readConfigJson(runDir));
  } catch (error) {
    if (error instanceof RunDirectoryError) throw error;
    throw new RunDirectoryError("invalid-config", `${file}: ${(error as Error).message}`);
  }
}

/**
 * A checkpoint of the run in `runDir` (its config read by readRunConfig): "last", "best"
 * (refused, with the reason, for a run without a validation split, whose model is the last
 * epoch), or a file by path.
 */
export function readRunCheckpoint(
  runDir: string,
  config: RunConfig,
  choice: CheckpointChoice,
): Checkpoint {
  if (choice === "best" && isNoValidation(config.data.validation)) {
    throw new RunDirectoryError(
      "no-such-checkpoint",
      `${runDir} has no best checkpoint: the run has no validation split (size 0), its model is the last epoch (use the last checkpoint)`,
    );
  }
  return readCheckpoint(runDir, choice);
}

/** A run directory held by this process (openRunDirectory): what the run writes besides epochs. */
export interface OpenRunDirectory {
  /** A new run's config.json, written once the run's every check (data too) has passed. */
  writeConfig(): void;
  /** summary.json: the run is finished. Written under the lock. */
  writeSummary(summary: RunSummary): void;
  /**
   * Gives the directory up. A new run that failed takes away what it wrote, all its own (a
   * new run refuses a directory holding such names), unless it committed epochs; and the
   * directory, if it made it and it is empty.
   */
  close(failed: boolean): Promise<void>;
}

/**
 * Takes `runDir` for a run of `config` (docs/training.md, "Run directory"): creates it, locks
 * it for the run's life, and checks it once: a new run needs it free of runs and of files a run
 * would write; a resume needs its config.json to be this config, or the same one asking for
 * more epochs (config.json then says so). Stopped by SIGINT, SIGTERM or SIGHUP, the run ends as
 * a failed one does.
 */
export function openRunDirectory(
  runDir: string,
  config: RunConfig,
  resume: boolean,
): OpenRunDirectory {
  const paths = runPaths(runDir);
  const createdDirectory = !existsSync(runDir);
  makeDirectory(runDir);
  const lock = lockRunDirectory(runDir);
  let wroteConfig = false;
  const giveUp = (failed: boolean) => {
    if (failed && wroteConfig) discardUncommittedRun(runDir);
    lock.release();
    if (failed && createdDirectory) removeIfEmpty(runDir);
  };
  const forgetOnTermination = onTermination(() => giveUp(true));
  const writeConfig = () => {
    writeFileAtomic(paths.config, [Buffer.from(`${JSON.stringify(config, null, 2)}\n`)]);
  };
  try {
    if (!resume) {
      checkFreeForNewRun(runDir, {
        runMarks: [RUN_CONFIG_FILE, RUN_SUMMARY_FILE],
        written: [DISTRIBUTED_RUN_FILE, PRETRAIN_DIR],
      });
    } else if (
      compareResumeConfig(paths.config, readConfigJson(runDir), config, "train.epochs").kind ===
      "extends"
    ) {
      writeConfig();
    }
  } catch (error) {
    forgetOnTermination();
    giveUp(true);
    throw error;
  }
  return {
    writeConfig() {
      writeConfig();
      wroteConfig = true;
    },
    writeSummary(summary) {
      writeFileAtomic(paths.summary, [Buffer.from(`${JSON.stringify(summary, null, 2)}\n`)]);
    },
    async close(failed) {
      // A signal caught in the last synchronous stretch (the test pass) is handled, not dropped
      // with its listener: one turn of the event loop lets it run.
      await new Promise((resolve) => setImmediate(resolve));
      forgetOnTermination();
      giveUp(failed);
    },
  };
}

/** config.json's JSON, unvalidated (a resume compares it as it is). */
function readConfigJson(runDir: string): unknown {
  const file = runPaths(runDir).config;
  let text: string;
  try {
    text = readInputText(file, "record");
  } catch (error) {
    throw new RunDirectoryError(
      "missing-config",
      `${runDir} is not a run directory: ${file} cannot be read (${readFailureReason(error)})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RunDirectoryError("invalid-config", `${file}: ${(error as Error).message}`);
  }
}

/**
 * A new run failed before committing an epoch: it takes away its config, metrics and any
 * checkpoint an uncommitted epoch left, which were all its own, and the pretrain/ directory
 * it made.
 */
function discardUncommittedRun(runDir: string): void {
  const paths = runPaths(runDir);
  const pretrain = runPaths(paths.pretrain);
  // Epochs (of the run or of its dense pre-training) were committed: keep them.
  if ([paths.state, pretrain.state].some((file) => existsSync(file))) return;
  for (const file of [paths.config, paths.metrics, paths.distributed])
    rmSync(file, { force: true });
  removeUnreferencedCheckpoints(runDir, null);
  if (existsSync(pretrain.dir)) {
    rmSync(pretrain.metrics, { force: true });
    removeUnreferencedCheckpoints(pretrain.dir, null);
    removeIfEmpty(pretrain.dir);
  }
}

function removeIfEmpty(directory: string): void {
  try {
    rmdirSync(directory);
  } catch {} // not empty (or already gone): it holds more than this run's files
}
