import { z } from "zod";
import { describeIssues, showValue } from "./describe-issues.js";

/*
 * Where the fixed weights of the masked layers come from (docs/pemn-method.md section 2).
 * The schema validates strategies read from configs and files; the type is derived from it.
 */

/**
 * Optional rescaling for the strategies that share one layer's values with all others:
 * "none" keeps layer m's scale N(0, 2/fan_in(m)) everywhere (the paper); "fan-in" multiplies
 * layer l's slice by sqrt(fan_in(m) / fan_in(l)), giving each layer its own Kaiming scale.
 */
const rescaleSchema = z
  .enum(["none", "fan-in"], {
    error: (issue) => `must be "none" or "fan-in", got ${showValue(issue.input)}`,
  })
  .default("none");

const ratioMessage = (issue: { input: unknown }) =>
  `must be a number in (0, 1], got ${showValue(issue.input)}`;

export const weightStrategySchema = z.discriminatedUnion(
  "kind",
  [
    /** An ordinary network whose weights are trained: the reference point. */
    z.strictObject({ kind: z.literal("dense") }),
    /** Every masked layer has its own random values (plain edge-popup). */
    z.strictObject({ kind: z.literal("mask") }),
    /** Layers of a shape already seen copy the values of the first layer of that shape. */
    z.strictObject({ kind: z.literal("one-layer") }),
    /** Max-layer padding: every layer takes a prefix of the largest layer's values. */
    z.strictObject({ kind: z.literal("mp"), rescale: rescaleSchema }),
    /** Random vector padding: a prototype of floor(d_m * ratio) + 1 values, tiled. */
    z.strictObject({
      kind: z.literal("rp"),
      ratio: z
        .number({ error: ratioMessage })
        .gt(0, { error: ratioMessage })
        .lte(1, { error: ratioMessage }),
      /** "copy" (plain tiling) is the reference code's default. */
      order: z
        .enum(["copy", "rand"], {
          error: (issue) => `must be "copy" or "rand", got ${showValue(issue.input)}`,
        })
        .default("copy"),
      rescale: rescaleSchema,
    }),
  ],
  { error: (issue) => describeBadKind(issue.input) },
);

function describeBadKind(input: unknown): string {
  if (typeof input !== "object" || input === null) {
    return `must be an object with a "kind" field, got ${showValue(input)}`;
  }
  const kind = (input as { kind?: unknown }).kind;
  return `must be one of "dense", "mask", "one-layer", "mp", "rp", got ${showValue(kind)}`;
}

export type WeightStrategy = z.output<typeof weightStrategySchema>;
/** What a config may say: like WeightStrategy, with `rescale` (and rp's `order`) optional. */
export type WeightStrategyInput = z.input<typeof weightStrategySchema>;
export type WeightStrategyKind = WeightStrategy["kind"];
export type Rescale = z.output<typeof rescaleSchema>;

/** Validates a strategy from a config or file; throws an Error naming each bad field. */
export function parseWeightStrategy(input: unknown): WeightStrategy {
  const result = weightStrategySchema.safeParse(input);
  if (!result.success) {
    throw new Error(describeIssues("weight strategy", result.error), { cause: result.error });
  }
  return result.data;
}
