import { z } from "zod";
import { flag } from "../config/config-flags.js";
import { parseConfig } from "../config/parse-config.js";
import { augmentationSchema } from "../data/index.js";
import { optimizerConfigSchema } from "./optimizer-config.js";
import { precisionSchema } from "./precision.js";
import { scheduleConfigSchema } from "./schedule-config.js";

const positiveInteger = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be an integer` })
    .positive({ error: `${field} must be positive` });

/** Epochs a run may ask for: far beyond any real schedule, short of "forever". */
export const MAX_EPOCHS = 100_000;

/** A run's seed: a non-negative safe integer, 0 unless given. */
export const seedSchema = z
  .number({ error: "seed must be a number" })
  .int({ error: "seed must be an integer" })
  .min(0, { error: "seed must be >= 0" })
  .max(Number.MAX_SAFE_INTEGER, { error: "seed must be a safe integer" })
  .default(0);

/**
 * Everything that decides what a run computes (a checkpoint stores it, and resume refuses a
 * different one). Plain data: parse it from JSON or YAML with parseTrainConfig.
 */
export const trainConfigSchema = z
  .strictObject({
    epochs: positiveInteger("epochs").max(MAX_EPOCHS, {
      error: `epochs must be at most ${MAX_EPOCHS}`,
    }),
    batchSize: positiveInteger("batchSize").meta(flag("batch-size", "batch size")),
    optimizer: optimizerConfigSchema,
    schedule: scheduleConfigSchema.default({ kind: "constant" }),
    labelSmoothing: z
      .number({ error: "labelSmoothing must be a number" })
      .min(0, { error: "labelSmoothing must be in [0, 1)" })
      .lt(1, { error: "labelSmoothing must be in [0, 1)" })
      .default(0)
      .meta(flag("label-smoothing", "label smoothing")),
    /** Largest global L2 norm of the gradients; null leaves them unclipped. */
    clipNorm: z
      .number({ error: "clipNorm must be a number or null" })
      .positive({ error: "clipNorm must be positive" })
      .nullable()
      .default(null)
      .meta(flag("clip-norm", "clip gradients to this global norm")),
    /** Seeds every data order, augmentation and libtorch draw (dropout) of the run. */
    seed: seedSchema,
    augmentation: augmentationSchema
      .default([])
      .meta(flag("augment", "augmentation steps as JSON (docs/data.md)", { valueName: "json" })),
    /** Skip a last training batch smaller than batchSize (BatchNorm cannot take one image). */
    dropLast: z
      .boolean({ error: "dropLast must be true or false" })
      .default(false)
      .meta(flag("drop-last", "skip a short last training batch")),
    /**
     * Also evaluate the test split after every epoch, for the reference code's figure (best
     * test accuracy over epochs). It never steers training or checkpoint selection.
     */
    testEachEpoch: z
      .boolean({ error: "testEachEpoch must be true or false" })
      .default(false)
      .meta(flag("test-each-epoch", "also report the reference's best-test figure")),
    /**
     * fp32, or mixed precision on CUDA (bf16, fp16). Absent means fp32, so the configs of
     * runs made before it existed still compare equal on resume.
     */
    precision: precisionSchema
      .optional()
      .meta(flag("precision", "mixed precision (bf16, fp16) needs --device cuda")),
  })
  .superRefine((config, context) => {
    if (config.schedule.kind === "cosine" && config.schedule.warmupEpochs >= config.epochs) {
      context.addIssue({
        code: "custom",
        path: ["schedule", "warmupEpochs"],
        message: `warmupEpochs must be below epochs (${config.epochs})`,
      });
    }
    if (config.schedule.kind === "cosine" && config.schedule.minLr > config.optimizer.lr) {
      context.addIssue({
        code: "custom",
        path: ["schedule", "minLr"],
        message: `minLr must not exceed optimizer.lr (${config.optimizer.lr})`,
      });
    }
  });

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;

export function parseTrainConfig(value: unknown): TrainConfig {
  return parseConfig(trainConfigSchema, value, "training config");
}
