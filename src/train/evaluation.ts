import { BatchLoader, type Dataset } from "../data/index.js";
import { F, noGrad, tidy } from "../engine/index.js";
import { type Layer, refreshMasks } from "../nn/index.js";
import { batchTensors, correctCount, readScalars } from "./batch-tensors.js";
import type { DataParallel } from "./data-parallel.js";
import type { EvaluationProgress } from "./progress.js";
import { RunningTotals } from "./running-totals.js";

/** Mean cross-entropy (no label smoothing) and accuracy over a whole dataset. */
export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
}

/**
 * A batch's logits as float32 [size, classes], its labels, and the dataset index of its first
 * image (the batch's images are the next ones in order); for per-image predictions.
 */
export type BatchLogits = (batch: {
  readonly logits: Float32Array;
  readonly labels: BigInt64Array;
  readonly firstIndex: number;
}) => void;

/**
 * Evaluates `model` on every image of `dataset`, in order, in evaluation mode (BatchNorm
 * running statistics, no dropout) with autograd off; the model's mode is restored after.
 * Data-parallel: each rank evaluates its share of every batch, and all get the totals.
 */
export function evaluate(
  model: Layer,
  dataset: Dataset,
  batchSize: number,
  dataParallel?: DataParallel,
  onProgress?: EvaluationProgress,
  onLogits?: BatchLogits,
): Evaluation {
  if (onLogits !== undefined && dataParallel !== undefined) {
    throw new Error("per-image logits are for a single process, not a data-parallel evaluation");
  }
  const device = model.device;
  let images = 0;
  const loader = new BatchLoader(dataset, {
    mode: "evaluate",
    batchSize,
    shard: dataParallel?.shard(),
  });
  const totals = new RunningTotals();
  const wasTraining = model.training;
  model.eval();
  try {
    refreshMasks(model);
    noGrad(() => {
      for (const batch of loader.epoch()) {
        if (batch.size === 0) continue; // a last batch smaller than the ranks
        const firstIndex = images;
        tidy(() => {
          const { images, labels } = batchTensors(batch, model.inputMemoryFormat, device);
          const logits = model.forward(images);
          const [loss, correct] = readScalars([
            F.crossEntropy(logits, labels),
            correctCount(logits, labels),
          ]) as [number, number];
          totals.add(loss, correct, batch.size);
          onLogits?.({ logits: logits.toFloat32Array(), labels: batch.labels, firstIndex });
        });
        images += batch.globalSize;
        onProgress?.(images);
      }
    });
  } finally {
    model.train(wasTraining);
    onProgress?.(images, true);
  }
  const all = dataParallel ? dataParallel.reduceTotals(totals) : totals;
  return { loss: all.loss, accuracy: all.accuracy, count: all.count };
}
