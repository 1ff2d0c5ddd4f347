import { z } from "zod";

const accuracy = z.number().min(0).max(1);

/**
 * summary.json, the stable result of a run (docs/run-summary.md). Field names are snake
 * case and only ever added to, so scripts and sweeps can rely on them. A field added after
 * version 0.1.0 has a default, so summaries written before it still parse.
 */
export const runSummarySchema = z.strictObject({
  pemn_version: z.string(),
  model: z.looseObject({ name: z.string() }),
  strategy: z.looseObject({ kind: z.string() }),
  keep_fraction: z.number(),
  dataset: z.string(),
  /** The model's classes, and their names in label order where the dataset names them. */
  classes: z.number().int().positive().nullable().default(null),
  class_names: z.array(z.string()).nullable().default(null),
  seed: z.number().int(),
  generator: z.string(),
  /** Epochs trained (0: the model was only built). */
  epochs: z.number().int().min(0),
  /** Validation accuracy after the last epoch, and the best epoch's. */
  val_accuracy: accuracy.nullable(),
  best_val_accuracy: accuracy.nullable(),
  best_val_epoch: z.number().int().positive().nullable(),
  /**
   * Which checkpoint is the run's selected model: the best checkpoint by validation accuracy, or, with no
   * validation split (size 0), the last epoch (the val fields are null).
   */
  selection: z.enum(["best-validation", "last-epoch"]).default("best-validation"),
  /** The final model on the test split: the figure pemn reports. */
  test_accuracy: accuracy.nullable(),
  /** The reference code's figure (best test accuracy over epochs), only when asked for. */
  reference_best_test_accuracy: accuracy.nullable(),
  masked_weights: z.number().int().nonnegative(),
  unique_values: z.number().int().nonnegative(),
  /** Training images per second over all epochs (augmentation included, evaluation not). */
  train_img_per_s: z.number().positive().nullable(),
  /**
   * Pruned runs (dense: the 0% point, all 0 and every weight kept; null for PEMN strategies):
   * the strategy's target compression ratio, and ...
   */
  target_compression: z.number().nullable().default(null),
  /** ... the ratio the masks achieve, by the bytes a .pemn file stores them in, norms left out, */
  achieved_compression: z.number().nullable().default(null),
  /** 1 - kept / masked weights, */
  sparsity: z.number().min(0).max(1).nullable().default(null),
  kept_weights: z.number().int().nonnegative().nullable().default(null),
  /** and the dense epochs before the mask was chosen. */
  pretrain_epochs: z.number().int().nonnegative().nullable().default(null),
  seconds: z.number().nonnegative(),
  finished_at: z.string(),
  /** Processes that trained the run (1 unless data-parallel). */
  world_size: z.number().int().positive().default(1),
  /** Bytes each rank all-reduced in the last step; null unless data-parallel. */
  all_reduced_bytes_per_step: z.number().int().nonnegative().nullable().default(null),
});

export type RunSummary = z.infer<typeof runSummarySchema>;
