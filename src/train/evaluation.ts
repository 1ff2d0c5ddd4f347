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
): Evaluation {
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
        tidy(() => {
          const { images, labels } = batchTensors(batch, model.inputMemoryFormat, device);
          const logits = model.forward(images);
          const [loss, correct] = readScalars([
            F.crossEntropy(logits, labels),
            correctCount(logits, labels),
          ]) as [number, number];
          totals.add(loss, correct, batch.size);
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
