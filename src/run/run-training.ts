import { existsSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { isNoValidation } from "../data/index.js";
import { makeDirectory, writeFileAtomic } from "../io/atomic-write.js";
import { readFailureReason, readInputText } from "../io/read-input-file.js";
import { createPemnModel } from "../models/index.js";
import {
  CHECKPOINT_NAME,
  type DataParallel,
  type EpochMetrics,
  METRICS_FILE,
  type ProgressMode,
  RUN_STATE_FILE,
  removeUnreferencedCheckpoints,
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
import { onTermination } from "./termination-cleanup.js";

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
  /** Data loader worker threads (default 0: the main thread); not part of the config either. */
  workers?: number;
}

export const RUN_SUMMARY_FILE = "summary.json";

/**
 * A whole run: builds the PEMN its config describes, trains it (unless epochs is 0), and
 * writes config.json, checkpoints, metrics.jsonl and finally summary.json into runDir.
 * The directory is locked for the run's life; nothing is written into it before every
 * check has passed (lock, existing run, config, data), and a new run that fails (or is
 * stopped by SIGINT, SIGTERM or SIGHUP) before committing an epoch takes its files (and the
 * directory, if it made it) away again.
 */
export async function runTraining(config: RunConfig, options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  // The model first: a config that cannot build leaves no run directory behind.
  const { model, plan } = createPemnModel(config);
  const { runDir } = options;
  const resume = options.resume ?? false;
  const createdDirectory = !existsSync(runDir);
  let lock: RunLock | null = null;
  let forgetOnTermination = () => {};
  let wroteConfig = false;
  let failed = true;
  let result: Awaited<ReturnType<typeof train>> | null = null;
  let summary: RunSummary;
  const { dataParallel } = options;
  // Rank 0 of a data-parallel run alone owns (locks, checks, writes) the run directory.
  const writes = dataParallel?.writes ?? true;
  try {
    if (writes) {
      makeDirectory(runDir);
      lock = lockRunDirectory(runDir);
      const held = lock;
      // Stopped by a signal, the run ends as a failed one does (the finally below won't run).
      forgetOnTermination = onTermination(() => {
        if (failed && wroteConfig) discardUncommittedRun(runDir);
        held.release();
        if (createdDirectory) removeIfEmpty(runDir);
      });
      // A resume that only asks for more epochs extends the run: its config.json says so.
      if (checkRunDirectory(config, runDir, resume) === "extends") {
        writeFileAtomic(join(runDir, RUN_CONFIG_FILE), [Buffer.from(configText(config))]);
      }
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
      workers: options.workers,
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
        workers: options.workers,
      });
    }
    summary = summarize(config, options, {
      plan,
      result,
      pruning: pruningFigures(model, config),
      seconds: (performance.now() - started) / 1000,
    });
    // Written under the lock: whoever takes the directory next finds the run finished.
    if (writes) {
      writeFileAtomic(join(runDir, RUN_SUMMARY_FILE), [
        Buffer.from(`${JSON.stringify(summary, null, 2)}\n`),
      ]);
    }
    failed = false;
  } finally {
    // A signal caught in the last synchronous stretch (the test pass) is handled, not dropped
    // with its listener: one turn of the event loop lets it run.
    if (lock !== null) await new Promise((resolve) => setImmediate(resolve));
    forgetOnTermination();
    model.dispose();
    if (failed && wroteConfig) discardUncommittedRun(runDir);
    lock?.release();
    if (failed && createdDirectory) removeIfEmpty(runDir);
  }
  return summary;
}

/** summary.json's contents (docs/run-summary.md). */
function summarize(
  config: RunConfig,
  options: RunOptions,
  run: {
    plan: ReturnType<typeof createPemnModel>["plan"];
    result: Awaited<ReturnType<typeof train>> | null;
    pruning: ReturnType<typeof pruningFigures>;
    seconds: number;
  },
): RunSummary {
  const { plan, result, pruning } = run;
  const history = result?.history ?? [];
  return {
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
    seconds: run.seconds,
    finished_at: new Date().toISOString(),
    world_size: options.dataParallel?.worldSize ?? 1,
    all_reduced_bytes_per_step: history.at(-1)?.all_reduced_bytes_per_step ?? null,
  };
}

function configText(config: RunConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Names a run writes besides config.json and state.json (which mark a run). */
const RUN_WRITTEN_NAMES = [METRICS_FILE, DISTRIBUTED_RUN_FILE, PRETRAIN_DIR];

/**
 * A new run needs a directory without a run, nor a file a run would write (others are left
 * alone); a resumed one the same config as it.
 */
function checkRunDirectory(
  config: RunConfig,
  runDir: string,
  resume: boolean,
): "new" | "same" | "extends" {
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
    // Not a run's, yet named as a run's files are: the run would overwrite or delete it.
    const foreign = readdirSync(runDir).find(
      (name) => RUN_WRITTEN_NAMES.includes(name) || CHECKPOINT_NAME.test(name),
    );
    if (foreign !== undefined) {
      throw new RunDirectoryError(
        "foreign-file",
        `${runDir}: holds ${foreign} but no run (no ${RUN_CONFIG_FILE}); a new run would overwrite or delete it: move it away or choose another run directory`,
      );
    }
    return "new";
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
  if (differing.length === 0) return "same";
  if (differing.length === 1 && differing[0] === "train.epochs") {
    const before = (stored as { train: { epochs: unknown } }).train.epochs;
    if (typeof before === "number" && config.train.epochs > before) return "extends";
    throw new RunDirectoryError(
      "config-differs",
      `cannot resume: ${configFile} asks for ${before} epochs; a resume may ask for more (to extend the run), not ${config.train.epochs}`,
    );
  }
  throw new RunDirectoryError(
    "config-differs",
    `cannot resume: ${configFile} holds a different config (${differing.join(", ")} differ); resume needs the same one, or only more epochs`,
  );
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

/**
 * A new run failed before committing an epoch: it takes away its config, metrics and any
 * checkpoint an uncommitted epoch left, which were all its own (a new run refuses a directory
 * already holding such names), and the pretrain/ directory it made.
 */
function discardUncommittedRun(runDir: string): void {
  const pretrainDir = join(runDir, PRETRAIN_DIR);
  // Epochs (of the run or of its dense pre-training) were committed: keep them.
  if ([runDir, pretrainDir].some((dir) => existsSync(join(dir, RUN_STATE_FILE)))) return;
  for (const file of [RUN_CONFIG_FILE, METRICS_FILE, DISTRIBUTED_RUN_FILE]) {
    rmSync(join(runDir, file), { force: true });
  }
  removeUnreferencedCheckpoints(runDir, null);
  if (existsSync(pretrainDir)) {
    rmSync(join(pretrainDir, METRICS_FILE), { force: true });
    removeUnreferencedCheckpoints(pretrainDir, null);
    removeIfEmpty(pretrainDir);
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
