import { existsSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { makeDirectory, writeFileAtomic } from "../io/atomic-write.js";
import { createPemnModel } from "../models/index.js";
import {
  type EpochMetrics,
  METRICS_FILE,
  type ProgressMode,
  RUN_STATE_FILE,
  train,
} from "../train/index.js";
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
  try {
    makeDirectory(runDir);
    lock = lockRunDirectory(runDir);
    checkRunDirectory(config, runDir, resume);
    const data = config.train.epochs > 0 ? loadRunData(config) : null;
    if (!resume) {
      writeFileAtomic(join(runDir, RUN_CONFIG_FILE), [Buffer.from(configText(config))]);
      wroteConfig = true;
    }
    if (data !== null) {
      result = await train({
        model,
        data,
        config: config.train,
        runDir: options.runDir,
        resume: options.resume ?? false,
        progress: options.progress ?? "auto",
        onEpoch: options.onEpoch,
      });
    }
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
    best_val_accuracy: result?.bestValidation.accuracy ?? null,
    best_val_epoch: result?.bestValidation.epoch ?? null,
    test_accuracy: result?.test.accuracy ?? null,
    reference_best_test_accuracy: result?.referenceBestTest?.accuracy ?? null,
    masked_weights: plan.maskedWeights,
    unique_values: plan.uniqueValues,
    train_img_per_s: history.length > 0 ? meanThroughput(history) : null,
    seconds: (performance.now() - started) / 1000,
    finished_at: new Date().toISOString(),
  };
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
    stored = JSON.parse(readFileSync(configFile, "utf8"));
  } catch (error) {
    throw new RunDirectoryError("invalid-config", `${configFile}: ${(error as Error).message}`);
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
  if (existsSync(join(runDir, RUN_STATE_FILE))) return; // epochs were committed: keep them
  for (const file of [RUN_CONFIG_FILE, METRICS_FILE]) rmSync(join(runDir, file), { force: true });
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
