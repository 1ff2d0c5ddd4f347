import { existsSync, mkdirSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import type { Dataset } from "../data/index.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { Layer } from "../nn/index.js";
import {
  encodeTrainingCheckpoint,
  readTrainingCheckpoint,
  restoreModel,
  restoreOptimizer,
} from "./checkpoint.js";
import { CheckpointError } from "./checkpoint-error.js";
import { createOptimizer } from "./create-optimizer.js";
import type { DataParallel } from "./data-parallel.js";
import { type BestValidation, type EpochMetrics, improvedValidation } from "./epoch-metrics.js";
import { type Evaluation, evaluate } from "./evaluation.js";
import { appendMetrics, rewriteMetrics } from "./metrics-log.js";
import type { Optimizer } from "./optimizer.js";
import { createProgress, type ProgressMode } from "./progress.js";
import { type RunFiles, runFiles } from "./run-files.js";
import type { RunState } from "./run-state.js";
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from "./train-config.js";
import { trainEpoch, trainingLoader } from "./train-epoch.js";

/** The three splits: train to learn, validation to select, test only for the final report. */
export interface TrainData {
  readonly train: Dataset;
  readonly validation: Dataset;
  readonly test: Dataset;
}

export interface TrainOptions {
  /** Any layer; its parameters (namedParameters()) are what the optimizer trains. */
  readonly model: Layer;
  readonly data: TrainData;
  /** Validated here (parseTrainConfig); defaults are filled in. */
  readonly config: TrainConfigInput;
  /** Where checkpoints and metrics go; without it nothing is written. */
  readonly runDir?: string;
  /** Continue the run in runDir from its last checkpoint (same config required). */
  readonly resume?: boolean;
  /** Called after each epoch, once its checkpoint and metrics line are on disk. */
  readonly onEpoch?: (record: EpochMetrics) => void | Promise<void>;
  readonly progress?: ProgressMode;
  /** Train as one rank of a data-parallel job (see data-parallel.ts); rank 0 alone writes. */
  readonly dataParallel?: DataParallel;
}

export interface TrainResult {
  readonly config: TrainConfig;
  /** Every epoch of the run, including those before a resume. */
  readonly history: readonly EpochMetrics[];
  readonly bestValidation: BestValidation;
  /** The final-epoch model on the test split: the figure the project reports. */
  readonly test: Evaluation;
  /**
   * The reference code's figure, best test accuracy over epochs (selected on the test set,
   * so optimistic); only with testEachEpoch.
   */
  readonly referenceBestTest: { readonly epoch: number; readonly accuracy: number } | null;
  /** The epoch the run continued after, when resumed. */
  readonly resumedFromEpoch: number | null;
}

/**
 * Trains `model` for config.epochs epochs: per batch a scheduled optimizer step, per epoch
 * a validation pass, a checkpoint and a metrics line; at the end a test pass.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config = parseTrainConfig(options.config);
  const { model, data, dataParallel } = options;
  checkSplitsAgree(data);
  dataParallel?.prepare(model, data.train.count, config);
  const writes = dataParallel?.writes ?? true;
  const batchesPerEpoch = trainingLoader(data.train, config, 1).batchesPerEpoch;
  if (batchesPerEpoch === 0) {
    throw new RangeError(
      `no training batch: ${data.train.count} images with batchSize ${config.batchSize} and dropLast`,
    );
  }
  if (options.resume && options.runDir === undefined) throw new Error("resume needs a runDir");
  const files =
    options.runDir === undefined ? null : prepareRunDir(options.runDir, options.resume === true);
  const optimizer = createOptimizer(config.optimizer, model.namedParameters());
  const progress = createProgress(writes ? (options.progress ?? "auto") : "none", config.epochs);
  try {
    let run: RunState = {
      epochsCompleted: 0,
      step: 0,
      config,
      history: [],
      bestValidation: null,
    };
    if (files && options.resume) {
      run = resumeRun(files, model, optimizer, config, batchesPerEpoch, writes);
    } else if (files && writes) rewriteMetrics(files.metrics, []); // lines of a run killed in its first epoch
    const resumedFromEpoch = options.resume ? run.epochsCompleted : null;
    for (let epoch = run.epochsCompleted + 1; epoch <= config.epochs; epoch++) {
      progress.startEpoch(epoch, batchesPerEpoch);
      const trained = trainEpoch({
        model,
        optimizer,
        dataset: data.train,
        config,
        epoch,
        onStep: (step) => progress.step(step),
        dataParallel,
      });
      const evaluationStarted = performance.now();
      dataParallel?.syncBuffers(model);
      const validation = evaluate(model, data.validation, config.batchSize, dataParallel);
      const test = config.testEachEpoch
        ? evaluate(model, data.test, config.batchSize, dataParallel)
        : null;
      const record: EpochMetrics = {
        epoch,
        lr: trained.lastLearningRate,
        train_loss: trained.loss,
        train_accuracy: trained.accuracy,
        val_loss: validation.loss,
        val_accuracy: validation.accuracy,
        ...(test && { test_loss: test.loss, test_accuracy: test.accuracy }),
        img_per_s: trained.images / trained.seconds,
        seconds: trained.seconds + (performance.now() - evaluationStarted) / 1000,
        ...(dataParallel && {
          world_size: dataParallel.worldSize,
          all_reduced_bytes_per_step: trained.allReducedBytesPerStep,
        }),
      };
      const improved = improvedValidation(run.bestValidation, record);
      run = {
        epochsCompleted: epoch,
        step: run.step + batchesPerEpoch,
        config,
        history: [...run.history, record],
        bestValidation: improved ?? run.bestValidation,
      };
      if (files && writes) {
        const checkpoint = encodeTrainingCheckpoint(model, optimizer, run);
        writeFileAtomic(files.last, checkpoint);
        if (improved) writeFileAtomic(files.best, checkpoint);
        appendMetrics(files.metrics, record);
      }
      progress.endEpoch(record);
      await options.onEpoch?.(record);
    }
    const last = run.history.at(-1);
    const test =
      last?.test_accuracy !== undefined && last.test_loss !== undefined
        ? { loss: last.test_loss, accuracy: last.test_accuracy, count: data.test.count }
        : evaluate(model, data.test, config.batchSize, dataParallel);
    return {
      config,
      history: run.history,
      bestValidation: run.bestValidation as BestValidation,
      test,
      referenceBestTest: config.testEachEpoch ? bestTest(run.history) : null,
      resumedFromEpoch,
    };
  } finally {
    progress.stop();
    optimizer.dispose();
  }
}

function checkSplitsAgree(data: TrainData): void {
  const describe = (dataset: Dataset) =>
    `${dataset.channels}x${dataset.height}x${dataset.width} images of ${dataset.classes} classes`;
  for (const split of ["validation", "test"] as const) {
    if (describe(data[split]) !== describe(data.train)) {
      throw new RangeError(
        `the ${split} split holds ${describe(data[split])}, the train split ${describe(data.train)}`,
      );
    }
  }
}

/** Creates the directory; refuses to overwrite a run's checkpoint unless resuming it. */
function prepareRunDir(runDir: string, resume: boolean): RunFiles {
  const files = runFiles(runDir);
  mkdirSync(runDir, { recursive: true });
  if (!resume && existsSync(files.last)) {
    throw new CheckpointError(
      files.last,
      "a run already lives here: pass resume to continue it, or choose another runDir",
    );
  }
  return files;
}

function resumeRun(
  files: RunFiles,
  model: Layer,
  optimizer: Optimizer,
  config: TrainConfig,
  batchesPerEpoch: number,
  writes: boolean,
): RunState {
  const checkpoint = readTrainingCheckpoint(files.last);
  const { run } = checkpoint;
  if (!isDeepStrictEqual(run.config, config)) {
    const differing = Object.keys(config).filter(
      (key) =>
        !isDeepStrictEqual(run.config[key as keyof TrainConfig], config[key as keyof TrainConfig]),
    );
    throw new CheckpointError(
      files.last,
      `the run was started with a different config (${differing.join(", ")} differ); resume needs the same one`,
    );
  }
  if (run.step !== run.epochsCompleted * batchesPerEpoch) {
    throw new CheckpointError(
      files.last,
      `the run took ${run.step} steps in ${run.epochsCompleted} epochs, but this training set gives ${batchesPerEpoch} batches per epoch: it is not the same data`,
    );
  }
  restoreModel(model, checkpoint);
  restoreOptimizer(optimizer, checkpoint);
  if (writes) rewriteMetrics(files.metrics, run.history);
  return run;
}

function bestTest(history: readonly EpochMetrics[]): { epoch: number; accuracy: number } | null {
  let best: { epoch: number; accuracy: number } | null = null;
  for (const record of history) {
    const accuracy = record.test_accuracy;
    if (accuracy !== undefined && (best === null || accuracy > best.accuracy)) {
      best = { epoch: record.epoch, accuracy };
    }
  }
  return best;
}
