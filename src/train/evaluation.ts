import { BatchLoader, type Dataset } from "../data/index.js";
import { F, noGrad, tidy } from "../engine/index.js";
import { type Layer, refreshMasks } from "../nn/index.js";
import { batchTensors, correctCount } from "./batch-tensors.js";
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
 */
export function evaluate(model: Layer, dataset: Dataset, batchSize: number): Evaluation {
  const loader = new BatchLoader(dataset, { mode: "evaluate", batchSize });
  const totals = new RunningTotals();
  const wasTraining = model.training;
  model.eval();
  try {
    refreshMasks(model);
    noGrad(() => {
      for (const batch of loader.epoch()) {
        tidy(() => {
          const { images, labels } = batchTensors(batch, model.inputMemoryFormat);
          const logits = model.forward(images);
          const loss = F.crossEntropy(logits, labels).item();
          totals.add(loss, correctCount(logits, labels), batch.size);
        });
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: totals.loss, accuracy: totals.accuracy, count: totals.count };
}
