import { z } from "zod";

/**
 * How the learning rate moves from step to step (it is set before every optimizer step);
 * the optimizer's `lr` is the peak. See learning-rate.ts for the formulas.
 */
export const scheduleConfigSchema = z.discriminatedUnion(
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
        .default(0),
      minLr: z
        .number({ error: "minLr must be a number" })
        .min(0, { error: "minLr must be >= 0" })
        .default(0),
    }),
    z.strictObject({ kind: z.literal("constant") }),
  ],
  { error: 'schedule.kind must be "piecewise-linear", "cosine" or "constant"' },
);

export type ScheduleConfigInput = z.input<typeof scheduleConfigSchema>;
export type ScheduleConfig = z.output<typeof scheduleConfigSchema>;
