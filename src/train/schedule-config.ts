import { z } from "zod";
import { flag } from "../config/config-flags.js";

/**
 * How the learning rate moves from step to step (it is set before every optimizer step);
 * the optimizer's `lr` is the peak. See learning-rate.ts for the formulas.
 */
export const scheduleConfigSchema = z
  .discriminatedUnion(
    "kind",
    [
      /** The ConvMixer reference: linear through (0, 0), (2E/5, lr), (4E/5, lr/20), (E, 0). */
      z.strictObject({ kind: z.literal("piecewise-linear") }),
      /** Linear warm-up to lr, then half a cosine down to minLr. */
      z.strictObject({
        kind: z.literal("cosine"),
        warmupEpochs: z
          .number({ error: "warmupEpochs must be a number" })
          .min(0, { error: "warmupEpochs must be >= 0" })
          .default(0)
          .meta(flag("warmup-epochs", "cosine: warm-up epochs")),
        minLr: z
          .number({ error: "minLr must be a number" })
          .min(0, { error: "minLr must be >= 0" })
          .default(0)
          .meta(flag("min-lr", "cosine: the learning rate it ends at")),
      }),
      z.strictObject({ kind: z.literal("constant") }),
    ],
    { error: 'schedule.kind must be "piecewise-linear", "cosine" or "constant"' },
  )
  .meta(flag("schedule", "learning-rate schedule", { valueName: "kind" }));

export type ScheduleConfigInput = z.input<typeof scheduleConfigSchema>;
export type ScheduleConfig = z.output<typeof scheduleConfigSchema>;
