import { writeFileAtomic } from "../io/atomic-write.js";
import type { BatchLogits } from "../train/index.js";
import { argmax, softmax } from "./softmax.js";

/** One image's prediction, as a line of `pemn eval --predictions`. */
export interface ImagePrediction {
  /** The image's index in the split evaluated (its order in the dataset's files). */
  readonly index: number;
  readonly label: number;
  /** The class with the largest logit (the first of equal ones). */
  readonly predicted: number;
  /** Its name, where the model's data names its classes. */
  readonly class?: string;
  /** Softmax of the logits (float64, 8 significant digits), by class. */
  readonly probabilities: readonly number[];
}

/**
 * Collects every image's prediction from an evaluation's batches (evaluate's onLogits).
 * `pemn eval --predictions` hands one to the evaluation once it knows the model's class names.
 */
export class PredictionCollector {
  readonly predictions: ImagePrediction[] = [];

  /** `classNames`: the model's classes' names, where its data names them. */
  constructor(private readonly classNames?: readonly string[]) {}

  readonly onLogits: BatchLogits = ({ logits, labels, firstIndex }) => {
    const { classNames } = this;
    const classes = logits.length / labels.length;
    for (let row = 0; row < labels.length; row++) {
      const rowLogits = logits.subarray(row * classes, (row + 1) * classes);
      const predicted = argmax(rowLogits);
      this.predictions.push({
        index: firstIndex + row,
        label: Number(labels[row]),
        predicted,
        ...(classNames === undefined ? {} : { class: classNames[predicted] as string }),
        probabilities: softmax(rowLogits).map((p) => Number(p.toPrecision(8))),
      });
    }
  };
}

/** Writes one JSON line per prediction, atomically (temporary file, fsync, rename). */
export function writePredictions(path: string, predictions: readonly ImagePrediction[]): void {
  const encoder = new TextEncoder();
  // A chunk per thousand lines: no single string of a whole large split.
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < predictions.length; start += 1000) {
    const lines = predictions.slice(start, start + 1000).map((p) => `${JSON.stringify(p)}\n`);
    chunks.push(encoder.encode(lines.join("")));
  }
  writeFileAtomic(path, chunks);
}

/** Given the model's class names (if any), the batches' receiver: how evaluations take a collector. */
export type PredictionsReceiver = (classNames: readonly string[] | undefined) => BatchLogits;
