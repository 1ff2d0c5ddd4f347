import { type Batch, BatchLoader, BatchWorkerPool, type Dataset } from "../data/index.js";
import { F, keep, manualSeed, type Tensor, tidy } from "../engine/index.js";
import { type Layer, refreshMasks } from "../nn/index.js";
import { createGenerator } from "../random/index.js";
import { batchTensors, correctCount, readScalars } from "./batch-tensors.js";
import { clipGradNorm } from "./clip-grad-norm.js";
import type { DataParallel } from "./data-parallel.js";
import { learningRateAt, progressAfterStep } from "./learning-rate.js";
import type { Optimizer } from "./optimizer.js";
import type { StepPrecision } from "./precision.js";
import type { StepProgress } from "./progress.js";
import { RunningTotals } from "./running-totals.js";
import type { TrainConfig } from "./train-config.js";
import { TrainingDivergedError } from "./training-diverged-error.js";

/**
 * The training loader of epoch `epoch` (from 1). Its order and augmentations come from a
 * generator stream of (seed, epoch) alone, so a resumed run sees the same batches.
 */
export function trainingLoader(
  dataset: Dataset,
  config: TrainConfig,
  epoch: number,
  dataParallel?: DataParallel,
): BatchLoader {
  return new BatchLoader(dataset, {
    mode: "train",
    batchSize: config.batchSize,
    dropLast: config.dropLast,
    augmentation: config.augmentation,
    random: createGenerator(config.seed, `train/data/epoch-${epoch}`),
    shard: dataParallel?.shard(
      createGenerator(config.seed, `train/data/epoch-${epoch}/rank-${dataParallel.rank}`),
    ),
  });
}

/**
 * Worker threads making the training batches of every epoch of a run (null for 0: the main
 * thread makes them). They make the same batches as the main thread, bit for bit, so the
 * number is no part of the config. Close the pool when training ends, error or not.
 */
export async function startDataWorkers(
  dataset: Dataset,
  config: TrainConfig,
  workers: number,
): Promise<BatchWorkerPool | null> {
  if (workers === 0) return null;
  return BatchWorkerPool.start(dataset, { workers, augmentation: config.augmentation });
}

/** libtorch's own generator (dropout) is reseeded from (seed, epoch) for the same reason. */
function seedLibtorch(config: TrainConfig, epoch: number, dataParallel?: DataParallel): void {
  const rank = dataParallel ? `/rank-${dataParallel.rank}` : "";
  manualSeed(createGenerator(config.seed, `train/libtorch/epoch-${epoch}${rank}`).nextUint32());
}

export interface EpochTraining {
  readonly model: Layer;
  readonly optimizer: Optimizer;
  readonly dataset: Dataset;
  readonly config: TrainConfig;
  /** From 1. */
  readonly epoch: number;
  readonly onStep: (progress: StepProgress) => void;
  /** Data-parallel training: this rank's share of each batch, gradients summed over ranks. */
  readonly dataParallel?: DataParallel;
  readonly precision: StepPrecision;
  /** Makes the batches in worker threads (startDataWorkers); without it, this thread does. */
  readonly dataWorkers?: BatchWorkerPool | null;
}

export interface TrainedEpoch {
  readonly loss: number;
  readonly accuracy: number;
  readonly images: number;
  readonly seconds: number;
  /** The rate of the epoch's last step. */
  readonly lastLearningRate: number;
  /** Bytes the epoch's last step all-reduced (0 without data parallelism). */
  readonly allReducedBytesPerStep: number;
}

interface UploadedBatch {
  readonly data: Batch;
  readonly images: Tensor;
  readonly labels: Tensor;
}

/** How often a training epoch lets the event loop run (a signal waits at most this, and a step). */
const YIELD_EVERY_MS = 50;

/**
 * One pass over the training set: a scheduled optimizer step per batch. It yields to the
 * event loop between steps, so one process should train one model at a time (libtorch's
 * generator, seeded per epoch, is the process's).
 */
export async function trainEpoch({
  model,
  optimizer,
  dataset,
  config,
  epoch,
  onStep,
  dataParallel,
  precision,
  dataWorkers,
}: EpochTraining): Promise<TrainedEpoch> {
  const device = model.device; // batches go where the model is
  const loader = trainingLoader(dataset, config, epoch, dataParallel);
  const batches = loader.batchesPerEpoch;
  const parameters = model.parameters();
  const schedule = { peak: config.optimizer.lr, epochs: config.epochs };
  const totals = new RunningTotals();
  const started = performance.now();
  let learningRate = Number.NaN;
  let batch = 0;
  let globalImages = 0; // all ranks' images, for the throughput shown
  let lastYield = started;
  seedLibtorch(config, epoch, dataParallel);
  model.train();
  const batchesLeft = dataWorkers ? dataWorkers.stream(loader) : loader.stream();
  // The next batch is sent while the device still runs this step; on this thread it is also
  // read and augmented then, while workers make it ahead (ready() waits for it beforehand).
  const upload = (): UploadedBatch | null => {
    const next = batchesLeft.take();
    if (next === null) return null;
    const { images, labels } = batchTensors(next, model.inputMemoryFormat, device);
    return { data: next, images: keep(images), labels: keep(labels) };
  };
  try {
    await batchesLeft.ready();
    for (let current = upload(); current !== null; ) {
      const { data, images, labels } = current;
      learningRate = learningRateAt(
        config.schedule,
        schedule,
        progressAfterStep(epoch - 1, batch, batches),
      );
      optimizer.learningRate = learningRate;
      await batchesLeft.ready(); // workers: the batch upload() takes in this step is here
      tidy(() => {
        dataParallel?.startStep();
        refreshMasks(model);
        const { logits, loss } = precision.forward(() => {
          const logits = model.forward(images);
          return {
            logits,
            loss: F.crossEntropy(logits, labels, { labelSmoothing: config.labelSmoothing }),
          };
        });
        const scaled = precision.scaled(loss);
        if (dataParallel) {
          scaled.mul(dataParallel.lossScale(data.size, data.globalSize)).backward();
        } else scaled.backward();
        current = upload();
        // The step's one wait for the device: its loss and its correct count.
        const [value, correct] = readScalars([loss, correctCount(logits, labels)]) as [
          number,
          number,
        ];
        // Checked before the gradients leave this rank, so no parameter takes a non-finite update.
        if (!Number.isFinite(value)) {
          throw new TrainingDivergedError(
            `training diverged: loss is ${value} at epoch ${epoch}, batch ${batch + 1}`,
          );
        }
        totals.add(value, correct, data.size);
        if (dataParallel) dataParallel.reduceGradients(parameters);
        // fp16 only: a gradient that overflowed skips the step (a second wait, as GradScaler's).
        if (precision.unscaleFinite(parameters)) {
          if (config.clipNorm !== null) clipGradNorm(parameters, config.clipNorm);
          optimizer.step();
        }
        optimizer.zeroGrad();
      });
      images.dispose();
      labels.dispose();
      batch += 1;
      globalImages += data.globalSize;
      const seconds = (performance.now() - started) / 1000;
      const stepsLeft = (config.epochs - epoch) * batches + (batches - batch);
      onStep({
        batch,
        loss: totals.loss,
        accuracy: totals.accuracy,
        imagesPerSecond: globalImages / seconds,
        etaSeconds: (seconds / batch) * stepsLeft,
      });
      // Signal handlers (SIGINT releasing the run's lock) run only when the event loop turns.
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  } finally {
    batchesLeft.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const epochTotals = dataParallel ? dataParallel.reduceTotals(totals) : totals;
  return {
    loss: epochTotals.loss,
    accuracy: epochTotals.accuracy,
    images: epochTotals.count,
    seconds,
    lastLearningRate: learningRate,
    allReducedBytesPerStep: dataParallel?.bytesPerStep ?? 0,
  };
}
