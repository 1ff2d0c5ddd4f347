import { z } from "zod";

/**
 * How a masked layer uses its weights: `masked` learns which fixed random values to keep
 * (edge-popup), `dense` trains the values themselves (the ordinary reference network),
 * `pruned` trains the values under a fixed 0/1 mask chosen once (the pruning baselines).
 */
export const weightModeSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("masked"),
    /** Fraction of the layer's weights kept by the mask. */
    keepFraction: z.number().gt(0).max(1),
  }),
  z.object({ kind: z.literal("dense") }),
  z.object({ kind: z.literal("pruned") }),
]);

export type WeightMode = z.infer<typeof weightModeSchema>;

export const DEFAULT_KEEP_FRACTION = 0.5;
