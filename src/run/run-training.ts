import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { createPemnModel } from "../models/index.js";
import { type DataParallel, type EpochMetrics, type ProgressMode, train } from "../train/index.js";
import { recordOrCheckSplit } from "./distributed-run.js";
import { RUN_CONFIG_FILE } from "./read-run-config.js";
import type { RunConfig } from "./run-config.js";
import { loadRunData } from "./run-data.js";
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
}

export const RUN_SUMMARY_FILE = "summary.json";

/**
 * A whole run: builds the PEMN its config describes, trains it (unless epochs is 0), and
 * writes config.json, checkpoints, metrics.jsonl and finally summary.json into runDir.
 */
export async function runTraining(config: RunConfig, options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  // The model first: a config that cannot build leaves no run directory behind.
  const { model, plan } = createPemnModel(config);
  let result: Awaited<ReturnType<typeof train>> | null = null;
  const { dataParallel } = options;
  const writes = dataParallel?.writes ?? true;
  try {
    if (writes) writeOrCheckConfig(config, options);
    const split = dataParallel
      ? { world_size: dataParallel.worldSize, sync_batch_norm: dataParallel.syncBatchNorm }
      : null;
    recordOrCheckSplit(options.runDir, split, options.resume ?? false, writes);
    if (config.train.epochs > 0) {
      result = await train({
        model,
        data: loadRunData(config),
        config: config.train,
        runDir: options.runDir,
        resume: options.resume ?? false,
        progress: options.progress ?? "auto",
        onEpoch: options.onEpoch,
        dataParallel,
      });
    }
  } finally {
    model.dispose();
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
    world_size: dataParallel?.worldSize ?? 1,
    all_reduced_bytes_per_step: history.at(-1)?.all_reduced_bytes_per_step ?? null,
  };
  if (!writes) return summary;
  writeFileAtomic(join(options.runDir, RUN_SUMMARY_FILE), [
    Buffer.from(`${JSON.stringify(summary, null, 2)}\n`),
  ]);
  return summary;
}

/** A new run records its config; a resumed one must have been started with the same. */
function writeOrCheckConfig(config: RunConfig, options: RunOptions): void {
  mkdirSync(options.runDir, { recursive: true });
  const configFile = join(options.runDir, RUN_CONFIG_FILE);
  const configText = `${JSON.stringify(config, null, 2)}\n`;
  if (!options.resume) {
    writeFileAtomic(configFile, [Buffer.from(configText)]);
    return;
  }
  if (!existsSync(configFile)) throw new Error(`cannot resume: ${configFile} does not exist`);
  if (readFileSync(configFile, "utf8") !== configText) {
    throw new Error(`cannot resume: ${configFile} holds a different config than this run's`);
  }
}

/** The epochs' mean training throughput (every epoch trains on the same images). */
function meanThroughput(history: readonly EpochMetrics[]): number {
  return history.reduce((sum, epoch) => sum + epoch.img_per_s, 0) / history.length;
}
