import { z } from "zod";

const finite = z.number().refine(Number.isFinite, { error: "must be a finite number" });

/**
 * One line of metrics.jsonl: what an epoch did. `epoch` counts from 1; `lr` is the rate of the
 * epoch's last step; `train_*` are running means over the epoch's batches (augmented images,
 * model in training mode); `val_*` and `test_*` come from full evaluation passes after it;
 * `img_per_s` counts training images over the training part; `seconds` covers training and
 * evaluation. Test fields appear only with testEachEpoch.
 */
export const epochMetricsSchema = z.strictObject({
  epoch: z.number().int().positive(),
  lr: finite,
  train_loss: finite,
  train_accuracy: finite,
  /** null without a validation split (size 0). */
  val_loss: finite.nullable(),
  val_accuracy: finite.nullable(),
  test_loss: finite.optional(),
  test_accuracy: finite.optional(),
  img_per_s: finite,
  seconds: finite,
  /** Data-parallel runs only: the ranks, and the bytes each all-reduced in the epoch's last step. */
  world_size: z.number().int().positive().optional(),
  all_reduced_bytes_per_step: z.number().int().nonnegative().optional(),
});

export type EpochMetrics = z.infer<typeof epochMetricsSchema>;

/** The epoch with the highest validation accuracy (the earliest one on ties). */
export const bestValidationSchema = z.strictObject({
  epoch: z.number().int().positive(),
  accuracy: finite,
  loss: finite,
});

export type BestValidation = z.infer<typeof bestValidationSchema>;

/** The new best if `record` beats `best` (or there is none yet), else null (also unvalidated). */
export function improvedValidation(
  best: BestValidation | null,
  record: EpochMetrics,
): BestValidation | null {
  if (record.val_accuracy === null || record.val_loss === null) return null;
  if (best !== null && record.val_accuracy <= best.accuracy) return null;
  return { epoch: record.epoch, accuracy: record.val_accuracy, loss: record.val_loss };
}
