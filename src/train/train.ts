import type { Dataset } from "../data/index.js";
import { resolveDevice } from "../engine/index.js";
import { BatchNorm, type Layer } from "../nn/index.js";
import {
  type Checkpoint,
  restoreModel,
  restoreOptimizer,
  trainingCheckpointContents,
} from "./checkpoint.js";
import { type CheckpointContents, firstNonFinite } from "./checkpoint-container.js";
import { CheckpointError } from "./checkpoint-error.js";
import { createOptimizer } from "./create-optimizer.js";
import type { DataParallel } from "./data-parallel.js";
import { type BestValidation, type EpochMetrics, improvedValidation } from "./epoch-metrics.js";
import { type Evaluation, evaluate } from "./evaluation.js";
import type { Optimizer } from "./optimizer.js";
import { StepPrecision } from "./precision.js";
import { createProgress, type ProgressMode } from "./progress.js";
import type { RunState } from "./run-state.js";
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from "./train-config.js";
import { startDataWorkers, trainEpoch, trainingLoader } from "./train-epoch.js";
import { TrainingDivergedError } from "./training-diverged-error.js";

/**
 * The three splits: train to learn, validation to select, test only for the final report. An
 * empty validation split means none: no epoch is validated, state.json's best is the last epoch, and the
 * last epoch is the model.
 */
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
  /**
   * The state to continue from: a checkpoint of this model, taken under this config (or the
   * same one with fewer epochs: the run is extended). Reading and checking it against a run
   * directory is src/run's part; train() touches no files.
   */
  readonly resumeFrom?: Checkpoint;
  /** Called after each epoch; the caller may save the state it gives (src/run commits it). */
  readonly onEpoch?: (epoch: EpochEnd) => void | Promise<void>;
  readonly progress?: ProgressMode;
  /** Train as one rank of a data-parallel job (see data-parallel.ts); rank 0 alone writes. */
  readonly dataParallel?: DataParallel;
  /**
   * Where to train: "cpu", "cuda", "cuda:N" or "auto" (default "cpu"). The model is moved
   * there. Not part of the config: a run may resume on another device.
   */
  readonly device?: string;
  /**
   * Worker threads making the training batches (default 0: this thread). Not part of the
   * config either: the batches are the same bit for bit whatever the number.
   */
  readonly workers?: number;
}

/** What an epoch ended with. */
export interface EpochEnd {
  readonly record: EpochMetrics;
  readonly state: RunState;
  /** Whether this epoch is now the model to keep: the best validation, or the last without one. */
  readonly improved: boolean;
  /**
   * The state to save (model, optimizer, run), read from the model now. Throws
   * TrainingDivergedError if a tensor is not finite: such a state is never saved.
   */
  checkpoint(): CheckpointContents;
}

export interface TrainResult {
  readonly config: TrainConfig;
  /** Every epoch of the run, including those before a resume. */
  readonly history: readonly EpochMetrics[];
  /** null without a validation split. */
  readonly bestValidation: BestValidation | null;
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
 * Trains `model` for config.epochs epochs: per batch a scheduled optimizer step, per epoch a
 * validation pass and onEpoch; at the end a test pass. Writes no file: src/run's
 * trainInDirectory keeps checkpoints and metrics.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config = parseTrainConfig(options.config);
  const { model, data, dataParallel } = options;
  checkSplitsAgree(data);
  dataParallel?.prepare(model, data.train.count, config);
  const batchesPerEpoch = trainingLoader(data.train, config, 1).batchesPerEpoch;
  if (batchesPerEpoch === 0) {
    throw new RangeError(
      `no training batch: ${data.train.count} images with batchSize ${config.batchSize} and dropLast`,
    );
  }
  const hasBatchNorm = model.namedModules().some(([, module]) => module instanceof BatchNorm);
  const lastBatch = data.train.count % config.batchSize;
  if (hasBatchNorm && (config.batchSize === 1 || (lastBatch === 1 && !config.dropLast))) {
    throw new RangeError(
      `a training batch would hold 1 image (${data.train.count} images, batchSize ${config.batchSize}), which BatchNorm cannot normalise: change batchSize${config.batchSize === 1 ? "" : " or set dropLast"}`,
    );
  }
  const device = resolveDevice(options.device ?? "cpu");
  const precision = new StepPrecision(config.precision ?? "fp32", device);
  model.to(device);
  const optimizer = createOptimizer(config.optimizer, model.namedParameters());
  // Rank 0 alone reports a data-parallel run.
  const reports = dataParallel?.writes ?? true;
  const progress = createProgress(reports ? (options.progress ?? "auto") : "none", config.epochs);
  let dataWorkers: Awaited<ReturnType<typeof startDataWorkers>> = null;
  try {
    let run: RunState = options.resumeFrom
      ? resumeFrom(options.resumeFrom, model, optimizer, config, batchesPerEpoch)
      : { epochsCompleted: 0, step: 0, config, history: [], bestValidation: null };
    const resumedFromEpoch = options.resumeFrom ? run.epochsCompleted : null;
    for (let epoch = run.epochsCompleted + 1; epoch <= config.epochs; epoch++) {
      dataWorkers ??= await startDataWorkers(data.train, config, options.workers ?? 0);
      progress.startEpoch(epoch, batchesPerEpoch);
      const trained = await trainEpoch({
        model,
        optimizer,
        dataset: data.train,
        config,
        epoch,
        onStep: (step) => progress.step(step),
        dataParallel,
        precision,
        dataWorkers,
      });
      const evaluationStarted = performance.now();
      dataParallel?.syncBuffers(model);
      const validation =
        data.validation.count > 0
          ? evaluate(
              model,
              data.validation,
              config.batchSize,
              dataParallel,
              progress.evaluation("validation", data.validation.count),
            )
          : null;
      const test = config.testEachEpoch
        ? evaluate(
            model,
            data.test,
            config.batchSize,
            dataParallel,
            progress.evaluation("test", data.test.count),
          )
        : null;
      const record: EpochMetrics = {
        epoch,
        lr: trained.lastLearningRate,
        train_loss: trained.loss,
        train_accuracy: trained.accuracy,
        val_loss: validation?.loss ?? null,
        val_accuracy: validation?.accuracy ?? null,
        ...(test && { test_loss: test.loss, test_accuracy: test.accuracy }),
        img_per_s: trained.images / trained.seconds,
        seconds: trained.seconds + (performance.now() - evaluationStarted) / 1000,
        ...(dataParallel && {
          world_size: dataParallel.worldSize,
          all_reduced_bytes_per_step: trained.allReducedBytesPerStep,
        }),
      };
      const nonFiniteLoss = (["train_loss", "val_loss", "test_loss"] as const).find(
        // null: not measured (no validation split).
        (field) => typeof record[field] === "number" && !Number.isFinite(record[field]),
      );
      if (nonFiniteLoss) diverged(epoch, `${nonFiniteLoss} is ${record[nonFiniteLoss]}`);
      const improved = improvedValidation(run.bestValidation, record);
      run = {
        epochsCompleted: epoch,
        step: run.step + batchesPerEpoch,
        config,
        history: [...run.history, record],
        bestValidation: improved ?? run.bestValidation,
      };
      const state = run;
      await options.onEpoch?.({
        record,
        state,
        // Without a validation split the model is the last epoch.
        improved: improved !== null || validation === null,
        checkpoint: () => finiteCheckpoint(model, optimizer, state),
      });
      progress.endEpoch(record);
    }
    const last = run.history.at(-1);
    const test =
      last?.test_accuracy !== undefined && last.test_loss !== undefined
        ? { loss: last.test_loss, accuracy: last.test_accuracy, count: data.test.count }
        : evaluate(
            model,
            data.test,
            config.batchSize,
            dataParallel,
            progress.evaluation("test", data.test.count),
          );
    return {
      config,
      history: run.history,
      bestValidation: run.bestValidation,
      test,
      referenceBestTest: config.testEachEpoch ? bestTest(run.history) : null,
      resumedFromEpoch,
    };
  } finally {
    progress.stop();
    optimizer.dispose();
    precision.dispose();
    await dataWorkers?.close();
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

/** Stops the run before its epoch is saved: a saved run keeps its last committed epoch. */
function diverged(epoch: number, detail: string): never {
  throw new TrainingDivergedError(
    `training diverged in epoch ${epoch}: ${detail}; nothing of epoch ${epoch} was written, ${epoch === 1 ? "no epoch was committed" : `the run directory keeps epoch ${epoch - 1}`}`,
  );
}

/** The state to save after an epoch; a tensor that is not finite stops the run instead. */
function finiteCheckpoint(model: Layer, optimizer: Optimizer, run: RunState): CheckpointContents {
  const contents = trainingCheckpointContents(model, optimizer, run);
  const nonFinite = firstNonFinite(contents.tensors);
  if (nonFinite) {
    diverged(
      run.epochsCompleted,
      `tensor "${nonFinite.name}" holds ${nonFinite.value} at element ${nonFinite.index}`,
    );
  }
  return contents;
}

/**
 * Continues from a checkpoint of this model: the data must give the same batches per epoch
 * (its step count says how many it was trained with). Its config may ask for fewer epochs
 * than `config` (the run is extended); src/run checks the rest of it against the run's.
 */
function resumeFrom(
  checkpoint: Checkpoint,
  model: Layer,
  optimizer: Optimizer,
  config: TrainConfig,
  batchesPerEpoch: number,
): RunState {
  const { run } = checkpoint;
  if (run.step !== run.epochsCompleted * batchesPerEpoch) {
    throw new CheckpointError(
      checkpoint.file,
      `the run took ${run.step} steps in ${run.epochsCompleted} epochs, but this training set gives ${batchesPerEpoch} batches per epoch: it is not the same data`,
    );
  }
  restoreModel(model, checkpoint);
  restoreOptimizer(optimizer, checkpoint);
  return { ...run, config };
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
