import { rmSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Dataset } from "../data/index.js";
import { resolveDevice } from "../engine/index.js";
import { makeDirectory, removeStaleTemporaries } from "../io/atomic-write.js";
import { BatchNorm, type Layer } from "../nn/index.js";
import { restoreModel, restoreOptimizer, trainingCheckpointContents } from "./checkpoint.js";
import { encodeCheckpoint, firstNonFinite } from "./checkpoint-container.js";
import { CheckpointError } from "./checkpoint-error.js";
import { createOptimizer } from "./create-optimizer.js";
import type { DataParallel } from "./data-parallel.js";
import { type BestValidation, type EpochMetrics, improvedValidation } from "./epoch-metrics.js";
import { type Evaluation, evaluate } from "./evaluation.js";
import type { Optimizer } from "./optimizer.js";
import { StepPrecision } from "./precision.js";
import { createProgress, type ProgressMode } from "./progress.js";
import {
  commitEpoch,
  holdsCommittedRun,
  METRICS_FILE,
  type RunManifest,
  readRunCheckpoint,
  readRunManifest,
  removeUnreferencedCheckpoints,
  rewriteMetrics,
} from "./run-manifest.js";
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
  /** Where checkpoints and metrics go; without it nothing is written. */
  readonly runDir?: string;
  /** Continue the run in runDir from its last checkpoint (same config required). */
  readonly resume?: boolean;
  /** Called after each epoch, once its checkpoint and metrics line are on disk. */
  readonly onEpoch?: (record: EpochMetrics) => void | Promise<void>;
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
  const hasBatchNorm = model.namedModules().some(([, module]) => module instanceof BatchNorm);
  const lastBatch = data.train.count % config.batchSize;
  if (hasBatchNorm && (config.batchSize === 1 || (lastBatch === 1 && !config.dropLast))) {
    throw new RangeError(
      `a training batch would hold 1 image (${data.train.count} images, batchSize ${config.batchSize}), which BatchNorm cannot normalise: change batchSize${config.batchSize === 1 ? "" : " or set dropLast"}`,
    );
  }
  if (options.resume && options.runDir === undefined) throw new Error("resume needs a runDir");
  const runDir = options.runDir;
  const resume = options.resume === true;
  // Rank 0 alone owns the directory; the other ranks of a data-parallel run only read it.
  let manifest =
    runDir === undefined
      ? null
      : writes
        ? prepareRunDir(runDir, resume)
        : resume
          ? readRunManifest(runDir)
          : null;
  const device = resolveDevice(options.device ?? "cpu");
  const precision = new StepPrecision(config.precision ?? "fp32", device);
  model.to(device);
  const optimizer = createOptimizer(config.optimizer, model.namedParameters());
  const progress = createProgress(writes ? (options.progress ?? "auto") : "none", config.epochs);
  let dataWorkers: Awaited<ReturnType<typeof startDataWorkers>> = null;
  try {
    let run: RunState = {
      epochsCompleted: 0,
      step: 0,
      config,
      history: [],
      bestValidation: null,
    };
    if (runDir !== undefined && manifest !== null) {
      run = resumeRun(runDir, model, optimizer, config, batchesPerEpoch, writes);
    } else if (runDir !== undefined && writes) {
      rmSync(join(runDir, METRICS_FILE), { force: true }); // lines of a run killed in its first epoch
    }
    const resumedFromEpoch = options.resume ? run.epochsCompleted : null;
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
      if (runDir !== undefined && writes) {
        const contents = trainingCheckpointContents(model, optimizer, run);
        const nonFinite = firstNonFinite(contents.tensors);
        if (nonFinite) {
          diverged(
            epoch,
            `tensor "${nonFinite.name}" holds ${nonFinite.value} at element ${nonFinite.index}`,
          );
        }
        manifest = commitEpoch(runDir, manifest, {
          record,
          checkpoint: encodeCheckpoint(contents),
          // Without a validation split the model is the last epoch: state.json's best follows it.
          improved: improved !== null || validation === null,
        });
      }
      progress.endEpoch(record);
      await options.onEpoch?.(record);
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

/** Stops the run; the run directory keeps its last committed epoch. */
function diverged(epoch: number, detail: string): never {
  throw new TrainingDivergedError(
    `training diverged in epoch ${epoch}: ${detail}; nothing of epoch ${epoch} was written, ${epoch === 1 ? "no epoch was committed" : `the run directory keeps epoch ${epoch - 1}`}`,
  );
}

/**
 * Creates the directory, refuses to overwrite a committed run unless resuming it, and
 * removes what killed writes left (temporary files, checkpoints state.json does not name).
 * The caller must own the directory (runTraining locks it). Returns the committed state.
 */
function prepareRunDir(runDir: string, resume: boolean): RunManifest | null {
  makeDirectory(runDir);
  if (!resume && holdsCommittedRun(runDir)) {
    throw new CheckpointError(
      runDir,
      "a run already lives here: pass resume to continue it, or choose another runDir",
    );
  }
  const manifest = resume ? readRunManifest(runDir) : null;
  removeStaleTemporaries(runDir);
  removeUnreferencedCheckpoints(runDir, manifest);
  return manifest;
}

function resumeRun(
  runDir: string,
  model: Layer,
  optimizer: Optimizer,
  config: TrainConfig,
  batchesPerEpoch: number,
  writes: boolean,
): RunState {
  const checkpoint = readRunCheckpoint(runDir, "last");
  const { run } = checkpoint;
  const differing = Object.keys({ ...run.config, ...config }).filter(
    (key) =>
      !isDeepStrictEqual(run.config[key as keyof TrainConfig], config[key as keyof TrainConfig]),
  );
  const extending =
    differing.length === 1 && differing[0] === "epochs" && config.epochs > run.config.epochs;
  if (differing.length > 0 && !extending) {
    throw new CheckpointError(
      checkpoint.file,
      `the run was started with a different config (${differing.join(", ")} differ); resume needs the same one`,
    );
  }
  if (run.step !== run.epochsCompleted * batchesPerEpoch) {
    throw new CheckpointError(
      checkpoint.file,
      `the run took ${run.step} steps in ${run.epochsCompleted} epochs, but this training set gives ${batchesPerEpoch} batches per epoch: it is not the same data`,
    );
  }
  restoreModel(model, checkpoint);
  restoreOptimizer(optimizer, checkpoint);
  if (writes) rewriteMetrics(join(runDir, METRICS_FILE), run.history);
  if (!extending) return run;
  if (writes && config.schedule.kind !== "constant") {
    // The schedule is a function of the total: the epochs to come follow the new span.
    process.stderr.write(
      `extending the run from ${run.config.epochs} to ${config.epochs} epochs: the ${config.schedule.kind} schedule now spans ${config.epochs} epochs, so ${epochSpan(run.epochsCompleted + 1, config.epochs)} take its rates there (${epochSpan(1, run.epochsCompleted)} trained under the ${run.config.epochs}-epoch span)\n`,
    );
  }
  return { ...run, config };
}

/** "epoch 3" or "epochs 2-5". */
function epochSpan(first: number, last: number): string {
  return first === last ? `epoch ${first}` : `epochs ${first}-${last}`;
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
