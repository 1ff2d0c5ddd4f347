import { z } from "zod";

const accuracy = z.number().min(0).max(1);

/**
 * summary.json, the stable result of a run (docs/run-summary.md). Field names are snake
 * case and only ever added to, so scripts and sweeps can rely on them.
 */
export const runSummarySchema = z.strictObject({
  pemn_version: z.string(),
  model: z.looseObject({ name: z.string() }),
  strategy: z.looseObject({ kind: z.string() }),
  keep_fraction: z.number(),
  dataset: z.string(),
  seed: z.number().int(),
  generator: z.string(),
  /** Epochs trained (0: the model was only built). */
  epochs: z.number().int().min(0),
  /** Validation accuracy after the last epoch, and the best epoch's. */
  val_accuracy: accuracy.nullable(),
  best_val_accuracy: accuracy.nullable(),
  best_val_epoch: z.number().int().positive().nullable(),
  /** The final model on the test split: the figure pemn reports. */
  test_accuracy: accuracy.nullable(),
  /** The reference code's figure (best test accuracy over epochs), only when asked for. */
  reference_best_test_accuracy: accuracy.nullable(),
  masked_weights: z.number().int().nonnegative(),
  unique_values: z.number().int().nonnegative(),
  /** Training images per second over all epochs (augmentation included, evaluation not). */
  train_img_per_s: z.number().positive().nullable(),
  seconds: z.number().nonnegative(),
  finished_at: z.string(),
  /** Processes that trained the run (1 unless data-parallel). */
  world_size: z.number().int().positive().default(1),
  /** Bytes each rank all-reduced in the last step; null unless data-parallel. */
  all_reduced_bytes_per_step: z.number().int().nonnegative().nullable().default(null),
});

export type RunSummary = z.infer<typeof runSummarySchema>;
