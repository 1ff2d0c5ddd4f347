import { existsSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { isNoValidation } from "../data/index.js";
import { makeDirectory, writeFileAtomic } from "../io/atomic-write.js";
import { readFailureReason, readInputText } from "../io/read-input-file.js";
import { createPemnModel } from "../models/index.js";
import {
  type DataParallel,
  type EpochMetrics,
  METRICS_FILE,
  type ProgressMode,
  RUN_STATE_FILE,
  type TrainData,
  train,
} from "../train/index.js";
import { DISTRIBUTED_RUN_FILE, recordOrCheckSplit } from "./distributed-run.js";
import { PRETRAIN_DIR, preparePruning, pruningFigures } from "./pruning-phase.js";
import { RUN_CONFIG_FILE, RunDirectoryError } from "./read-run-config.js";
import type { RunConfig } from "./run-config.js";
import { loadRunData } from "./run-data.js";
import { lockRunDirectory, type RunLock } from "./run-lock.js";
import type { RunSummary } from "./run-summary.js";

export interface RunOptions {
  runDir: string;
  /** Continue the run in runDir from its last checkpoint; its config must be this one. */
  resume?: boolean;
  progress?: ProgressMode;
  onEpoch?: (record: EpochMetrics) => void;
  /** Written into summary.json. */
  version: string;
  /** Run as one rank of a data-parallel job: rank 0 alone writes the run directory. */
  dataParallel?: DataParallel;
  /**
   * "cpu" (default), "cuda", "cuda:N" or "auto". Not part of the config: a run started on a
   * GPU resumes on the CPU and the reverse.
   */
  device?: string;
}

export const RUN_SUMMARY_FILE = "summary.json";

/**
 * A whole run: builds the PEMN its config describes, trains it (unless epochs is 0), and
 * writes config.json, checkpoints, metrics.jsonl and finally summary.json into runDir.
 * The directory is locked for the run's life; nothing is written into it before every
 * check has passed (lock, existing run, config, data), and a new run that fails before
 * committing an epoch takes its files (and the directory, if it made it) away again.
 */
export async function runTraining(config: RunConfig, options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  // The model first: a config that cannot build leaves no run directory behind.
  const { model, plan } = createPemnModel(config);
  const { runDir } = options;
  const resume = options.resume ?? false;
  const createdDirectory = !existsSync(runDir);
  let lock: RunLock | null = null;
  let wroteConfig = false;
  let failed = true;
  let result: Awaited<ReturnType<typeof train>> | null = null;
  let pruning: ReturnType<typeof pruningFigures>;
  const { dataParallel } = options;
  // Rank 0 of a data-parallel run alone owns (locks, checks, writes) the run directory.
  const writes = dataParallel?.writes ?? true;
  try {
    if (writes) {
      makeDirectory(runDir);
      lock = lockRunDirectory(runDir);
      checkRunDirectory(config, runDir, resume);
    }
    let data: TrainData | undefined;
    const loadData = () => {
      data ??= loadRunData(config);
      return data;
    };
    // Data that cannot load is refused before anything is written.
    if (config.train.epochs > 0) loadData();
    if (writes && !resume) {
      writeFileAtomic(join(runDir, RUN_CONFIG_FILE), [Buffer.from(configText(config))]);
      wroteConfig = true;
    }
    const split = dataParallel
      ? { world_size: dataParallel.worldSize, sync_batch_norm: dataParallel.syncBatchNorm }
      : null;
    recordOrCheckSplit(runDir, split, resume, writes);
    const prepared = await preparePruning(model, config, {
      runDir,
      resume,
      progress: options.progress ?? "auto",
      data: loadData,
      dataParallel,
      device: options.device,
    });
    if (config.train.epochs > 0) {
      result = await train({
        model,
        data: loadData(),
        config: config.train,
        runDir: options.runDir,
        resume: prepared.resume,
        progress: options.progress ?? "auto",
        onEpoch: options.onEpoch,
        dataParallel,
        device: options.device,
      });
    }
    pruning = pruningFigures(model, config);
    failed = false;
  } finally {
    model.dispose();
    if (failed && wroteConfig) discardUncommittedRun(runDir);
    lock?.release();
    if (failed && createdDirectory) removeIfEmpty(runDir);
  }
  const history = result?.history ?? [];
  const summary: RunSummary = {
    pemn_version: options.version,
    model: config.model,
    strategy: config.strategy,
    keep_fraction: config.keepFraction,
    dataset: config.data.source.name,
    seed: config.seed,
    generator: plan.generator,
    epochs: config.train.epochs,
    val_accuracy: history.at(-1)?.val_accuracy ?? null,
    best_val_accuracy: result?.bestValidation?.accuracy ?? null,
    best_val_epoch: result?.bestValidation?.epoch ?? null,
    selection: isNoValidation(config.data.validation) ? "last-epoch" : "best-validation",
    test_accuracy: result?.test.accuracy ?? null,
    reference_best_test_accuracy: result?.referenceBestTest?.accuracy ?? null,
    masked_weights: plan.maskedWeights,
    unique_values: plan.uniqueValues,
    train_img_per_s: history.length > 0 ? meanThroughput(history) : null,
    ...pruning,
    seconds: (performance.now() - started) / 1000,
    finished_at: new Date().toISOString(),
    world_size: dataParallel?.worldSize ?? 1,
    all_reduced_bytes_per_step: history.at(-1)?.all_reduced_bytes_per_step ?? null,
  };
  if (!writes) return summary;
  writeFileAtomic(join(options.runDir, RUN_SUMMARY_FILE), [
    Buffer.from(`${JSON.stringify(summary, null, 2)}\n`),
  ]);
  return summary;
}

function configText(config: RunConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A new run needs a directory without a run; a resumed one the same config as it. */
function checkRunDirectory(config: RunConfig, runDir: string, resume: boolean): void {
  const configFile = join(runDir, RUN_CONFIG_FILE);
  if (!resume) {
    const present = [RUN_CONFIG_FILE, RUN_STATE_FILE, RUN_SUMMARY_FILE, "last.ckpt"].find((file) =>
      existsSync(join(runDir, file)),
    );
    if (present !== undefined) {
      throw new RunDirectoryError(
        "run-exists",
        `${runDir}: a run already lives here (it holds ${present}): pass --resume to continue it, or choose another run directory`,
      );
    }
    return;
  }
  if (!existsSync(configFile)) {
    throw new RunDirectoryError("missing-config", `cannot resume: ${configFile} does not exist`);
  }
  let stored: unknown;
  try {
    stored = JSON.parse(readInputText(configFile, "record"));
  } catch (error) {
    throw new RunDirectoryError("invalid-config", `${configFile}: ${readFailureReason(error)}`);
  }
  const differing = differingFields(stored, JSON.parse(configText(config)), "");
  if (differing.length > 0) {
    throw new RunDirectoryError(
      "config-differs",
      `cannot resume: ${configFile} holds a different config (${differing.join(", ")} differ); resume needs the same one`,
    );
  }
}

/** The dotted paths of the leaves where two JSON values differ. */
function differingFields(stored: unknown, current: unknown, path: string): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isObject(stored) || !isObject(current)) {
    return isDeepStrictEqual(stored, current) ? [] : [path || "(the whole config)"];
  }
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(current)])];
  return keys.flatMap((key) =>
    differingFields(stored[key], current[key], path === "" ? key : `${path}.${key}`),
  );
}

/** A new run failed before committing an epoch: it leaves no config or metrics behind. */
function discardUncommittedRun(runDir: string): void {
  // Epochs (of the run or of its dense pre-training) were committed: keep them.
  if (
    [RUN_STATE_FILE, join(PRETRAIN_DIR, RUN_STATE_FILE)].some((file) =>
      existsSync(join(runDir, file)),
    )
  )
    return;
  for (const file of [RUN_CONFIG_FILE, METRICS_FILE, DISTRIBUTED_RUN_FILE]) {
    rmSync(join(runDir, file), { force: true });
  }
}

function removeIfEmpty(directory: string): void {
  try {
    rmdirSync(directory);
  } catch {} // not empty (or already gone): it holds more than this run's files
}

/** The epochs' mean training throughput (every epoch trains on the same images). */
function meanThroughput(history: readonly EpochMetrics[]): number {
  return history.reduce((sum, epoch) => sum + epoch.img_per_s, 0) / history.length;
}
