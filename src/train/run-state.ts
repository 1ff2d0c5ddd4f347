import { z } from "zod";
import { bestValidationSchema, epochMetricsSchema } from "./epoch-metrics.js";
import { trainConfigSchema } from "./train-config.js";

/** Where a run stands after an epoch: with the model and optimizer, all that resume needs. */
export const runStateSchema = z.strictObject({
  epochsCompleted: z.number().int().min(0),
  /** Optimizer steps taken so far: the schedule's position. */
  step: z.number().int().min(0),
  config: trainConfigSchema,
  history: z.array(epochMetricsSchema),
  bestValidation: bestValidationSchema.nullable(),
});

export type RunState = z.infer<typeof runStateSchema>;
