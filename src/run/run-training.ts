import { datasetClassNames, isNoValidation, prepareDataset } from "../data/index.js";
import { createPemnModel } from "../models/index.js";
import type {
  DataParallel,
  EpochMetrics,
  ProgressMode,
  TrainData,
  TrainResult,
} from "../train/index.js";
import { recordOrCheckSplit } from "./distributed-run.js";
import { preparePruning, pruningFigures } from "./pruning-phase.js";
import type { RunConfig } from "./run-config.js";
import { loadRunData } from "./run-data.js";
import { type OpenRunDirectory, openRunDirectory } from "./run-directory.js";
import type { RunSummary } from "./run-summary.js";
import { trainInDirectory } from "./train-in-directory.js";

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
  const { runDir, dataParallel } = options;
  const resume = options.resume ?? false;
  // Rank 0 of a data-parallel run alone owns (locks, checks, writes) the run directory.
  const writes = dataParallel?.writes ?? true;
  let directory: OpenRunDirectory | null = null;
  let failed = true;
  try {
    if (writes) directory = openRunDirectory(runDir, config, resume);
    let data: TrainData | undefined;
    const loadData = () => {
      data ??= loadRunData(config);
      return data;
    };
    // Data that cannot load is refused before anything is written. Image files are decoded
    // first (once: into the data cache).
    if (config.train.epochs > 0 || config.strategy.kind === "pruned") {
      await prepareDataset(config.data.source);
    }
    if (config.train.epochs > 0) loadData();
    if (!resume) directory?.writeConfig();
    const split = dataParallel
      ? { world_size: dataParallel.worldSize, sync_batch_norm: dataParallel.syncBatchNorm }
      : null;
    recordOrCheckSplit(runDir, split, resume, writes);
    const progress = options.progress ?? "auto";
    await preparePruning(model, config, {
      runDir,
      resume,
      progress,
      data: loadData,
      dataParallel,
      device: options.device,
      workers: options.workers,
    });
    // The directory was checked above: what it holds committed (nothing, for a new run, or
    // a pruned run's fine-tuning before its masks were fixed) is what the run continues.
    const result =
      config.train.epochs > 0
        ? await trainInDirectory({
            model,
            data: loadData(),
            config: config.train,
            dir: runDir,
            resume: true,
            progress,
            onEpoch: options.onEpoch,
            dataParallel,
            device: options.device,
            workers: options.workers,
          })
        : null;
    const summary = summarize(config, options, {
      plan,
      result,
      pruning: pruningFigures(model, config),
      seconds: (performance.now() - started) / 1000,
    });
    // Written under the lock: whoever takes the directory next finds the run finished.
    directory?.writeSummary(summary);
    failed = false;
    return summary;
  } finally {
    await directory?.close(failed);
    model.dispose();
  }
}

/** summary.json's contents (docs/run-summary.md). */
function summarize(
  config: RunConfig,
  options: RunOptions,
  run: {
    plan: ReturnType<typeof createPemnModel>["plan"];
    result: TrainResult | null;
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
    classes: config.model.classes,
    class_names: classNamesOf(config),
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

/** The classes' names as the dataset gives them, when they match the model's classes. */
function classNamesOf(config: RunConfig): string[] | null {
  const names = datasetClassNames(config.data.source);
  return names !== null && names.length === config.model.classes ? [...names] : null;
}

/** The epochs' mean training throughput (every epoch trains on the same images). */
function meanThroughput(history: readonly EpochMetrics[]): number {
  return history.reduce((sum, epoch) => sum + epoch.img_per_s, 0) / history.length;
}
